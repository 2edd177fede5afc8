package world

import (
	"fmt"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// The transitions of the complaint state machine. Each takes the world's
// lock with defer, changes the complaint, and returns a deep copy of it
// with the effects: changes, deadlines, notifications to push.

func changed(c *Complaint, what events.What) events.Change {
	return events.Change{What: what, AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID,
		FeedBackID: c.FeedBackID, State: string(c.State)}
}

func resolveKey(id string) events.TimerKey {
	return events.TimerKey{Deadline: events.DeadlineResolve, FeedBackID: id}
}

func evidenceKey(id string) events.TimerKey {
	return events.TimerKey{Deadline: events.DeadlineEvidence, FeedBackID: id}
}

// File files a complaint as a user would: it creates the user and the
// order when new (no order with spec.NoOrder), sets the deadline of
// payfeedback.ResolveBy, counts as the user's interaction, and pushes a
// "request" notification.
func (w *World) File(spec ComplaintSpec) (Complaint, events.Effects, error) {
	if len(spec.PicURLs) > payfeedback.MaxPictures {
		return Complaint{}, events.Effects{}, fmt.Errorf("mockwechat: %d pictures: a complaint has at most %d", len(spec.PicURLs), payfeedback.MaxPictures)
	}
	if err := checkFeedbackID(spec.FeedBackID); err != nil {
		return Complaint{}, events.Effects{}, err
	}
	if err := w.lock(); err != nil {
		return Complaint{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	acc, err := w.account(spec.AppID)
	if err != nil {
		return Complaint{}, events.Effects{}, err
	}
	if _, ok := w.complaints[spec.FeedBackID]; ok {
		return Complaint{}, events.Effects{}, fmt.Errorf("mockwechat: complaint %s exists: give another feedback id, or none", spec.FeedBackID)
	}
	if err := checkSize(Complaint{AppID: acc.AppID, OpenID: spec.OpenID, TransID: spec.TransID, Reason: spec.Reason,
		Solution: spec.Solution, ExtInfo: spec.ExtInfo, PicURLs: spec.PicURLs}, payfeedback.MsgRequest); err != nil {
		return Complaint{}, events.Effects{}, err
	}
	if spec.NoOrder {
		return w.fileWithoutOrder(acc, spec)
	}
	now := w.now()
	var fx events.Effects
	o, ok := w.orders[spec.TransID]
	switch {
	case ok && o.AppID != acc.AppID:
		return Complaint{}, fx, fmt.Errorf("mockwechat: order %s belongs to account %s, not %s", text.Clip(spec.TransID, 64), o.AppID, acc.AppID)
	case ok && spec.OpenID != "" && o.OpenID != spec.OpenID:
		return Complaint{}, fx, fmt.Errorf("mockwechat: order %s was paid by %s, not %s", text.Clip(spec.TransID, 64), o.OpenID, text.Clip(spec.OpenID, 64))
	case ok && o.OpenComplaint != "":
		return Complaint{}, fx, fmt.Errorf("mockwechat: order %s already has open complaint %s (the fake keeps one open complaint per order, the kit's choice): %w", text.Clip(spec.TransID, 64), o.OpenComplaint, ErrState)
	case !ok:
		paid := spec.PaidAt
		if paid.IsZero() {
			paid = now
		}
		var shipped time.Time
		if spec.Shipped {
			shipped = paid
		}
		o, err = w.addOrder(Order{TransID: spec.TransID, AppID: acc.AppID, OpenID: spec.OpenID,
			Goods: spec.Goods, PaidAt: paid, ShippedAt: shipped})
		if err != nil {
			return Complaint{}, fx, err
		}
		fx.Changes = append(fx.Changes, orderAdded(o.Order))
	}
	c := w.file(spec, Complaint{
		AppID:    acc.AppID,
		OpenID:   o.OpenID,
		TransID:  o.TransID,
		FiledAt:  now,
		Deadline: payfeedback.ResolveBy(o.Goods, o.PaidAt, o.ShippedAt, now),
		Shipping: payfeedback.ShippingStateAt(o.Goods, o.PaidAt, o.ShippedAt, now).String(),
		Goods:    o.Goods,
	}, &fx)
	o.OpenComplaint = c.FeedBackID
	return c.Clone(), fx, nil
}

// fileWithoutOrder files a complaint that names no order (w.mu held): the
// deadline of a shipped order of the goods kind given, since there is no
// payment to count a shipping deadline from.
func (w *World) fileWithoutOrder(acc *AccountState, spec ComplaintSpec) (Complaint, events.Effects, error) {
	var fx events.Effects
	switch {
	case spec.TransID != "" || spec.Shipped || !spec.PaidAt.IsZero():
		return Complaint{}, fx, fmt.Errorf("mockwechat: a complaint filed without an order (no_order) has no transid, paid_at nor shipped: leave them out, or drop no_order to complain about an order")
	case spec.Goods != payfeedback.GoodsVirtual && spec.Goods != payfeedback.GoodsPhysical:
		return Complaint{}, fx, fmt.Errorf("mockwechat: complaint goods kind %d: want virtual or physical", int(spec.Goods))
	}
	now := w.now()
	openID := spec.OpenID
	if openID == "" {
		openID = w.newOpenID()
	}
	c := w.file(spec, Complaint{
		AppID:    acc.AppID,
		OpenID:   openID,
		FiledAt:  now,
		Deadline: payfeedback.ResolveBy(spec.Goods, now, now, now),
		Shipping: ShippingNoOrder,
		Goods:    spec.Goods,
	}, &fx)
	return c.Clone(), fx, nil
}

// file records a new complaint c, completed from spec, and adds its
// effects to fx (w.mu held): filing counts as the user's interaction and
// pushes "request".
func (w *World) file(spec ComplaintSpec, c Complaint, fx *events.Effects) *complaint {
	c.FeedBackID = spec.FeedBackID
	if c.FeedBackID == "" {
		c.FeedBackID = w.newFeedbackID()
	}
	c.State = StateFiled
	c.Reason, c.Solution, c.ExtInfo = spec.Reason, spec.Solution, spec.ExtInfo
	c.PicURLs = append([]string(nil), spec.PicURLs...)
	rec := &complaint{seq: len(w.filed) + 1, Complaint: c}
	w.complaints[c.FeedBackID] = rec
	w.filed = append(w.filed, rec)
	w.user(c.AppID, c.OpenID).interacted(InteractComplaint, c.FiledAt)
	fx.Changes = append(fx.Changes, changed(&rec.Complaint, events.ComplaintFiled))
	fx.Timers = append(fx.Timers, events.Timer{Key: resolveKey(c.FeedBackID), At: c.Deadline})
	fx.Push = append(fx.Push, notification(&rec.Complaint, payfeedback.MsgRequest))
	return rec
}

// checkFeedbackID refuses a given feedback id that is not 1 to 32 decimal
// digits ("" is fine: one is generated).
func checkFeedbackID(id string) error {
	if len(id) > 32 || strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("mockwechat: feedback id %q: want 1 to 32 decimal digits, as WeChat's are, or none to have one generated", text.Clip(id, 40))
	}
	return nil
}

// Handle plays the merchant's successful /payfeedback/update without a
// call (scenarios use it): allowed when the complaint is filed, handled or
// rejected, and not in arbitration.
func (w *World) Handle(id string) (Complaint, events.Effects, error) {
	if err := w.lock(); err != nil {
		return Complaint{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	c, err := w.complaintOf(id)
	if err != nil {
		return Complaint{}, events.Effects{}, err
	}
	if c.Arbitration != nil || c.State == StateConfirmed {
		return Complaint{}, events.Effects{}, fmt.Errorf("mockwechat: complaint %s is closed (%s): the merchant can no longer handle it: %w", id, c.State, ErrState)
	}
	return c.Clone(), events.Effects{Changes: []events.Change{w.handle(c, w.now())}}, nil
}

// handle marks a complaint handled by the merchant (w.mu held).
func (w *World) handle(c *complaint, now time.Time) events.Change {
	if c.State != StateHandled {
		c.State, c.HandledAt = StateHandled, now
	}
	c.Updates++
	return changed(&c.Complaint, events.ComplaintHandled)
}

// Confirm plays the user confirming the complaint resolved: allowed when it
// is filed (the user withdraws it), handled or rejected, and not under
// arbitration. It closes the complaint and pushes "confirm".
func (w *World) Confirm(id string) (Complaint, events.Effects, error) {
	return w.userAct(id, payfeedback.MsgConfirm, "")
}

// Reject plays the user rejecting the merchant's handling, with the user's
// reason (carried in the notification's Reason; "" keeps the complaint's):
// allowed only when the complaint is handled. It pushes "reject".
func (w *World) Reject(id, reason string) (Complaint, events.Effects, error) {
	return w.userAct(id, payfeedback.MsgReject, reason)
}

func (w *World) userAct(id string, t payfeedback.MsgType, reason string) (Complaint, events.Effects, error) {
	if err := w.lock(); err != nil {
		return Complaint{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	c, err := w.complaintOf(id)
	if err != nil {
		return Complaint{}, events.Effects{}, err
	}
	if c.Arbitration != nil {
		return Complaint{}, events.Effects{}, fmt.Errorf("mockwechat: complaint %s is in arbitration (%s): the user can no longer %s it: %w", id, c.Arbitration.State, t, ErrState)
	}
	now := w.now()
	var fx events.Effects
	switch t {
	case payfeedback.MsgConfirm:
		if c.State == StateConfirmed {
			return Complaint{}, fx, fmt.Errorf("mockwechat: complaint %s is already confirmed: %w", id, ErrState)
		}
		c.State, c.ClosedAt = StateConfirmed, now
		w.closeOrder(c)
		fx.Cancels = append(fx.Cancels, resolveKey(id))
		fx.Changes = append(fx.Changes, changed(&c.Complaint, events.ComplaintConfirmed))
	case payfeedback.MsgReject:
		if c.State != StateHandled {
			return Complaint{}, fx, fmt.Errorf("mockwechat: complaint %s is %s: the user can reject only a handled complaint (the merchant calls /payfeedback/update first): %w", id, c.State, ErrState)
		}
		probe := c.Complaint
		probe.RejectReason = reason
		if err := checkSize(probe, payfeedback.MsgReject); err != nil {
			return Complaint{}, fx, err
		}
		c.State, c.RejectedAt, c.RejectReason = StateRejected, now, reason
		fx.Changes = append(fx.Changes, changed(&c.Complaint, events.ComplaintRejected))
	}
	w.user(c.AppID, c.OpenID).interacted(InteractComplaint, now)
	fx.Push = append(fx.Push, notification(&c.Complaint, t))
	return c.Clone(), fx, nil
}

// closeOrder frees the order for a new complaint (w.mu held).
func (w *World) closeOrder(c *complaint) {
	if o := w.orders[c.TransID]; o != nil && o.OpenComplaint == c.FeedBackID {
		o.OpenComplaint = ""
	}
}

// RequestArbitration plays the user asking WeChat to arbitrate: allowed
// when the complaint is overdue or rejected, and not confirmed. The
// arbitration starts in state 0 (awaiting merchant evidence) and moves to
// state 1 when the evidence window passes without evidence.
func (w *World) RequestArbitration(id string) (Complaint, events.Effects, error) {
	return w.arbitrationAct(id, func(c *complaint, now time.Time) (events.Effects, error) {
		if c.Arbitration != nil {
			return events.Effects{}, fmt.Errorf("mockwechat: complaint %s is already in arbitration: %w", c.FeedBackID, ErrState)
		}
		if c.State == StateConfirmed || !(c.Overdue || c.State == StateRejected) {
			return events.Effects{}, fmt.Errorf("mockwechat: complaint %s is %s and not overdue: arbitration needs a rejected or overdue complaint: %w", c.FeedBackID, c.State, ErrState)
		}
		c.Arbitration = &Arbitration{State: ArbitrationAwaitingEvidence, RequestedAt: now,
			EvidenceDeadline: now.Add(w.cfg.EvidenceWindow)}
		return events.Effects{
			Cancels: []events.TimerKey{resolveKey(c.FeedBackID)},
			Timers:  []events.Timer{{Key: evidenceKey(c.FeedBackID), At: c.Arbitration.EvidenceDeadline}},
			Changes: []events.Change{changed(&c.Complaint, events.ArbitrationRequested)},
		}, nil
	})
}

// SubmitEvidence plays the merchant submitting arbitration evidence in the
// MP console (a note and at most 5 pictures): allowed in state 0; moves the
// arbitration to state 2.
func (w *World) SubmitEvidence(id, note string, picURLs []string) (Complaint, events.Effects, error) {
	if len(picURLs) > payfeedback.MaxPictures {
		return Complaint{}, events.Effects{}, fmt.Errorf("mockwechat: %d evidence pictures: at most %d", len(picURLs), payfeedback.MaxPictures)
	}
	return w.arbitrationAct(id, func(c *complaint, now time.Time) (events.Effects, error) {
		if c.Arbitration == nil || c.Arbitration.State != ArbitrationAwaitingEvidence {
			return events.Effects{}, fmt.Errorf("mockwechat: complaint %s is not awaiting arbitration evidence: %w", c.FeedBackID, ErrState)
		}
		a := c.Arbitration
		a.State, a.Note, a.PicURLs, a.EvidenceAt = ArbitrationUnderReview, note, append([]string(nil), picURLs...), now
		return events.Effects{
			Cancels: []events.TimerKey{evidenceKey(c.FeedBackID)},
			Changes: []events.Change{changed(&c.Complaint, events.EvidenceSubmitted)},
		}, nil
	})
}

// Arbitrate plays WeChat deciding an arbitration (state 1 or 2): for the
// user (state 3) or for the merchant (state 4). It closes the complaint.
func (w *World) Arbitrate(id string, forUser bool) (Complaint, events.Effects, error) {
	return w.arbitrationAct(id, func(c *complaint, now time.Time) (events.Effects, error) {
		if c.Arbitration == nil || (c.Arbitration.State != ArbitrationEvidenceMissed && c.Arbitration.State != ArbitrationUnderReview) {
			return events.Effects{}, fmt.Errorf("mockwechat: complaint %s has no arbitration awaiting a decision: %w", c.FeedBackID, ErrState)
		}
		c.Arbitration.State = ArbitrationDecidedForMerchant
		if forUser {
			c.Arbitration.State = ArbitrationDecidedForUser
		}
		c.Arbitration.DecidedAt, c.ClosedAt = now, now
		w.closeOrder(c)
		return events.Effects{Changes: []events.Change{changed(&c.Complaint, events.Arbitrated)}}, nil
	})
}

func (w *World) arbitrationAct(id string, f func(c *complaint, now time.Time) (events.Effects, error)) (Complaint, events.Effects, error) {
	if err := w.lock(); err != nil {
		return Complaint{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	c, err := w.complaintOf(id)
	if err != nil {
		return Complaint{}, events.Effects{}, err
	}
	fx, err := f(c, w.now())
	if err != nil {
		return Complaint{}, events.Effects{}, err
	}
	return c.Clone(), fx, nil
}

// Fire runs a deadline that fell due: a complaint still waiting for the
// merchant goes overdue; an arbitration still awaiting evidence misses it.
func (w *World) Fire(k events.TimerKey) events.Effects {
	if err := w.lock(); err != nil {
		return events.Effects{}
	}
	defer w.mu.Unlock()
	c, ok := w.complaints[k.FeedBackID]
	if !ok {
		return events.Effects{}
	}
	switch k.Deadline {
	case events.DeadlineResolve:
		if (c.State == StateFiled || c.State == StateRejected) && c.Arbitration == nil && !c.Overdue {
			c.Overdue = true
			return events.Effects{Changes: []events.Change{changed(&c.Complaint, events.ComplaintOverdue)}}
		}
	case events.DeadlineEvidence:
		if c.Arbitration != nil && c.Arbitration.State == ArbitrationAwaitingEvidence {
			c.Arbitration.State = ArbitrationEvidenceMissed
			return events.Effects{Changes: []events.Change{changed(&c.Complaint, events.EvidenceMissed)}}
		}
	}
	return events.Effects{}
}

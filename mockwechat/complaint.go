package mockwechat

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/payfeedback/payfeedback"
)

// ComplaintState is where a complaint is in the state machine of
// PROTOCOL §6–§7:
//
//	filed ──update──▶ handled ──user confirms──▶ confirmed (closed)
//	  │                  │
//	  │                  └──user rejects──▶ rejected ──update──▶ handled …
//	  └──user confirms (withdraws)──▶ confirmed
//
// Overdue and arbitration are not states but marks on a complaint (see
// Complaint.Overdue and Complaint.Arbitration).
type ComplaintState string

// The complaint states.
const (
	// StateFiled: the user complained; the merchant must handle it.
	StateFiled ComplaintState = "filed"
	// StateHandled: the merchant called /payfeedback/update; the user may
	// confirm or reject.
	StateHandled ComplaintState = "handled"
	// StateConfirmed: the user confirmed the complaint resolved (closed).
	StateConfirmed ComplaintState = "confirmed"
	// StateRejected: the user rejected the merchant's handling; the
	// merchant may handle it again, the user may ask for arbitration.
	StateRejected ComplaintState = "rejected"
)

// ArbitrationState is the MP console's arbitration state (PROTOCOL §7).
type ArbitrationState int

// The arbitration states 0–4. The console said only "3/4 arbitrated";
// the fake reads 3 as decided for the user and 4 for the merchant.
const (
	ArbitrationAwaitingEvidence   ArbitrationState = 0 // awaiting merchant evidence
	ArbitrationEvidenceMissed     ArbitrationState = 1 // evidence deadline missed
	ArbitrationUnderReview        ArbitrationState = 2 // evidence submitted, under arbitration
	ArbitrationDecidedForUser     ArbitrationState = 3 // arbitrated for the user
	ArbitrationDecidedForMerchant ArbitrationState = 4 // arbitrated for the merchant
)

// String names the state.
func (a ArbitrationState) String() string {
	switch a {
	case ArbitrationAwaitingEvidence:
		return "awaiting merchant evidence"
	case ArbitrationEvidenceMissed:
		return "evidence deadline missed"
	case ArbitrationUnderReview:
		return "evidence submitted, under arbitration"
	case ArbitrationDecidedForUser:
		return "arbitrated for the user"
	case ArbitrationDecidedForMerchant:
		return "arbitrated for the merchant"
	}
	return fmt.Sprintf("ArbitrationState(%d)", int(a))
}

// Arbitration is a complaint's arbitration by WeChat.
type Arbitration struct {
	State       ArbitrationState `json:"state"`
	RequestedAt time.Time        `json:"requested_at"`
	// EvidenceDeadline is RequestedAt + Options.EvidenceWindow.
	EvidenceDeadline time.Time `json:"evidence_deadline"`
	// Note and PicURLs are the merchant's evidence (at most 5 pictures).
	Note       string    `json:"note,omitempty"`
	PicURLs    []string  `json:"pic_urls,omitempty"`
	EvidenceAt time.Time `json:"evidence_at,omitzero"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
}

// ComplaintSpec is what a user files. Unknown users and orders are created.
type ComplaintSpec struct {
	// AppID is the account; "" means the only account when there is one.
	AppID string `json:"appid,omitempty"`
	// OpenID is the user; "" is generated (or the order's, when TransID
	// names an existing order).
	OpenID string `json:"openid,omitempty"`
	// TransID is the order complained about; "" is generated.
	TransID  string   `json:"transid,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Solution string   `json:"solution,omitempty"`
	ExtInfo  string   `json:"ext_info,omitempty"`
	PicURLs  []string `json:"pic_urls,omitempty"`
	// Goods, Shipped and PaidAt describe a new order (ignored for an
	// existing one): PaidAt zero is now; Shipped means shipped at PaidAt.
	Goods   payfeedback.GoodsKind `json:"goods"`
	Shipped bool                  `json:"shipped,omitempty"`
	PaidAt  time.Time             `json:"paid_at,omitzero"`
}

// Complaint is a complaint and where it stands.
type Complaint struct {
	FeedBackID string         `json:"feedback_id"`
	AppID      string         `json:"appid"`
	OpenID     string         `json:"openid"`
	TransID    string         `json:"transid"`
	State      ComplaintState `json:"state"`
	// Overdue is set when the Deadline passed while the complaint waited
	// for the merchant (filed, or rejected); it stays set.
	Overdue bool      `json:"overdue"`
	FiledAt time.Time `json:"filed_at"`
	// Deadline is payfeedback.ResolveBy for the order at filing time.
	Deadline time.Time `json:"deadline"`
	// Shipping is the order's shipping state at filing time.
	Shipping   string                `json:"shipping"`
	Goods      payfeedback.GoodsKind `json:"goods"`
	Reason     string                `json:"reason,omitempty"`
	Solution   string                `json:"solution,omitempty"`
	ExtInfo    string                `json:"ext_info,omitempty"`
	PicURLs    []string              `json:"pic_urls,omitempty"`
	HandledAt  time.Time             `json:"handled_at,omitzero"`
	ClosedAt   time.Time             `json:"closed_at,omitzero"`
	RejectedAt time.Time             `json:"rejected_at,omitzero"`
	// RejectReason is the reason the user gave when rejecting.
	RejectReason string `json:"reject_reason,omitempty"`
	// Updates counts the merchant's successful /payfeedback/update calls.
	Updates     int          `json:"updates"`
	Arbitration *Arbitration `json:"arbitration,omitempty"`
}

// Open reports whether the complaint still needs someone to act.
func (c Complaint) Open() bool {
	if c.Arbitration != nil {
		return c.Arbitration.State != ArbitrationDecidedForUser && c.Arbitration.State != ArbitrationDecidedForMerchant
	}
	return c.State != StateConfirmed
}

type complaintState struct {
	Complaint
	seq        uint64
	deadlineEv *event
	evidenceEv *event
}

func (c *complaintState) snapshot() Complaint {
	out := c.Complaint
	out.PicURLs = append([]string(nil), c.PicURLs...)
	if c.Arbitration != nil {
		a := *c.Arbitration
		a.PicURLs = append([]string(nil), a.PicURLs...)
		out.Arbitration = &a
	}
	return out
}

// FileComplaint files a complaint as a user would: it creates the user and
// the order when new, sets the deadline of PROTOCOL §7, counts as the
// user's interaction, and pushes a "request" notification to the
// account's payfeedback_url (asynchronously: see WaitForDelivery).
func (s *Server) FileComplaint(ctx context.Context, spec ComplaintSpec) (Complaint, error) {
	if err := checkCtx(ctx); err != nil {
		return Complaint{}, err
	}
	if s.closed.Load() {
		return Complaint{}, ErrClosed
	}
	if len(spec.PicURLs) > payfeedback.MaxPictures {
		return Complaint{}, fmt.Errorf("mockwechat: %d pictures: a complaint has at most %d", len(spec.PicURLs), payfeedback.MaxPictures)
	}
	s.mu.Lock()
	acc, err := s.accountLocked(spec.AppID)
	if err != nil {
		s.mu.Unlock()
		return Complaint{}, err
	}
	now := s.sched.now()
	o, ok := s.orders[spec.TransID]
	switch {
	case ok && o.AppID != acc.AppID:
		s.mu.Unlock()
		return Complaint{}, fmt.Errorf("mockwechat: order %s belongs to account %s, not %s", spec.TransID, o.AppID, acc.AppID)
	case ok && spec.OpenID != "" && o.OpenID != spec.OpenID:
		s.mu.Unlock()
		return Complaint{}, fmt.Errorf("mockwechat: order %s was paid by %s, not %s", spec.TransID, o.OpenID, clip(spec.OpenID, 64))
	case ok && o.open != "":
		s.mu.Unlock()
		return Complaint{}, fmt.Errorf("mockwechat: order %s already has open complaint %s: %w", spec.TransID, o.open, ErrState)
	case !ok:
		paid := spec.PaidAt
		if paid.IsZero() {
			paid = now
		}
		var shipped time.Time
		if spec.Shipped {
			shipped = paid
		}
		o, err = s.addOrderLocked(Order{TransID: spec.TransID, AppID: acc.AppID, OpenID: spec.OpenID,
			Goods: spec.Goods, PaidAt: paid, ShippedAt: shipped})
		if err != nil {
			s.mu.Unlock()
			return Complaint{}, err
		}
	}
	c := &complaintState{seq: uint64(len(s.complaints)) + 1}
	c.Complaint = Complaint{
		FeedBackID: s.newFeedbackIDLocked(),
		AppID:      acc.AppID,
		OpenID:     o.OpenID,
		TransID:    o.TransID,
		State:      StateFiled,
		FiledAt:    now,
		Deadline:   payfeedback.ResolveBy(o.Goods, o.PaidAt, o.ShippedAt, now),
		Shipping:   payfeedback.ShippingStateAt(o.Goods, o.PaidAt, o.ShippedAt, now).String(),
		Goods:      o.Goods,
		Reason:     spec.Reason,
		Solution:   spec.Solution,
		ExtInfo:    spec.ExtInfo,
		PicURLs:    append([]string(nil), spec.PicURLs...),
	}
	s.complaints[c.FeedBackID] = c
	o.open = c.FeedBackID
	s.userLocked(acc.AppID, o.OpenID).LastInteraction = now
	id := c.FeedBackID
	c.deadlineEv = s.sched.at(c.Deadline, func() { s.onDeadline(id) })
	n := s.notificationLocked(c, payfeedback.MsgRequest)
	snap := c.snapshot()
	s.mu.Unlock()

	s.pushes.send(n)
	s.changes.notify()
	return snap, nil
}

// notificationLocked builds the notification of a complaint event.
func (s *Server) notificationLocked(c *complaintState, t payfeedback.MsgType) payfeedback.Notification {
	n := payfeedback.Notification{
		AppID:      c.AppID,
		OpenID:     c.OpenID,
		MsgType:    t,
		FeedBackID: c.FeedBackID,
		Reason:     c.Reason,
	}
	switch t {
	case payfeedback.MsgRequest:
		n.TransID = c.TransID
		n.Solution = c.Solution
		n.ExtInfo = c.ExtInfo
		n.PicURLs = append([]string(nil), c.PicURLs...)
	case payfeedback.MsgReject:
		if c.RejectReason != "" {
			n.Reason = c.RejectReason
		}
	}
	return n
}

// onDeadline marks a complaint overdue when it still waits for the
// merchant at its deadline.
func (s *Server) onDeadline(id string) {
	if s.closed.Load() {
		return
	}
	s.mu.Lock()
	c, ok := s.complaints[id]
	if ok {
		c.deadlineEv = nil
		if (c.State == StateFiled || c.State == StateRejected) && c.Arbitration == nil {
			c.Overdue = true
			s.log.Info("mockwechat: complaint overdue", "feedbackid", id, "appid", c.AppID)
		}
	}
	s.mu.Unlock()
	s.changes.notify()
}

// Complaint returns a complaint by feedback id.
func (s *Server) Complaint(feedbackID string) (Complaint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.complaints[feedbackID]
	if !ok {
		return Complaint{}, false
	}
	return c.snapshot(), true
}

// Complaints returns every complaint in filing order.
func (s *Server) Complaints() []Complaint {
	s.mu.Lock()
	all := make([]*complaintState, 0, len(s.complaints))
	for _, c := range s.complaints {
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	out := make([]Complaint, len(all))
	for i, c := range all {
		out[i] = c.snapshot()
	}
	s.mu.Unlock()
	return out
}

// WaitForComplaint waits until the complaint satisfies match (checked now
// and after every change) or ctx ends, and returns it.
func (s *Server) WaitForComplaint(ctx context.Context, feedbackID string, match func(Complaint) bool) (Complaint, error) {
	for {
		ch := s.changes.wait()
		c, ok := s.Complaint(feedbackID)
		if !ok {
			return Complaint{}, fmt.Errorf("mockwechat: complaint %s: %w", clip(feedbackID, 64), ErrNotFound)
		}
		if match == nil || match(c) {
			return c, nil
		}
		if s.closed.Load() {
			return c, ErrClosed
		}
		select {
		case <-ctx.Done():
			return c, ctx.Err()
		case <-ch:
		}
	}
}

// Confirm plays the user confirming the complaint resolved: allowed when it
// is filed (the user withdraws it), handled or rejected, and not under
// arbitration. It closes the complaint and pushes "confirm".
func (s *Server) Confirm(ctx context.Context, feedbackID string) error {
	return s.userAct(ctx, feedbackID, payfeedback.MsgConfirm, "")
}

// Reject plays the user rejecting the merchant's handling: allowed only
// when the complaint is handled. It pushes "reject" carrying the
// complaint's reason.
func (s *Server) Reject(ctx context.Context, feedbackID string) error {
	return s.userAct(ctx, feedbackID, payfeedback.MsgReject, "")
}

// RejectWithReason is Reject with the user's reason for rejecting, carried
// in the notification's Reason.
func (s *Server) RejectWithReason(ctx context.Context, feedbackID, reason string) error {
	return s.userAct(ctx, feedbackID, payfeedback.MsgReject, reason)
}

func (s *Server) userAct(ctx context.Context, id string, t payfeedback.MsgType, reason string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	s.mu.Lock()
	c, ok := s.complaints[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("mockwechat: complaint %s: %w", clip(id, 64), ErrNotFound)
	}
	now := s.sched.now()
	if c.Arbitration != nil {
		s.mu.Unlock()
		return fmt.Errorf("mockwechat: complaint %s is in arbitration (%s): the user can no longer %s it: %w", id, c.Arbitration.State, t, ErrState)
	}
	switch t {
	case payfeedback.MsgConfirm:
		if c.State == StateConfirmed {
			s.mu.Unlock()
			return fmt.Errorf("mockwechat: complaint %s is already confirmed: %w", id, ErrState)
		}
		c.State = StateConfirmed
		c.ClosedAt = now
		if o := s.orders[c.TransID]; o != nil && o.open == id {
			o.open = ""
		}
		if c.deadlineEv != nil {
			s.sched.cancel(c.deadlineEv)
			c.deadlineEv = nil
		}
	case payfeedback.MsgReject:
		if c.State != StateHandled {
			s.mu.Unlock()
			return fmt.Errorf("mockwechat: complaint %s is %s: the user can reject only a handled complaint (the merchant calls /payfeedback/update first): %w", id, c.State, ErrState)
		}
		c.State = StateRejected
		c.RejectedAt = now
		c.RejectReason = reason
		if c.deadlineEv == nil && !c.Overdue && now.Before(c.Deadline) {
			c.deadlineEv = s.sched.at(c.Deadline, func() { s.onDeadline(id) })
		}
	}
	s.userLocked(c.AppID, c.OpenID).LastInteraction = now
	n := s.notificationLocked(c, t)
	s.mu.Unlock()
	s.pushes.send(n)
	s.changes.notify()
	return nil
}

// RequestArbitration plays the user asking WeChat to arbitrate: allowed
// when the complaint is overdue or rejected, and not confirmed. The
// arbitration starts in state 0 (awaiting merchant evidence) and moves to
// state 1 when Options.EvidenceWindow passes without evidence.
func (s *Server) RequestArbitration(ctx context.Context, feedbackID string) error {
	return s.arbitrationAct(ctx, feedbackID, func(c *complaintState, now time.Time) error {
		if c.Arbitration != nil {
			return fmt.Errorf("mockwechat: complaint %s is already in arbitration: %w", c.FeedBackID, ErrState)
		}
		if c.State == StateConfirmed || !(c.Overdue || c.State == StateRejected) {
			return fmt.Errorf("mockwechat: complaint %s is %s and not overdue: arbitration needs a rejected or overdue complaint: %w", c.FeedBackID, c.State, ErrState)
		}
		c.Arbitration = &Arbitration{State: ArbitrationAwaitingEvidence, RequestedAt: now,
			EvidenceDeadline: now.Add(s.set.EvidenceWindow)}
		if c.deadlineEv != nil {
			s.sched.cancel(c.deadlineEv)
			c.deadlineEv = nil
		}
		id := c.FeedBackID
		c.evidenceEv = s.sched.at(c.Arbitration.EvidenceDeadline, func() { s.onEvidenceDeadline(id) })
		return nil
	})
}

// SubmitEvidence plays the merchant submitting arbitration evidence in the
// MP console (a note and at most 5 pictures): allowed in state 0; moves the
// arbitration to state 2.
func (s *Server) SubmitEvidence(ctx context.Context, feedbackID, note string, picURLs []string) error {
	if len(picURLs) > payfeedback.MaxPictures {
		return fmt.Errorf("mockwechat: %d evidence pictures: at most %d", len(picURLs), payfeedback.MaxPictures)
	}
	return s.arbitrationAct(ctx, feedbackID, func(c *complaintState, now time.Time) error {
		if c.Arbitration == nil || c.Arbitration.State != ArbitrationAwaitingEvidence {
			return fmt.Errorf("mockwechat: complaint %s is not awaiting arbitration evidence: %w", c.FeedBackID, ErrState)
		}
		a := c.Arbitration
		a.State, a.Note, a.PicURLs, a.EvidenceAt = ArbitrationUnderReview, note, append([]string(nil), picURLs...), now
		if c.evidenceEv != nil {
			s.sched.cancel(c.evidenceEv)
			c.evidenceEv = nil
		}
		return nil
	})
}

// Arbitrate plays WeChat deciding an arbitration (state 1 or 2): for the
// user (state 3) or for the merchant (state 4). It closes the complaint.
func (s *Server) Arbitrate(ctx context.Context, feedbackID string, forUser bool) error {
	return s.arbitrationAct(ctx, feedbackID, func(c *complaintState, now time.Time) error {
		if c.Arbitration == nil || (c.Arbitration.State != ArbitrationEvidenceMissed && c.Arbitration.State != ArbitrationUnderReview) {
			return fmt.Errorf("mockwechat: complaint %s has no arbitration awaiting a decision: %w", c.FeedBackID, ErrState)
		}
		c.Arbitration.State = ArbitrationDecidedForMerchant
		if forUser {
			c.Arbitration.State = ArbitrationDecidedForUser
		}
		c.Arbitration.DecidedAt = now
		c.ClosedAt = now
		if o := s.orders[c.TransID]; o != nil && o.open == c.FeedBackID {
			o.open = ""
		}
		return nil
	})
}

func (s *Server) arbitrationAct(ctx context.Context, id string, f func(c *complaintState, now time.Time) error) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	c, ok := s.complaints[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("mockwechat: complaint %s: %w", clip(id, 64), ErrNotFound)
	}
	err := f(c, s.sched.now())
	s.mu.Unlock()
	if err == nil {
		s.changes.notify()
	}
	return err
}

func (s *Server) onEvidenceDeadline(id string) {
	if s.closed.Load() {
		return
	}
	s.mu.Lock()
	if c, ok := s.complaints[id]; ok {
		c.evidenceEv = nil
		if c.Arbitration != nil && c.Arbitration.State == ArbitrationAwaitingEvidence {
			c.Arbitration.State = ArbitrationEvidenceMissed
		}
	}
	s.mu.Unlock()
	s.changes.notify()
}

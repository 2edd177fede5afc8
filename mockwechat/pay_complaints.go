package mockwechat

import (
	"context"
	"errors"
	"fmt"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// The Complaints 2.0 complaints through the Go API: filing, the user's
// and the platform's acts, triggers, probes, resends (pay.go sets
// Complaints 2.0 up).

// FilePayComplaint files a Complaints 2.0 complaint as a user would: it is
// PENDING, and a COMPLAINT.CREATE callback announces it to the merchant.
func (s *Server) FilePayComplaint(ctx context.Context, spec PayComplaintSpec) (PayComplaint, error) {
	c, err := s.filePay(ctx, payComplaintSpecToWorld(spec))
	return payComplaintFromWorld(c), err
}

func (s *Server) filePay(ctx context.Context, spec payworld.FileSpec) (payworld.Complaint, error) {
	if err := ctxErr(ctx); err != nil {
		return payworld.Complaint{}, err
	}
	p, err := s.payOn()
	if err != nil {
		return payworld.Complaint{}, err
	}
	c, fx, err := p.world.File(spec)
	if err != nil {
		return payworld.Complaint{}, err
	}
	s.applyPay(fx)
	return c, nil
}

// PayComplaint returns a Complaints 2.0 complaint by id.
func (s *Server) PayComplaint(id string) (PayComplaint, bool) {
	p, err := s.payOn()
	if err != nil {
		return PayComplaint{}, false
	}
	c, ok := p.world.Complaint(id)
	return payComplaintFromWorld(c), ok
}

// PayComplaints returns every Complaints 2.0 complaint, in filing order.
func (s *Server) PayComplaints() []PayComplaint {
	p, err := s.payOn()
	if err != nil {
		return nil
	}
	cs, _ := p.world.Complaints("", 0, nil)
	return convertAll(cs, payComplaintFromWorld)
}

// runPayAct plays act on the world; false for an unknown act.
func runPayAct(w *payworld.World, id string, act PayAct, in PayActInput) (payworld.Complaint, payworld.Effects, bool, error) {
	var c payworld.Complaint
	var fx payworld.Effects
	var err error
	switch act {
	case PayActContinue:
		c, fx, err = w.Continue(id, in.Text)
	case PayActMessage:
		c, fx, err = w.UserMessage(id, in.Text)
	case PayActApplyPlatform:
		c, fx, err = w.ApplyPlatformService(id, in.Reason, in.Text)
	case PayActCancelPlatform:
		c, fx, err = w.CancelPlatformService(id)
	case PayActPlatformMessage:
		c, fx, err = w.PlatformMessage(id, in.Text)
	case PayActPlatformFinish:
		c, fx, err = w.FinishPlatformService(id, in.Text)
	case PayActRefundArrived:
		c, fx, err = w.RefundArrived(id)
	case PayActSellerRefund:
		c, fx, err = w.SellerRefund(id)
	default:
		return c, fx, false, nil
	}
	return c, fx, true, err
}

// PayActs returns the names of the acts PayAct takes.
func PayActs() []PayAct {
	return []PayAct{PayActContinue, PayActMessage, PayActApplyPlatform, PayActCancelPlatform, PayActPlatformMessage,
		PayActPlatformFinish, PayActRefundArrived, PayActSellerRefund}
}

// PayAct plays an act of the user or of WeChat's platform on a Complaints
// 2.0 complaint (see PayAct's constants) and returns the complaint after
// it; a callback of the act's action_type announces it to the merchant.
// An act the complaint's state does not allow is refused, saying why.
func (s *Server) PayAct(ctx context.Context, complaintID string, act PayAct, in PayActInput) (PayComplaint, error) {
	c, err := s.payAct(ctx, complaintID, act, in)
	return payComplaintFromWorld(c), err
}

func (s *Server) payAct(ctx context.Context, id string, act PayAct, in PayActInput) (payworld.Complaint, error) {
	if err := ctxErr(ctx); err != nil {
		return payworld.Complaint{}, err
	}
	p, err := s.payOn()
	if err != nil {
		return payworld.Complaint{}, err
	}
	c, fx, ok, err := runPayAct(p.world, id, act, in)
	if !ok {
		return payworld.Complaint{}, fmt.Errorf("mockwechat: no act %q: want one of %v", text.Clip(string(act), 32), PayActs())
	}
	if err != nil {
		return payworld.Complaint{}, err
	}
	s.applyPay(fx)
	return c, nil
}

// payTrigger plays a trigger (POST /_mock/pay/trigger): with act, the act
// happens and its callback announces action (when not "") and goes out
// under plan on its first attempt; without act, a callback of action alone
// for the complaint, the world unchanged. It returns the notification id,
// the action type announced, and the complaint (after the act).
func (s *Server) payTrigger(ctx context.Context, id string, act PayAct, in PayActInput, action complaints.ActionType, plan paypush.Plan) (string, complaints.ActionType, payworld.Complaint, error) {
	if err := ctxErr(ctx); err != nil {
		return "", "", payworld.Complaint{}, err
	}
	p, err := s.payOn()
	if err != nil {
		return "", "", payworld.Complaint{}, err
	}
	c, ok := p.world.Complaint(id)
	if !ok {
		return "", "", payworld.Complaint{}, fmt.Errorf("mockwechat: no Complaints 2.0 complaint %s (GET /_mock/pay/complaints lists them): %w", text.Clip(id, 64), payworld.ErrNotFound)
	}
	var cb payworld.Callback
	if act == "" {
		if action == "" {
			return "", "", payworld.Complaint{}, fmt.Errorf("mockwechat: a trigger without act sends a callback alone: give its action_type (USER_RESPONSE, or any string, for schema drift): %w", admin.ErrBadTrigger)
		}
		event := complaints.EventStateChange
		if action == complaints.ActionCreateComplaint {
			event = complaints.EventCreate
		}
		cb = payworld.Callback{MchID: c.Wire.ComplaintedMchID, ComplaintID: id, EventType: event, ActionType: action}
	} else {
		var fx payworld.Effects
		c, fx, ok, err = runPayAct(p.world, id, act, in)
		if !ok {
			return "", "", payworld.Complaint{}, fmt.Errorf("mockwechat: no act %q: want one of %v: %w", text.Clip(string(act), 32), PayActs(), admin.ErrBadTrigger)
		}
		if err != nil {
			return "", "", payworld.Complaint{}, err
		}
		if len(fx.Callbacks) != 1 { // every act announces itself once
			return "", "", payworld.Complaint{}, fmt.Errorf("mockwechat: act %s made %d callbacks, want 1", act, len(fx.Callbacks))
		}
		cb, fx.Callbacks = fx.Callbacks[0], nil
		s.applyPay(fx)
		if action != "" {
			cb.ActionType = action
		}
	}
	return p.callbacks.SendPlan(cb, plan), cb.ActionType, c, nil
}

// PayProbe sends a SIGNTEST probe to the merchant's callback URL now
// (mchid "": the demo merchant), a callback signed so that a verifying
// merchant must refuse it; the delivery log judges the answer. It returns
// the probe's notification id.
func (s *Server) PayProbe(mchid string) (string, error) {
	p, err := s.payOn()
	if err != nil {
		return "", err
	}
	if mchid == "" {
		mchid = p.id.Merchant().MchID
	}
	if _, ok := p.world.Merchant(mchid); !ok {
		return "", fmt.Errorf("mockwechat: no merchant %s: %w", text.Clip(mchid, 32), payworld.ErrNotFound)
	}
	return p.callbacks.Probe(mchid), nil
}

// PayResend sends a past Complaints 2.0 notification again: the same id
// and plaintext, newly signed and encrypted.
func (s *Server) PayResend(id string) (string, error) {
	p, err := s.payOn()
	if err != nil {
		return "", err
	}
	out, err := p.callbacks.Resend(id)
	if errors.Is(err, paypush.ErrUnknown) {
		return "", fmt.Errorf("mockwechat: notification %s: %w: %w", text.Clip(id, 64), err, payworld.ErrNotFound)
	}
	return out, err
}

// WaitPayIdle waits until no Complaints 2.0 callback is queued or being
// attempted (retries scheduled later do not count), or ctx ends.
func (s *Server) WaitPayIdle(ctx context.Context) error {
	p, err := s.payOn()
	if err != nil {
		return err
	}
	ctx, cancel, bounded := s.waitCtx(ctx)
	defer cancel()
	_, err = events.Wait(ctx, s.feed, func() (struct{}, bool, error) { return struct{}{}, p.callbacks.Idle(), nil })
	return s.waitError(ctx, bounded, err, "the Complaints 2.0 callbacks to settle (WaitPayIdle)", s.seenBusy)
}

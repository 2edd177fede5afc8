package payworld

import (
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// The acts of the user and of WeChat's platform. Each takes the world's
// lock with defer, changes the complaint, adds its history entry, and
// returns a deep copy of the complaint with its effects: the callback
// WeChat announces it with, and the change. A refusal wraps ErrNotFound or
// ErrState.

// userAct runs an act on complaint id: f checks and changes the complaint
// and returns the history entry to add (its log_id and time are filled
// here). The callback announces action.
func (w *World) userAct(id string, action complaints.ActionType, f func(r *record, now time.Time) (complaints.NegotiationHistory, error)) (Complaint, Effects, error) {
	if err := w.lock(); err != nil {
		return Complaint{}, Effects{}, err
	}
	defer w.mu.Unlock()
	r, ok := w.complaints[id]
	if !ok {
		return Complaint{}, Effects{}, fmt.Errorf("payworld: complaint %s: %w", clip(id, 64), ErrNotFound)
	}
	now := w.clock()
	h, err := f(r, now)
	if err != nil {
		return Complaint{}, Effects{}, err
	}
	h.LogID, h.OperateTime = w.newLogID(now), now
	r.History = append(r.History, h)
	mchid := r.Wire.ComplaintedMchID
	if action == complaints.ActionUserApplyPlatformService && w.rules.MisspelledApplyPlatformService {
		action = complaints.ActionUserApplyPlatformSerivce
	}
	event := complaints.EventStateChange
	if action == complaints.ActionCreateComplaint {
		event = complaints.EventCreate
	}
	return r.Complaint.Clone(), Effects{
		Callbacks: []Callback{{MchID: mchid, ComplaintID: id, EventType: event, ActionType: action}},
		Changes:   []Change{{What: ComplaintChanged, MchID: mchid, ComplaintID: id, State: r.Wire.ComplaintState, Operate: h.OperateType}},
	}, nil
}

// stateError refuses an act in the complaint's state.
func stateError(r *record, what, want string) error {
	return fmt.Errorf("payworld: complaint %s is %s: %s %s: %w", r.Wire.ComplaintID, r.Wire.ComplaintState, what, want, ErrState)
}

// Continue plays the user complaining again after the merchant's handling
// (继续投诉): allowed on a PROCESSED complaint; user_complaint_times goes up
// by one, the complaint reopens (PENDING, or as Rules.ReopenTo says), a
// refund decision may be made again, and the user's text awaits an answer.
// Announced as CONTINUE_COMPLAINT.
func (w *World) Continue(id, text string) (Complaint, Effects, error) {
	if text == "" {
		text = "问题仍未解决，继续投诉"
	}
	return w.userAct(id, complaints.ActionContinueComplaint, func(r *record, _ time.Time) (complaints.NegotiationHistory, error) {
		if r.Wire.ComplaintState != complaints.StateProcessed {
			return complaints.NegotiationHistory{}, stateError(r, "the user continues", "only a processed complaint")
		}
		r.Wire.UserComplaintTimes++
		r.Wire.ComplaintState = complaints.StatePending
		if w.rules.ReopenTo == ReopenProcessing {
			r.Wire.ComplaintState = complaints.StateProcessing
		}
		r.Wire.IncomingUserResponse = true
		if r.Refund != nil && r.Refund.ArrivedAt.IsZero() {
			r.Refund = nil // undecided again: the merchant decides anew
		}
		return complaints.NegotiationHistory{Operator: OperatorUser, OperateType: complaints.OperateUserContinueComplaint, OperateDetails: text}, nil
	})
}

// UserMessage plays the user leaving a message (用户留言) on a PENDING or
// PROCESSING complaint: incoming_user_response becomes true until the
// merchant replies. Announced as USER_RESPONSE.
func (w *World) UserMessage(id, text string) (Complaint, Effects, error) {
	if text == "" {
		return Complaint{}, Effects{}, fmt.Errorf("payworld: the user's message is empty")
	}
	return w.userAct(id, complaints.ActionUserResponse, func(r *record, _ time.Time) (complaints.NegotiationHistory, error) {
		if r.Wire.ComplaintState == complaints.StateProcessed {
			return complaints.NegotiationHistory{}, stateError(r, "the user writes", "on a pending or processing complaint (continue it first)")
		}
		r.Wire.IncomingUserResponse = true
		return complaints.NegotiationHistory{Operator: OperatorUser, OperateType: complaints.OperateUserResponse, OperateDetails: text}, nil
	})
}

// ApplyPlatformService plays the user asking WeChat's platform to step in
// (申请平台协助), with a reason and the user's words: allowed on a PENDING or
// PROCESSING complaint not already in the platform's hands;
// in_platform_service becomes true. Announced as
// USER_APPLY_PLATFORM_SERVICE, or with Rules.MisspelledApplyPlatformService
// as USER_APPLY_PLATFORM_SERIVCE.
func (w *World) ApplyPlatformService(id, reason, description string) (Complaint, Effects, error) {
	if reason == "" {
		reason = "商家未解决问题"
	}
	return w.userAct(id, complaints.ActionUserApplyPlatformService, func(r *record, _ time.Time) (complaints.NegotiationHistory, error) {
		switch {
		case r.Wire.ComplaintState == complaints.StateProcessed:
			return complaints.NegotiationHistory{}, stateError(r, "the user asks the platform", "on a pending or processing complaint")
		case r.Wire.InPlatformService:
			return complaints.NegotiationHistory{}, fmt.Errorf("payworld: complaint %s is in the platform's hands already: %w", r.Wire.ComplaintID, ErrState)
		}
		r.Wire.InPlatformService = true
		return complaints.NegotiationHistory{Operator: OperatorUser, OperateType: complaints.OperateUserApplyPlatformService,
			UserAppyPlatformServiceReason: reason, UserAppyPlatformServiceReasonDescription: description}, nil
	})
}

// CancelPlatformService plays the user withdrawing the request for the
// platform's help: allowed while in_platform_service, which becomes false.
// Announced as USER_CANCEL_PLATFORM_SERVICE.
func (w *World) CancelPlatformService(id string) (Complaint, Effects, error) {
	return w.userAct(id, complaints.ActionUserCancelPlatformService, func(r *record, _ time.Time) (complaints.NegotiationHistory, error) {
		if !r.Wire.InPlatformService {
			return complaints.NegotiationHistory{}, fmt.Errorf("payworld: complaint %s is not in the platform's hands: %w", r.Wire.ComplaintID, ErrState)
		}
		r.Wire.InPlatformService = false
		return complaints.NegotiationHistory{Operator: OperatorUser, OperateType: complaints.OperateUserCancelPlatformService}, nil
	})
}

// PlatformMessage plays WeChat's support leaving a message (平台留言) on a
// complaint, in any state. Announced as RESPONSE_BY_PLATFORM.
func (w *World) PlatformMessage(id, text string) (Complaint, Effects, error) {
	if text == "" {
		return Complaint{}, Effects{}, fmt.Errorf("payworld: the platform's message is empty")
	}
	return w.userAct(id, complaints.ActionResponseByPlatform, func(r *record, _ time.Time) (complaints.NegotiationHistory, error) {
		return complaints.NegotiationHistory{Operator: OperatorPlatform, OperateType: complaints.OperatePlatformResponse, OperateDetails: text}, nil
	})
}

// FinishPlatformService plays WeChat's support ending its help, with its
// conclusion: allowed while in_platform_service, which becomes false; the
// state does not change (the merchant still completes). Announced as
// PLATFORM_SERVICE_FINISHED.
func (w *World) FinishPlatformService(id, text string) (Complaint, Effects, error) {
	return w.userAct(id, complaints.ActionPlatformServiceFinished, func(r *record, _ time.Time) (complaints.NegotiationHistory, error) {
		if !r.Wire.InPlatformService {
			return complaints.NegotiationHistory{}, fmt.Errorf("payworld: complaint %s is not in the platform's hands: %w", r.Wire.ComplaintID, ErrState)
		}
		r.Wire.InPlatformService = false
		return complaints.NegotiationHistory{Operator: OperatorPlatform, OperateType: complaints.OperatePlatformServiceFinished, OperateDetails: text}, nil
	})
}

// RefundArrived plays the refund the merchant approved reaching the user:
// allowed after an APPROVE decision, once; the complaint becomes PROCESSED,
// and complaint_full_refunded true when the refund covers the orders.
// Announced as REFUND_SUCCESS.
func (w *World) RefundArrived(id string) (Complaint, Effects, error) {
	return w.userAct(id, complaints.ActionRefundSuccess, func(r *record, now time.Time) (complaints.NegotiationHistory, error) {
		switch {
		case r.Refund == nil || r.Refund.Action != complaints.RefundApprove:
			return complaints.NegotiationHistory{}, fmt.Errorf("payworld: complaint %s has no approved refund: the merchant approves it first (update-refund-progress APPROVE): %w", r.Wire.ComplaintID, ErrState)
		case !r.Refund.ArrivedAt.IsZero():
			return complaints.NegotiationHistory{}, fmt.Errorf("payworld: complaint %s: its refund arrived already: %w", r.Wire.ComplaintID, ErrState)
		}
		r.Refund.ArrivedAt = now
		r.Wire.ComplaintState = complaints.StateProcessed
		var total int64
		for _, o := range r.Wire.ComplaintOrderInfo {
			total += o.Amount
		}
		if r.Wire.ApplyRefundAmount >= total {
			r.Wire.ComplaintFullRefunded = true
		}
		return complaints.NegotiationHistory{Operator: OperatorSystem, OperateType: complaints.OperateComplaintRefundReceivedSystemMessage,
			OperateDetails: "退款已到账"}, nil
	})
}

// SellerRefund plays the merchant refunding the orders in full through the
// refund API (商户发起全额退款), which the fake does not serve:
// complaint_full_refunded becomes true; the state does not change. Allowed
// once. Announced as SELLER_REFUND.
func (w *World) SellerRefund(id string) (Complaint, Effects, error) {
	return w.userAct(id, complaints.ActionSellerRefund, func(r *record, _ time.Time) (complaints.NegotiationHistory, error) {
		if r.Wire.ComplaintFullRefunded {
			return complaints.NegotiationHistory{}, fmt.Errorf("payworld: complaint %s is refunded in full already: %w", r.Wire.ComplaintID, ErrState)
		}
		r.Wire.ComplaintFullRefunded = true
		return complaints.NegotiationHistory{Operator: OperatorSystem, OperateType: complaints.OperateComplaintFullRefundedSystemMessage,
			OperateDetails: "商户已全额退款"}, nil
	})
}

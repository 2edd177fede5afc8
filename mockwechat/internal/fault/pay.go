package fault

import (
	"errors"
	"fmt"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
)

// PayCallback reports whether the fault is about Complaints 2.0 callbacks.
func (f Fault) PayCallback() bool { return f.Endpoint == EndpointPayCallback }

// payFields reports whether f sets a field only Complaints 2.0 callbacks
// take.
func (f Fault) payFields() bool {
	return f.MchID != "" || f.ActionType != "" || f.TamperBody || f.Stale != 0 || f.UnknownMembers || f.SendActionType != "" || f.OtherKey
}

// payPlan checks a Complaints 2.0 callback fault and returns its plan: any
// of its effects combine (paypush.Plan).
func (f Fault) payPlan() (paypush.Plan, error) {
	switch {
	case f.Count < 0:
		return paypush.Plan{}, errors.New("mockwechat: fault Count must be 0 (once) or positive")
	case f.Delay < 0 || f.Stale < 0:
		return paypush.Plan{}, errors.New("mockwechat: fault Delay and Stale must not be negative")
	case f.AppID != "" || f.MsgType != "":
		return paypush.Plan{}, errors.New("mockwechat: a Complaints 2.0 callback fault names a merchant (MchID) and an action_type (ActionType), not an AppID or a MsgType")
	case f.payAPIFields():
		return paypush.Plan{}, fmt.Errorf("mockwechat: Code and Operation are for Complaints 2.0 API faults (Endpoint %q), not callbacks", EndpointPayAPI)
	case f.ErrCode != 0 || f.HTTPStatus != 0 || f.TamperFields:
		return paypush.Plan{}, errors.New("mockwechat: Complaints 2.0 callback faults take Drop, Delay, Duplicate, OutOfOrder, TamperSignature, TamperBody, Stale, UnknownMembers, SendActionType or OtherKey, not ErrCode, HTTPStatus or TamperFields (the merchant answers callbacks)")
	case f.ActionType != "" && !validAction(f.ActionType):
		return paypush.Plan{}, fmt.Errorf("mockwechat: fault ActionType %q: want an action_type of WeChat's (CREATE_COMPLAINT, USER_RESPONSE…)", text.Clip(string(f.ActionType), 40))
	}
	p := paypush.Plan{Drop: f.Drop, Delay: f.Delay, Duplicate: f.Duplicate, OutOfOrder: f.OutOfOrder, TamperSignature: f.TamperSignature,
		TamperBody: f.TamperBody, Stale: f.Stale, UnknownMembers: f.UnknownMembers, ActionType: f.SendActionType, OtherKey: f.OtherKey}
	if p == (paypush.Plan{}) {
		return p, errors.New("mockwechat: Complaints 2.0 callback fault does nothing: set Drop, Delay, Duplicate, OutOfOrder, TamperSignature, TamperBody, Stale, UnknownMembers, SendActionType or OtherKey")
	}
	return p, nil
}

// validAction reports whether a is an action_type WeChat sends (its
// misspelling USER_APPLY_PLATFORM_SERIVCE included).
func validAction(a complaints.ActionType) bool {
	return a.Known() || a == complaints.ActionUserApplyPlatformSerivce
}

// TakePayCallback returns the plan of a Complaints 2.0 callback attempt of
// action a to merchant mchid, using up one use of the fault; false when
// none matches.
func (s *Set) TakePayCallback(mchid string, a complaints.ActionType) (paypush.Plan, bool) {
	r, ok := s.take(func(r *rule) bool {
		return r.PayCallback() && (r.MchID == "" || r.MchID == mchid) && (r.ActionType == "" || r.ActionType == a)
	})
	if !ok {
		return paypush.Plan{}, false
	}
	return r.pay, true
}

package fault

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// EndpointPush names the push machinery in faults and the admin API.
const EndpointPush = "push"

// EndpointPayCallback names the Complaints 2.0 callbacks in faults and the
// admin API.
const EndpointPayCallback = "pay-callback"

// Fault makes the fake misbehave on purpose for the next Count calls of an
// endpoint (or pushes), so a merchant can test retries, dedupe and
// verification. Faults are matched in the order they were added; each
// matching call or push attempt uses up one.
//
// On an API endpoint, set one of ErrCode (answer this errcode, HTTP 200),
// HTTPStatus (answer this status with a plain-text body, as a failing
// gateway would) or Drop (close the connection without answering); Delay
// waits that long (real time) first, and alone only slows the call down.
//
// On pushes (Endpoint EndpointPush), set one of Drop (the attempt is never
// sent and counts as failed, so the retry schedule runs), Delay (the
// attempt is sent that much later on the fake's clock) and OutOfOrder (the
// notification is held back until another notification of the account has
// been attempted, or the first retry delay); or any of Duplicate (the same
// bytes are sent twice), TamperSignature (the AppSignature is altered: a
// correct receiver refuses it and the retry carries a good one) and
// TamperFields (after the genuine attempt, a forged copy with the same
// AppSignature and TimeStamp but another FeedBackId, TransId and Reason is
// sent; its answer never counts as an acknowledgement).
//
// On the Complaints 2.0 API (Endpoint EndpointPayAPI), set one of Code
// (WeChat's error body, signed), HTTPStatus (a gateway's plain answer) or
// Drop, and Delay as on V1.5 endpoints; on Complaints 2.0 callbacks
// (Endpoint EndpointPayCallback), see the fields below.
//
// The booleans are the fault's JSON form; the fake turns a Fault into a set
// of Kinds, checks it against the rules above, and hands the push engine a
// push.Plan.
type Fault struct {
	// ID numbers the faults added to a fake, from 1; Add sets it (an ID
	// given is ignored). RemoveFault and DELETE /_mock/faults/{id} take it.
	ID uint64 `json:"id,omitempty"`
	// AppID limits the fault to one account; "" matches any.
	AppID string `json:"appid,omitempty"`
	// Endpoint is an API path (payfeedback.PathToken, …), EndpointPush,
	// or "" for any API endpoint.
	Endpoint string `json:"endpoint,omitempty"`
	// MsgType limits a push fault to one kind of notification; "" any.
	MsgType payfeedback.MsgType `json:"msgtype,omitempty"`
	// Count is how many calls or push attempts the fault affects; 0 is 1.
	Count int `json:"count,omitempty"`

	ErrCode    payfeedback.ErrorCode `json:"errcode,omitempty"`
	HTTPStatus int                   `json:"http_status,omitempty"`
	Delay      time.Duration         `json:"delay,omitempty"`
	Drop       bool                  `json:"drop,omitempty"`

	Duplicate       bool `json:"duplicate,omitempty"`
	OutOfOrder      bool `json:"out_of_order,omitempty"`
	TamperSignature bool `json:"tamper_signature,omitempty"`
	TamperFields    bool `json:"tamper_fields,omitempty"`

	// The Complaints 2.0 callbacks' (Endpoint EndpointPayCallback): MchID
	// and ActionType limit the fault to a merchant and to callbacks of an
	// action_type; TamperBody changes a byte of the ciphertext after
	// signing, Stale stamps Wechatpay-Timestamp that far in the past,
	// UnknownMembers adds members the merchant does not know,
	// SendActionType sends another action_type (schema drift), OtherKey
	// signs with a key the merchant does not know. Drop, Delay (real
	// time), Duplicate, OutOfOrder and TamperSignature apply too.
	MchID          string                `json:"mchid,omitempty"`
	ActionType     complaints.ActionType `json:"action_type,omitempty"`
	TamperBody     bool                  `json:"tamper_body,omitempty"`
	Stale          time.Duration         `json:"stale,omitempty"`
	UnknownMembers bool                  `json:"unknown_members,omitempty"`
	SendActionType complaints.ActionType `json:"send_action_type,omitempty"`
	OtherKey       bool                  `json:"other_key,omitempty"`

	// The Complaints 2.0 API's (Endpoint EndpointPayAPI): MchID and
	// Operation limit the fault to a merchant and to one endpoint
	// (complaints.EndpointResponse…); Code answers WeChat's error body
	// with that code, signed, at its status (HTTPStatus overrides it).
	// HTTPStatus alone, Drop and Delay apply as on V1.5 endpoints.
	Code      apiv3.Code          `json:"code,omitempty"`
	Operation complaints.Endpoint `json:"operation,omitempty"`
}

// Kind is one effect a fault may have; Kinds is a set of them.
type Kind uint16

// The kinds, and the sets the rules speak of.
const (
	KindErrCode Kind = 1 << iota
	KindHTTPStatus
	KindDelay
	KindDrop
	KindDuplicate
	KindOutOfOrder
	KindTamperSignature
	KindTamperFields

	// apiKinds may go on an API endpoint; at most one of apiAnswers.
	apiKinds   = KindErrCode | KindHTTPStatus | KindDelay | KindDrop
	apiAnswers = KindErrCode | KindHTTPStatus | KindDrop
	// pushKinds may go on pushes: one of pushHolds alone, or any
	// pushExtras together.
	pushKinds  = pushHolds | pushExtras
	pushHolds  = KindDrop | KindDelay | KindOutOfOrder
	pushExtras = KindDuplicate | KindTamperSignature | KindTamperFields
)

// Kinds returns the set of effects the fault asks for.
func (f Fault) Kinds() Kind {
	var k Kind
	for _, b := range []struct {
		on bool
		k  Kind
	}{{f.ErrCode != 0, KindErrCode}, {f.HTTPStatus != 0, KindHTTPStatus}, {f.Delay > 0, KindDelay},
		{f.Drop, KindDrop}, {f.Duplicate, KindDuplicate}, {f.OutOfOrder, KindOutOfOrder},
		{f.TamperSignature, KindTamperSignature}, {f.TamperFields, KindTamperFields}} {
		if b.on {
			k |= b.k
		}
	}
	return k
}

// Push reports whether the fault is about pushes.
func (f Fault) Push() bool { return f.Endpoint == EndpointPush }

// API is what a fault does to an API call: wait, then answer instead of
// the endpoint (Answer), or go on.
type API struct {
	Delay  time.Duration
	Answer Answer
	// Code is the errcode of AnswerErrCode; Status the status of
	// AnswerHTTPStatus.
	Code   payfeedback.ErrorCode
	Status int
}

// Answer is how a faulty API call is answered.
type Answer uint8

// The answers.
const (
	// Proceed: the endpoint answers (after the delay).
	Proceed Answer = iota
	// AnswerErrCode: errcode Code, HTTP 200.
	AnswerErrCode
	// AnswerHTTPStatus: HTTP Status with a plain-text body.
	AnswerHTTPStatus
	// AnswerDrop: the connection is closed without an answer.
	AnswerDrop
)

// compile checks f against the rules and returns its plans; endpoints are
// the API paths that exist.
func (f Fault) compile(endpoints []string) (API, push.Plan, error) {
	k := f.Kinds()
	switch {
	case f.Count < 0:
		return API{}, push.Plan{}, errors.New("mockwechat: fault Count must be 0 (once) or positive")
	case f.Delay < 0:
		return API{}, push.Plan{}, errors.New("mockwechat: fault Delay must not be negative")
	}
	if f.payFields() || f.payAPIFields() {
		return API{}, push.Plan{}, fmt.Errorf("mockwechat: MchID, ActionType, TamperBody, Stale, UnknownMembers, SendActionType and OtherKey apply to Complaints 2.0 callbacks only (Endpoint %q); MchID, Code and Operation to the Complaints 2.0 API (Endpoint %q)", EndpointPayCallback, EndpointPayAPI)
	}
	if f.Push() {
		p, err := f.pushPlan(k)
		return API{}, p, err
	}
	a, err := f.apiPlan(k, endpoints)
	return a, push.Plan{}, err
}

func (f Fault) pushPlan(k Kind) (push.Plan, error) {
	holds := k & pushHolds
	switch {
	case k&^pushKinds != 0:
		return push.Plan{}, errors.New("mockwechat: push faults take Drop, Delay, OutOfOrder, Duplicate, TamperSignature or TamperFields, not ErrCode or HTTPStatus")
	case f.MsgType != "" && !f.MsgType.Valid():
		return push.Plan{}, fmt.Errorf("mockwechat: fault MsgType %q: want request, confirm or reject", text.Clip(string(f.MsgType), 32))
	case k == 0:
		return push.Plan{}, errors.New("mockwechat: push fault does nothing: set Drop, Delay, OutOfOrder, Duplicate, TamperSignature or TamperFields")
	case bits.OnesCount16(uint16(holds)) > 1 || holds != 0 && k&pushExtras != 0:
		return push.Plan{}, errors.New("mockwechat: push fault: Drop, Delay and OutOfOrder each go alone (Duplicate, TamperSignature and TamperFields combine)")
	}
	var p push.Plan
	switch holds {
	case KindDrop:
		p.Hold = push.Drop
	case KindDelay:
		p.Hold, p.Delay = push.Late, f.Delay
	case KindOutOfOrder:
		p.Hold = push.OutOfOrder
	}
	for _, x := range []struct {
		k Kind
		e push.Extras
	}{{KindDuplicate, push.Duplicate}, {KindTamperSignature, push.TamperSignature}, {KindTamperFields, push.TamperFields}} {
		if k&x.k != 0 {
			p.Extras |= x.e
		}
	}
	return p, p.Valid()
}

func (f Fault) apiPlan(k Kind, endpoints []string) (API, error) {
	switch {
	case f.Endpoint != "" && !slices.Contains(endpoints, f.Endpoint):
		return API{}, fmt.Errorf("mockwechat: fault endpoint %q: want an API path (%s), %q, %q, %q or \"\"",
			text.Clip(f.Endpoint, 64), strings.Join(endpoints, ", "), EndpointPush, EndpointPayCallback, EndpointPayAPI)
	case k&^apiKinds != 0 || f.MsgType != "":
		return API{}, errors.New("mockwechat: MsgType, Duplicate, OutOfOrder, TamperSignature and TamperFields apply to pushes only (Endpoint \"push\")")
	case f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 599):
		return API{}, fmt.Errorf("mockwechat: fault HTTPStatus %d: want 400 to 599", f.HTTPStatus)
	case bits.OnesCount16(uint16(k&apiAnswers)) > 1:
		return API{}, errors.New("mockwechat: fault: set one of ErrCode, HTTPStatus and Drop")
	case k == 0:
		return API{}, errors.New("mockwechat: fault does nothing: set ErrCode, HTTPStatus, Drop or Delay")
	}
	a := API{Delay: f.Delay, Code: f.ErrCode, Status: f.HTTPStatus}
	switch k & apiAnswers {
	case KindErrCode:
		a.Answer = AnswerErrCode
	case KindHTTPStatus:
		a.Answer = AnswerHTTPStatus
	case KindDrop:
		a.Answer = AnswerDrop
	}
	return a, nil
}

// Wait waits a fault's delay d on the real clock, or until ctx (the
// call's) ends: a client that gives up is not kept waiting for.
func Wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// String names the plan in the call log: "delay 1ms", "errcode 45009",
// "http 503", "drop", "delay 1s+drop".
func (a API) String() string {
	var parts []string
	if a.Delay > 0 {
		parts = append(parts, "delay "+a.Delay.String())
	}
	switch a.Answer {
	case AnswerErrCode:
		parts = append(parts, fmt.Sprintf("errcode %d", a.Code))
	case AnswerHTTPStatus:
		parts = append(parts, fmt.Sprintf("http %d", a.Status))
	case AnswerDrop:
		parts = append(parts, "drop")
	}
	return strings.Join(parts, "+")
}

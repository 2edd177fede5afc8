package mockwechat

import (
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// EndpointPush names the push machinery in faults and the admin API.
const EndpointPush = "push"

// EndpointPayCallback names the Complaints 2.0 callbacks in faults and the
// admin API.
const EndpointPayCallback = "pay-callback"

// EndpointPayAPI names the Complaints 2.0 API (every /v3/ call) in faults
// and the admin API.
const EndpointPayAPI = "pay-api"

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
// (WeChat's error body with that code, signed, at the status WeChat
// answers it with: SYSTEM_ERROR 500, FREQUENCY_LIMITED 429…; HTTPStatus
// overrides the status), HTTPStatus alone (a plain-text answer, unsigned,
// as a failing gateway gives) or Drop, and Delay as above; MchID and
// Operation narrow it to a merchant and an endpoint. A merchant tests its
// retries this way (complaints.RetryPolicy).
//
// AddFault refuses a fault that breaks these rules, saying why.
type Fault struct {
	// ID numbers the faults added to a fake, from 1; AddFault sets it (an
	// ID given is ignored). RemoveFault and DELETE /_mock/faults/{id}
	// take it.
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
	// SendActionType sends another action_type (schema drift: an unknown
	// one, or USER_APPLY_PLATFORM_SERIVCE), OtherKey signs with a key the
	// merchant does not know. Drop, Delay (real time), Duplicate,
	// OutOfOrder and TamperSignature apply too, and combine.
	MchID          string                `json:"mchid,omitempty"`
	ActionType     complaints.ActionType `json:"action_type,omitempty"`
	TamperBody     bool                  `json:"tamper_body,omitempty"`
	Stale          time.Duration         `json:"stale,omitempty"`
	UnknownMembers bool                  `json:"unknown_members,omitempty"`
	SendActionType complaints.ActionType `json:"send_action_type,omitempty"`
	OtherKey       bool                  `json:"other_key,omitempty"`

	// The Complaints 2.0 API's (Endpoint EndpointPayAPI): Code is the
	// APIv3 error code to answer; Operation limits the fault to one
	// endpoint (complaints.EndpointResponse…; "" any). MchID (above)
	// limits it to a merchant.
	Code      apiv3.Code          `json:"code,omitempty"`
	Operation complaints.Endpoint `json:"operation,omitempty"`
}

package payworld

import (
	"errors"
	"net/http"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/internal/text"
)

// Rules are the fake's choices where WeChat's documentation is silent, each
// one switch (docs/complaints-v3.md, "The fake's decisions", gives the
// reasons). The zero Rules are the defaults; SetRules changes them while the
// world runs.
type Rules struct {
	// AllowReplyWhenProcessed lets the merchant reply (response,
	// response-immediate-service) to a PROCESSED complaint, which stays
	// PROCESSED. Default: refused, 400 INVALID_REQUEST.
	AllowReplyWhenProcessed bool `json:"allow_reply_when_processed,omitempty"`
	// AllowCompleteFromPending lets /complete close a PENDING complaint
	// (PENDING → PROCESSED) the merchant never replied to. Default:
	// refused, 400 INVALID_REQUEST: reply first.
	AllowCompleteFromPending bool `json:"allow_complete_from_pending,omitempty"`
	// AllowRepeatedComplete answers 204 to /complete on a PROCESSED
	// complaint, changing nothing. Default: refused, 400 INVALID_REQUEST
	// "当前单据状态不支持操作, 请检查是否重复调用".
	AllowRepeatedComplete bool `json:"allow_repeated_complete,omitempty"`
	// ReopenTo is the state CONTINUE_COMPLAINT moves a complaint to
	// ("": PENDING, the merchant must reply again).
	ReopenTo ReopenState `json:"reopen_to,omitempty"`
	// AllowRepeatedRefundDecision lets update-refund-progress decide again
	// once decided (or on a PROCESSED complaint). Default: refused, 400
	// INVALID_REQUEST "当前单据状态不支持操作, 请检查是否重复调用" (WeChat's
	// message for it).
	AllowRepeatedRefundDecision bool `json:"allow_repeated_refund_decision,omitempty"`
	// AllowRefundDecisionOnOtherProblems lets update-refund-progress
	// decide on a complaint whose problem_type is not REFUND. Default:
	// refused, 400 INVALID_REQUEST.
	AllowRefundDecisionOnOtherProblems bool `json:"allow_refund_decision_on_other_problems,omitempty"`
	// AllowImmediateWithoutNeed lets response-immediate-service answer a
	// complaint whose need_immediate_service is false. Default: refused,
	// 400 INVALID_REQUEST.
	AllowImmediateWithoutNeed bool `json:"allow_immediate_without_need,omitempty"`
	// RefuseIdempotentReplay refuses a second response-immediate-service
	// with an idempotent_id already processed (400 INVALID_REQUEST).
	// Default: it is answered 200 with the log_id of the first, and
	// changes nothing ("相同idempotent_id的请求只会被处理一次").
	RefuseIdempotentReplay bool `json:"refuse_idempotent_replay,omitempty"`
	// UnknownComplaint is the answer to a complaint id the world does not
	// have (default: 404 ORDER_NOT_EXIST).
	UnknownComplaint UnknownComplaintAnswer `json:"unknown_complaint,omitempty"`
	// MisspelledApplyPlatformService announces a user's request for the
	// platform's help as USER_APPLY_PLATFORM_SERIVCE (WeChat's 2024-09
	// changelog's spelling) instead of USER_APPLY_PLATFORM_SERVICE.
	MisspelledApplyPlatformService bool `json:"misspelled_apply_platform_service,omitempty"`
	// RefuseCreateWhenURLExists refuses POST complaint-notifications when
	// the merchant has a callback URL already (400 INVALID_REQUEST).
	// Default: the new URL replaces the old one, 200.
	RefuseCreateWhenURLExists bool `json:"refuse_create_when_url_exists,omitempty"`
}

// ReopenState is where CONTINUE_COMPLAINT moves a complaint.
type ReopenState uint8

// The states a continued complaint may reopen in.
const (
	ReopenPending    ReopenState = iota // PENDING: the merchant must reply again (the default)
	ReopenProcessing                    // PROCESSING: back to the negotiation
)

// UnknownComplaintAnswer is how the API answers a complaint id the world
// does not have.
type UnknownComplaintAnswer uint8

// The answers to an unknown complaint id.
const (
	// UnknownNotFound: 404 ORDER_NOT_EXIST, the general table's code for a
	// resource that does not exist (the default).
	UnknownNotFound UnknownComplaintAnswer = iota
	// UnknownParamError: 400 PARAM_ERROR on complaint_id.
	UnknownParamError
	// UnknownNoAuth: 403 NO_AUTH, as for another merchant's complaint
	// (WeChat may not tell the two apart).
	UnknownNoAuth
)

// The reasons a transition is refused, for errors.Is: each *Refusal wraps
// one of them.
var (
	// ErrNotFound: no such merchant, complaint, image or callback URL.
	ErrNotFound = errors.New("payworld: not found")
	// ErrNoAuth: the merchant may not see or act on this complaint.
	ErrNoAuth = errors.New("payworld: not the merchant's")
	// ErrState: not allowed in the complaint's state (or the Rules refuse
	// it).
	ErrState = errors.New("payworld: not allowed in this state")
	// ErrInvalid: a parameter is invalid.
	ErrInvalid = errors.New("payworld: invalid parameter")
)

// WeChat's messages the world answers with.
const (
	// MsgNoAuthQuery: another merchant's complaint, queried.
	MsgNoAuthQuery = "您暂无权限查询该投诉单的信息"
	// MsgNoAuthReply: another merchant's complaint, acted on.
	MsgNoAuthReply = "您暂无权限为该投诉单提交商户回复"
	// MsgWrongState: WeChat's answer to a repeated refund decision, which
	// the fake gives for every act its state refuses.
	MsgWrongState = "当前单据状态不支持操作, 请检查是否重复调用"
	// MsgNoNotifyURL: no callback URL yet.
	MsgNoNotifyURL = "查询的通知回调不存在"
	// MsgUnknownComplaint is the fake's message for an unknown complaint id
	// (WeChat's is not documented).
	MsgUnknownComplaint = "投诉单不存在"
	// MsgUnknownImage is the fake's message for an unknown media_id.
	MsgUnknownImage = "图片不存在"
	// MsgOwnImage: a merchant downloading an image it uploaded.
	MsgOwnImage = "商户回执的附图不支持下载"
)

// Refusal is a transition the world refused: why (Err, for errors.Is), what
// WeChat answers (Status, Code, Message, and for a parameter the Field and
// its Location), and, for people, what was wrong and what to do (Reason).
type Refusal struct {
	Err      error
	Status   int
	Code     apiv3.Code
	Message  string
	Field    string // a JSON pointer into the body ("/response_images/0"), or a query parameter's name
	Location string // "body", "query" or "path"
	Reason   string
}

func (r *Refusal) Error() string { return "payworld: " + r.Reason }

// Unwrap returns Err.
func (r *Refusal) Unwrap() error { return r.Err }

// Answer returns the error body WeChat answers, with its status.
func (r *Refusal) Answer() *apiv3.Error {
	e := &apiv3.Error{StatusCode: r.Status, Code: r.Code, Message: r.Message}
	if r.Field != "" || r.Location != "" {
		e.Detail = &apiv3.ErrorDetail{Field: r.Field, Location: r.Location, Issue: r.Reason}
	}
	return e
}

func noAuth(message, reason string) *Refusal {
	return &Refusal{Err: ErrNoAuth, Status: http.StatusForbidden, Code: apiv3.CodeNoAuth, Message: message, Reason: reason}
}

func wrongState(reason string) *Refusal {
	return &Refusal{Err: ErrState, Status: http.StatusBadRequest, Code: apiv3.CodeInvalidRequest, Message: MsgWrongState, Reason: reason}
}

func invalid(field, location, message, reason string) *Refusal {
	return &Refusal{Err: ErrInvalid, Status: http.StatusBadRequest, Code: apiv3.CodeParamError, Message: message,
		Field: field, Location: location, Reason: reason}
}

// unknownComplaint answers an unknown complaint id as the rules say.
func (r Rules) unknownComplaint(id string) *Refusal {
	reason := "no complaint " + clip(id, 64) + ": file one first (POST /_mock/pay/complaints), or check the id"
	switch r.UnknownComplaint {
	case UnknownParamError:
		return &Refusal{Err: ErrNotFound, Status: http.StatusBadRequest, Code: apiv3.CodeParamError, Message: MsgUnknownComplaint,
			Field: "complaint_id", Location: "path", Reason: reason}
	case UnknownNoAuth:
		return &Refusal{Err: ErrNotFound, Status: http.StatusForbidden, Code: apiv3.CodeNoAuth, Message: MsgNoAuthQuery, Reason: reason}
	}
	return &Refusal{Err: ErrNotFound, Status: http.StatusNotFound, Code: apiv3.CodeOrderNotExist, Message: MsgUnknownComplaint, Reason: reason}
}

// clip shortens a peer's text for messages, at a rune boundary, printable.
func clip(s string, n int) string { return text.Terminal(text.Clip(s, n)) }

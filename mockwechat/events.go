package mockwechat

import (
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// The event vocabulary: what Server.Subscribe delivers.

// Event is one thing that happened in the fake: a change of the world, a
// push attempt, an API call, a move of the clock or a change of the
// Complaints 2.0 world. Exactly one of Change, Push, Call, Clock and Pay
// is set, as Kind says.
type Event struct {
	// Seq numbers the events published while someone subscribes, from 1;
	// a gap in what a subscription receives means it dropped events.
	Seq uint64 `json:"seq"`
	// Time is when it happened, on the fake's clock.
	Time time.Time `json:"time"`
	Kind EventKind `json:"kind"`

	Change *Change     `json:"change,omitempty"`
	Push   *PushReport `json:"push,omitempty"`
	Call   *Call       `json:"call,omitempty"`
	Clock  *ClockMove  `json:"clock,omitempty"`
	// Pay is a change of the Complaints 2.0 world (EventPay).
	Pay *PayChange `json:"pay,omitempty"`
	// PayCallback is a Complaints 2.0 callback queued, attempted,
	// delivered or failed (EventPayCallback).
	PayCallback *PayCallbackReport `json:"pay_callback,omitempty"`
}

// EventKind says what an Event is about.
type EventKind string

// The kinds of events.
const (
	// EventComplaint: a complaint was filed or changed (Change).
	EventComplaint EventKind = "complaint"
	// EventWorld: an account, user, order, message or media changed
	// (Change).
	EventWorld EventKind = "world"
	// EventPush: a push attempt is sent, answered or held back (Push).
	EventPush EventKind = "push"
	// EventCall: an API call was answered (Call).
	EventCall EventKind = "call"
	// EventClock: the virtual clock moved (Clock).
	EventClock EventKind = "clock"
	// EventPay: a Complaints 2.0 complaint, merchant or callback URL
	// changed (Pay).
	EventPay EventKind = "pay"
	// EventPayCallback: a Complaints 2.0 callback or SIGNTEST probe was
	// queued, attempted, delivered or failed (PayCallback).
	EventPayCallback EventKind = "pay-callback"
)

// Change is one change of the world an Event tells: what happened, and to
// whom.
type Change struct {
	What       ChangeKind `json:"what"`
	AppID      string     `json:"appid,omitempty"`
	OpenID     string     `json:"openid,omitempty"`
	TransID    string     `json:"transid,omitempty"`
	FeedBackID string     `json:"feedback_id,omitempty"`
	// State is the complaint's state after the change ("filed",
	// "handled"…), for complaint changes.
	State string `json:"state,omitempty"`
}

// ChangeKind names a kind of Change.
type ChangeKind string

// The changes of complaints.
const (
	ChangeComplaintFiled       ChangeKind = "complaint-filed"
	ChangeComplaintHandled     ChangeKind = "complaint-handled" // the merchant's update (again, on a handled one)
	ChangeComplaintConfirmed   ChangeKind = "complaint-confirmed"
	ChangeComplaintRejected    ChangeKind = "complaint-rejected"
	ChangeComplaintOverdue     ChangeKind = "complaint-overdue"
	ChangeArbitrationRequested ChangeKind = "arbitration-requested"
	ChangeEvidenceSubmitted    ChangeKind = "evidence-submitted"
	ChangeEvidenceMissed       ChangeKind = "evidence-missed"
	ChangeArbitrated           ChangeKind = "arbitrated"
)

// The other changes of the world.
const (
	ChangeAccountAdded     ChangeKind = "account-added"
	ChangeAccountChanged   ChangeKind = "account-changed"
	ChangeUserInteracted   ChangeKind = "user-interacted"
	ChangeOrderAdded       ChangeKind = "order-added"
	ChangeOrderShipped     ChangeKind = "order-delivery-reported" // deliver notify, shipped or failed
	ChangeMessageDelivered ChangeKind = "message-delivered"
	ChangeMediaAdded       ChangeKind = "media-added"
	// ChangeWorldReset: the whole world went back to its start state (a
	// server's Reset); the call log and the delivery log were emptied.
	ChangeWorldReset ChangeKind = "world-reset"
)

// ClockMove is a move of the virtual clock an Event tells.
type ClockMove struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// PayChange is one change of the Complaints 2.0 world an Event tells: what
// happened, to which merchant and complaint.
type PayChange struct {
	What        PayChangeKind `json:"what"`
	MchID       string        `json:"mchid,omitempty"`
	ComplaintID string        `json:"complaint_id,omitempty"`
	// State is the complaint's state after the change.
	State complaints.ComplaintState `json:"state,omitempty"`
	// Operate is the history entry the act added.
	Operate complaints.OperateType `json:"operate_type,omitempty"`
}

// PayChangeKind names a kind of PayChange.
type PayChangeKind string

// The changes of the Complaints 2.0 world.
const (
	PayComplaintFiled   PayChangeKind = "pay-complaint-filed"
	PayComplaintChanged PayChangeKind = "pay-complaint-changed" // an act added to its history
	PayMerchantAdded    PayChangeKind = "pay-merchant-added"
	PayMerchantChanged  PayChangeKind = "pay-merchant-changed"
	PayNotifyURLChanged PayChangeKind = "pay-notify-url-changed"
	PayImageUploaded    PayChangeKind = "pay-image-uploaded"
	PayWorldRestored    PayChangeKind = "pay-world-restored"
)

// PayCallbackReport is a Complaints 2.0 callback's progress an Event
// tells: an attempt made (Attempt), or the delivery queued, held back,
// delivered or failed.
type PayCallbackReport struct {
	Delivery PayCallbackRef
	// Attempt is the attempt made (Phase "attempt"), nil otherwise.
	Attempt *PayAttempt
	// Phase is "queued", "held", "attempt", "delivered" or "failed".
	Phase string
}

// PayCallbackRef names the callback a PayCallbackReport is about.
type PayCallbackRef struct {
	// ID is the notification id (the envelope's id, kept across retries).
	ID          string
	MchID       string
	ComplaintID string
	ActionType  complaints.ActionType
	// Probe: a SIGNTEST probe, which the merchant must refuse.
	Probe bool
	// N is the attempt's number from 1, Of how many the ladder allows.
	N, Of int
}

// PayAttempt is one POST of a Complaints 2.0 callback.
type PayAttempt struct {
	Time time.Time `json:"time"`
	URL  string    `json:"url"`
	// Headers are the Wechatpay-* headers sent, and Request-ID.
	Headers map[string]string `json:"headers"`
	// Body is the envelope sent; Plaintext the resource when a fault
	// changed it.
	Body      string `json:"body"`
	Plaintext string `json:"plaintext,omitempty"`
	// Status is the HTTP status answered (0: none); Response the start of
	// the answer.
	Status   int           `json:"status"`
	Response string        `json:"response"`
	Latency  time.Duration `json:"latency_ns"`
	Err      string        `json:"error,omitempty"`
	Fault    string        `json:"fault,omitempty"`
	// Verdict is "acknowledged", "refused", "no answer" or "too slow".
	Verdict string `json:"verdict"`
	// Copy: the second of two identical requests (a duplicate fault).
	Copy bool `json:"copy,omitempty"`
	// Wrong: the merchant acknowledged what a verifying merchant refuses.
	Wrong bool `json:"wrong,omitempty"`
}

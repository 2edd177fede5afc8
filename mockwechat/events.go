package mockwechat

import "time"

// The event vocabulary: what Server.Subscribe delivers.

// Event is one thing that happened in the fake: a change of the world, a
// push attempt, an API call or a move of the clock. Exactly one of
// Change, Push, Call and Clock is set, as Kind says.
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

package events

import (
	"time"

	"github.com/payfeedback/payfeedback"
)

// Effects are what a transition of the world causes, as data: the
// notifications to push, the deadlines to schedule or forget, and what
// changed. The world returns them; a Bus carries them out.
type Effects struct {
	// Push are the notifications to deliver, in order.
	Push []payfeedback.Notification
	// Timers are deadlines to schedule; a timer of the same key replaces
	// the one scheduled before.
	Timers []Timer
	// Cancels are deadlines to forget.
	Cancels []TimerKey
	// Changes say what changed, for the feed.
	Changes []Change
}

// Merge appends other's effects to e's.
func (e *Effects) Merge(other Effects) {
	e.Push = append(e.Push, other.Push...)
	e.Timers = append(e.Timers, other.Timers...)
	e.Cancels = append(e.Cancels, other.Cancels...)
	e.Changes = append(e.Changes, other.Changes...)
}

// Empty reports whether there is nothing to do.
func (e Effects) Empty() bool {
	return len(e.Push) == 0 && len(e.Timers) == 0 && len(e.Cancels) == 0 && len(e.Changes) == 0
}

// Deadline names a deadline of the world.
type Deadline string

// The deadlines.
const (
	// DeadlineResolve: the complaint is overdue if it still waits for the
	// merchant.
	DeadlineResolve Deadline = "resolve"
	// DeadlineEvidence: the arbitration evidence is missed if not given.
	DeadlineEvidence Deadline = "evidence"
)

// TimerKey names one deadline of one complaint.
type TimerKey struct {
	Deadline   Deadline
	FeedBackID string
}

// Timer is a deadline to schedule.
type Timer struct {
	Key TimerKey
	At  time.Time
}

// Change is one change of the world: what happened, and to whom.
type Change struct {
	What       What   `json:"what"`
	AppID      string `json:"appid,omitempty"`
	OpenID     string `json:"openid,omitempty"`
	TransID    string `json:"transid,omitempty"`
	FeedBackID string `json:"feedback_id,omitempty"`
	// State is the complaint's state after the change ("filed",
	// "handled"…), for complaint changes.
	State string `json:"state,omitempty"`
}

// What names a kind of change.
type What string

// The changes of complaints.
const (
	ComplaintFiled       What = "complaint-filed"
	ComplaintHandled     What = "complaint-handled" // the merchant's update (again, on a handled one)
	ComplaintConfirmed   What = "complaint-confirmed"
	ComplaintRejected    What = "complaint-rejected"
	ComplaintOverdue     What = "complaint-overdue"
	ArbitrationRequested What = "arbitration-requested"
	EvidenceSubmitted    What = "evidence-submitted"
	EvidenceMissed       What = "evidence-missed"
	Arbitrated           What = "arbitrated"
)

// The other changes of the world.
const (
	AccountAdded     What = "account-added"
	AccountChanged   What = "account-changed"
	UserInteracted   What = "user-interacted"
	OrderAdded       What = "order-added"
	OrderShipped     What = "order-delivery-reported" // deliver notify, shipped or failed
	MessageDelivered What = "message-delivered"
	MediaAdded       What = "media-added"
	// WorldReset: the whole world went back to its start state (a
	// server's Reset); the call log and the delivery log were emptied.
	WorldReset What = "world-reset"
)

// Complaint reports whether the change is a complaint's.
func (c Change) Complaint() bool { return c.FeedBackID != "" }

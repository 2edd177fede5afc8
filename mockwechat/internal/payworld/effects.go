package payworld

import (
	"github.com/payfeedback/payfeedback/complaints"
)

// Effects are what a transition causes, as data: the callbacks WeChat sends
// for it and the changes to tell. The world returns them; the caller (the
// fake's wiring) carries them out.
type Effects struct {
	// Callbacks are the complaint callbacks to send, in order.
	Callbacks []Callback
	// Changes say what changed, for the live log and the console.
	Changes []Change
}

// Merge appends other's effects to e's.
func (e *Effects) Merge(other Effects) {
	e.Callbacks = append(e.Callbacks, other.Callbacks...)
	e.Changes = append(e.Changes, other.Changes...)
}

// Empty reports whether there is nothing to do.
func (e Effects) Empty() bool { return len(e.Callbacks) == 0 && len(e.Changes) == 0 }

// Callback is a complaint callback to send to a merchant's callback URL:
// its envelope's event_type, and the plaintext {"complaint_id",
// "action_type"} to encrypt with the merchant's APIv3 key.
type Callback struct {
	MchID       string                `json:"mchid"`
	ComplaintID string                `json:"complaint_id"`
	EventType   complaints.EventType  `json:"event_type"`
	ActionType  complaints.ActionType `json:"action_type"`
}

// Change is one change of the world: what happened, and to which merchant
// and complaint.
type Change struct {
	What        What   `json:"what"`
	MchID       string `json:"mchid,omitempty"`
	ComplaintID string `json:"complaint_id,omitempty"`
	// State is the complaint's state after the change.
	State complaints.ComplaintState `json:"state,omitempty"`
	// Operate is the history entry the act added.
	Operate complaints.OperateType `json:"operate_type,omitempty"`
}

// What names a kind of change.
type What string

// The changes.
const (
	ComplaintFiled   What = "pay-complaint-filed"
	ComplaintChanged What = "pay-complaint-changed" // an act added to its history
	MerchantAdded    What = "pay-merchant-added"
	MerchantChanged  What = "pay-merchant-changed" // its key or APIv3 key
	NotifyURLChanged What = "pay-notify-url-changed"
	ImageUploaded    What = "pay-image-uploaded"
	WorldRestored    What = "pay-world-restored"
)

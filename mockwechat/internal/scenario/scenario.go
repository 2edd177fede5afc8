package scenario

import (
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// Scenario is a world to start from and what happens in it later. Its
// JSON (and YAML) form is the scenario file. Times are absolute once
// parsed: Parse resolves offsets from Clock.Start.
type Scenario struct {
	// Clock is where the virtual clock starts.
	Clock Clock `json:"clock,omitzero"`
	// Accounts are the official accounts, with their token state when a
	// snapshot wrote them.
	Accounts []world.AccountState `json:"accounts,omitempty"`
	// Users are the accounts' users: when they last interacted, and, in a
	// snapshot, their inboxes.
	Users []world.UserState `json:"users,omitempty"`
	// Orders are the users' payments.
	Orders []world.OrderState `json:"orders,omitempty"`
	// Complaints are filed at their At, and pushed then when At is after
	// the clock's start; those at or before it are the world as it stands
	// at the start, never pushed. A complaint with a State is taken as it
	// stands (a snapshot writes them so).
	Complaints []Complaint `json:"complaints,omitempty"`
	// Actions are the user's and WeChat's later moves, each at its At.
	Actions []Action `json:"actions,omitempty"`
	// Faults are injected at the start, in order, with the admin API's
	// vocabulary.
	Faults []fault.Fault `json:"faults,omitempty"`
	// Tokens and Media are what a snapshot keeps of issued access tokens
	// and media ids.
	Tokens []world.Token `json:"tokens,omitempty"`
	Media  []world.Media `json:"media,omitempty"`
	// IDs is the state of the generator of feedback ids, transids and
	// openids (hexadecimal), so that a resumed world goes on as the saved
	// one would; a snapshot writes it.
	IDs string `json:"ids,omitempty"`
	// Pay is Complaints 2.0: its merchants, complaints, later acts and,
	// in a snapshot, images and callbacks. A file without it leaves the
	// fake's Complaints 2.0 as it starts.
	Pay *Pay `json:"pay,omitempty"`

	// src is the file Parse read, to place the errors Compile finds.
	src *source
}

// Clock says where the virtual clock starts.
type Clock struct {
	// Start is the clock's start; zero: when the fake starts. Offsets in
	// the file count from it.
	Start time.Time `json:"start,omitzero"`
}

// Complaint is a complaint of the scenario: filed at At by OpenID about
// TransID. Without a State it is filed then, as a user would (the order
// and the user are created when new); with one it is taken as it stands
// (the other fields after Pictures say where), as a snapshot writes it.
type Complaint struct {
	At         time.Time `json:"at"`
	AppID      string    `json:"appid,omitempty"`
	OpenID     string    `json:"openid,omitempty"`
	TransID    string    `json:"transid,omitempty"`
	FeedBackID string    `json:"feedback_id,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Solution   string    `json:"solution,omitempty"`
	ExtInfo    string    `json:"ext_info,omitempty"`
	Pictures   []string  `json:"pictures,omitempty"`
	// Goods and PaidAt describe the order when it is not among Orders
	// (PaidAt zero: At).
	Goods  payfeedback.GoodsKind `json:"goods,omitempty"`
	PaidAt time.Time             `json:"paid_at,omitzero"`
	// NoOrder files the complaint without an order (no TransID, no
	// PaidAt): its notifications carry no TransId, and its deadline is a
	// shipped order's of Goods. A snapshot writes such a complaint with
	// its state and shipping "no order" instead.
	NoOrder bool `json:"no_order,omitempty"`

	// State, when set, is where the complaint stands; the fields below
	// are as world.Complaint's.
	State        world.ComplaintState `json:"state,omitempty"`
	Overdue      bool                 `json:"overdue,omitempty"`
	Deadline     time.Time            `json:"deadline,omitzero"`
	Shipping     string               `json:"shipping,omitempty"`
	HandledAt    time.Time            `json:"handled_at,omitzero"`
	ClosedAt     time.Time            `json:"closed_at,omitzero"`
	RejectedAt   time.Time            `json:"rejected_at,omitzero"`
	RejectReason string               `json:"reject_reason,omitempty"`
	Updates      int                  `json:"updates,omitempty"`
	Arbitration  *world.Arbitration   `json:"arbitration,omitempty"`
}

// Do names a move of an Action.
type Do string

// The moves.
const (
	// DoHandle: the merchant's successful /payfeedback/update, played by
	// the fake (to start from a handled complaint).
	DoHandle Do = "handle"
	// DoConfirm: the user confirms the complaint resolved (pushes
	// "confirm").
	DoConfirm Do = "confirm"
	// DoReject: the user rejects the handling, with Reason (pushes
	// "reject").
	DoReject Do = "reject"
	// DoRequestArbitration: the user asks WeChat to arbitrate.
	DoRequestArbitration Do = "request_arbitration"
	// DoSubmitEvidence: the merchant submits evidence (Note, Pictures).
	DoSubmitEvidence Do = "submit_evidence"
	// DoArbitrate: WeChat decides, For the user or the merchant.
	DoArbitrate Do = "arbitrate"
)

// Action is a later move on a complaint of the scenario.
type Action struct {
	At         time.Time `json:"at"`
	FeedBackID string    `json:"feedback_id"`
	Do         Do        `json:"do"`
	// Reason is the user's reason to reject.
	Reason string `json:"reason,omitempty"`
	// Note and Pictures are the merchant's arbitration evidence.
	Note     string   `json:"note,omitempty"`
	Pictures []string `json:"pictures,omitempty"`
	// For is who an arbitration is decided for: "user" or "merchant".
	For string `json:"for,omitempty"`
}

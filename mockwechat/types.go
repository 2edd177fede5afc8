package mockwechat

import (
	"encoding/json"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// The fake's vocabulary: the world it keeps (accounts, users, orders,
// complaints, messages, media). Each type is the fake's own, with its
// fields here; the parts inside the fake keep types of their own, and
// convert.go turns one into the other at the Server's edge.

// Account is one official account of the fake world.
type Account struct {
	// AppID is the account's appid (required).
	AppID string `json:"appid"`
	// Secret is the appSecret the token API checks (required). It is never
	// recorded in the call log nor shown by the admin API.
	Secret string `json:"secret"`
	// PaySignKey signs the notifications pushed to NotifyURL and verifies
	// deliver-notify signatures (required). Never shown by the admin API.
	PaySignKey string `json:"paysignkey"`
	// NotifyURL is the account's payfeedback_url; "" means no pushes.
	NotifyURL string `json:"notify_url"`
	// NoPayPermission makes /payfeedback/update and /pay/delivernotify
	// answer 48001 (api unauthorized) for this account.
	NoPayPermission bool `json:"no_pay_permission"`
	// NoMessagePermission makes /cgi-bin/message/custom/send answer 48001
	// (api unauthorized) for this account: it lacks the customer-service
	// message permission, which an account applies for.
	NoMessagePermission bool `json:"no_message_permission"`
	// TokenCallsPerDay limits token calls for this account (45009 beyond,
	// counted per day, reset at midnight Beijing time); 0 means the
	// fake's default (Options.TokenCallsPerDay).
	TokenCallsPerDay int `json:"token_calls_per_day,omitempty"`
	// Reasons and Solutions are the merchant-defined complaint reasons and
	// solutions: at most MaxChoices each, 1 to MaxChoiceLen characters.
	Reasons   []string `json:"reasons"`
	Solutions []string `json:"solutions"`
}

// AccountPatch changes some of an account's settings; nil fields stay.
type AccountPatch struct {
	NotifyURL         *string   `json:"notify_url"`
	PayPermission     *bool     `json:"pay_permission"`
	MessagePermission *bool     `json:"message_permission"`
	Reasons           *[]string `json:"reasons"`
	Solutions         *[]string `json:"solutions"`
}

// MaxChoices is how many merchant-defined reasons, and how many solutions,
// an account may have; each is 1 to MaxChoiceLen characters.
const (
	MaxChoices   = 3
	MaxChoiceLen = 15
)

// User is a WeChat user of one account.
type User struct {
	AppID  string `json:"appid"`
	OpenID string `json:"openid"`
	// LastInteraction is when the user last interacted with the account
	// (paid, filed, confirmed or rejected a complaint, or any interaction
	// recorded); the account may send customer-service messages until
	// LastInteraction + the messaging window.
	LastInteraction time.Time `json:"last_interaction,omitzero"`
	// LastInteractionKind is how the user last interacted.
	LastInteractionKind InteractionKind `json:"last_interaction_kind,omitempty"`
}

// InteractionKind is how a user interacted with an account. Each kind is
// one of the window openers of WeChat's document: after any of them the
// account may send the user customer-service messages for the messaging
// window (docs/protocol.md, "Customer-service messages").
type InteractionKind string

// The interaction kinds.
const (
	InteractMessage   InteractionKind = "message"   // the user sent the account a message
	InteractClick     InteractionKind = "click"     // the user clicked a menu (a click event)
	InteractSubscribe InteractionKind = "subscribe" // the user followed the account
	InteractScan      InteractionKind = "scan"      // the user scanned the account's QR code
	InteractPayment   InteractionKind = "payment"   // the user paid (AddOrder, or filing about a new order)
	InteractComplaint InteractionKind = "complaint" // the user filed, confirmed or rejected a complaint
)

// InteractionKinds returns the interaction kinds, in the document's order.
func InteractionKinds() []InteractionKind {
	return []InteractionKind{InteractMessage, InteractClick, InteractSubscribe, InteractScan, InteractPayment, InteractComplaint}
}

// Interaction is a user's interaction with an account, to record with
// Server.RecordInteraction (POST /_mock/users).
type Interaction struct {
	// AppID is the account; "" means the only account when there is one.
	AppID string `json:"appid,omitempty"`
	// OpenID is the user (required); a new one is created.
	OpenID string `json:"openid"`
	// Kind is how the user interacted; "" means InteractMessage.
	Kind InteractionKind `json:"kind,omitempty"`
	// At is when, on the fake's clock; zero means now. It may be in the
	// past ("the user subscribed yesterday"), not in the future.
	At time.Time `json:"at,omitzero"`
}

// Order is a payment of a user to an account.
type Order struct {
	TransID string                `json:"transid"`
	AppID   string                `json:"appid"`
	OpenID  string                `json:"openid"`
	Goods   payfeedback.GoodsKind `json:"goods"`
	// PaidAt is when the user paid; zero in AddOrder: now.
	PaidAt time.Time `json:"paid_at,omitzero"`
	// ShippedAt is when the merchant reported shipping (deliver_status 1),
	// zero while not shipped.
	ShippedAt time.Time `json:"shipped_at,omitzero"`
	// DeliverStatus is the last deliver_status reported: "1" shipped, "0"
	// failed, "" none.
	DeliverStatus string `json:"deliver_status,omitempty"`
	// DeliverMsg is the last deliver_msg reported.
	DeliverMsg string `json:"deliver_msg,omitempty"`
	// OutTradeNo is the merchant's order number, from deliver notify.
	OutTradeNo string `json:"out_trade_no,omitempty"`
}

// Message is a customer-service message delivered to a user's inbox.
type Message struct {
	// Seq numbers the user's messages from 1.
	Seq     uint64                  `json:"seq"`
	AppID   string                  `json:"appid"`
	ToUser  string                  `json:"touser"`
	MsgType payfeedback.MessageType `json:"msgtype"`
	// Raw is the JSON body the merchant sent.
	Raw  json.RawMessage `json:"raw"`
	Time time.Time       `json:"time"`
}

// Media is an uploaded media file's record (its content is not kept).
type Media struct {
	MediaID string    `json:"media_id"`
	AppID   string    `json:"appid"`
	Type    string    `json:"type"`
	Size    int64     `json:"size"`
	Created time.Time `json:"created_at"`
}

// ComplaintSpec is what a user files. Unknown users and orders are
// created.
//
// A complaint may also be filed without an order (NoOrder): WeChat's
// document marks TransId optional, and the notifications of such a
// complaint (request, confirm, reject) carry none. Having no payment to
// count a shipping deadline from, it gets the deadline of a shipped order
// of the Goods given (3 days virtual, 15 days physical), as a complaint
// about an order still within its shipping deadline does; its Shipping
// reads ShippingNoOrder.
type ComplaintSpec struct {
	// AppID is the account; "" means the only account when there is one.
	AppID string `json:"appid,omitempty"`
	// OpenID is the user; "" is generated (or the order's, when TransID
	// names an existing order).
	OpenID string `json:"openid,omitempty"`
	// TransID is the order complained about; "" is generated (none with
	// NoOrder).
	TransID string `json:"transid,omitempty"`
	// FeedBackID is the complaint's id; "" is generated. A given one is
	// 1 to 32 decimal digits, unused (scenarios name their complaints).
	FeedBackID string   `json:"feedback_id,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Solution   string   `json:"solution,omitempty"`
	ExtInfo    string   `json:"ext_info,omitempty"`
	PicURLs    []string `json:"pic_urls,omitempty"`
	// Goods, Shipped and PaidAt describe a new order (ignored for an
	// existing one): PaidAt zero is now; Shipped means shipped at PaidAt.
	// Without an order, Goods alone sets the deadline.
	Goods   payfeedback.GoodsKind `json:"goods"`
	Shipped bool                  `json:"shipped,omitempty"`
	PaidAt  time.Time             `json:"paid_at,omitzero"`
	// NoOrder files the complaint without an order: no order is created
	// or looked up, and TransID, Shipped and PaidAt must be left unset.
	NoOrder bool `json:"no_order,omitempty"`
}

// ShippingNoOrder is the Shipping of a complaint filed without an order
// (ComplaintSpec.NoOrder).
const ShippingNoOrder = "no order"

// Complaint is a complaint and where it stands. TransID is "" for a
// complaint filed without an order.
type Complaint struct {
	FeedBackID string         `json:"feedback_id"`
	AppID      string         `json:"appid"`
	OpenID     string         `json:"openid"`
	TransID    string         `json:"transid"`
	State      ComplaintState `json:"state"`
	// Overdue is set when the Deadline passed while the complaint waited
	// for the merchant (filed, or rejected); it stays set.
	Overdue bool      `json:"overdue"`
	FiledAt time.Time `json:"filed_at"`
	// Deadline is payfeedback.ResolveBy for the order at filing time.
	Deadline time.Time `json:"deadline"`
	// Shipping is the order's shipping state at filing time
	// (payfeedback.ShippingState's text), or ShippingNoOrder.
	Shipping   string                `json:"shipping"`
	Goods      payfeedback.GoodsKind `json:"goods"`
	Reason     string                `json:"reason,omitempty"`
	Solution   string                `json:"solution,omitempty"`
	ExtInfo    string                `json:"ext_info,omitempty"`
	PicURLs    []string              `json:"pic_urls,omitempty"`
	HandledAt  time.Time             `json:"handled_at,omitzero"`
	ClosedAt   time.Time             `json:"closed_at,omitzero"`
	RejectedAt time.Time             `json:"rejected_at,omitzero"`
	// RejectReason is the reason the user gave when rejecting.
	RejectReason string `json:"reject_reason,omitempty"`
	// Updates counts the merchant's successful /payfeedback/update calls.
	Updates     int          `json:"updates"`
	Arbitration *Arbitration `json:"arbitration,omitempty"`
}

// ComplaintState is where a complaint is in the state machine of
// docs/protocol.md:
//
//	filed ──update──▶ handled ──user confirms──▶ confirmed (closed)
//	  │                  │
//	  │                  └──user rejects──▶ rejected ──update──▶ handled …
//	  └──user confirms (withdraws)──▶ confirmed
//
// Overdue and arbitration are not states but marks on a complaint (see
// Complaint.Overdue and Complaint.Arbitration). The step from filed
// straight to confirmed is the kit's choice (see docs/protocol.md).
type ComplaintState string

// The complaint states.
const (
	// StateFiled: the user complained; the merchant must handle it.
	StateFiled ComplaintState = "filed"
	// StateHandled: the merchant called /payfeedback/update; the user may
	// confirm or reject.
	StateHandled ComplaintState = "handled"
	// StateConfirmed: the user confirmed the complaint resolved (closed).
	StateConfirmed ComplaintState = "confirmed"
	// StateRejected: the user rejected the merchant's handling; the
	// merchant may handle it again, the user may ask for arbitration.
	StateRejected ComplaintState = "rejected"
)

// Arbitration is a complaint's arbitration by WeChat.
type Arbitration struct {
	State       ArbitrationState `json:"state"`
	RequestedAt time.Time        `json:"requested_at"`
	// EvidenceDeadline is RequestedAt + the evidence window.
	EvidenceDeadline time.Time `json:"evidence_deadline"`
	// Note and PicURLs are the merchant's evidence (at most 5 pictures).
	Note       string    `json:"note,omitempty"`
	PicURLs    []string  `json:"pic_urls,omitempty"`
	EvidenceAt time.Time `json:"evidence_at,omitzero"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
}

// ArbitrationState is the MP console's arbitration state, 0 to 4.
type ArbitrationState int

// The arbitration states 0–4. The console said only "3/4 arbitrated"; the
// fake reads 3 as decided for the user and 4 for the merchant.
const (
	ArbitrationAwaitingEvidence   ArbitrationState = 0 // awaiting merchant evidence
	ArbitrationEvidenceMissed     ArbitrationState = 1 // evidence deadline missed
	ArbitrationUnderReview        ArbitrationState = 2 // evidence submitted, under arbitration
	ArbitrationDecidedForUser     ArbitrationState = 3 // arbitrated for the user
	ArbitrationDecidedForMerchant ArbitrationState = 4 // arbitrated for the merchant
)

// Sentinel errors of the Go API, usable with errors.Is. The admin API maps
// them to HTTP 404, 409 and 503. They are the errors the fake's parts
// return, so an error from anywhere in the fake matches them.
var (
	// ErrNotFound: no such account, user, order or complaint.
	ErrNotFound = world.ErrNotFound
	// ErrState: the operation is not allowed in the complaint's state.
	ErrState = world.ErrState
	// ErrClosed: the server is closed.
	ErrClosed = events.ErrClosed
)

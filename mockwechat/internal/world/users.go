package world

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// User is a WeChat user of one account (openids are per account).
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
// Interact (the Server's RecordInteraction, POST /_mock/users).
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

// user is a User and what the world keeps about it (w.mu).
type user struct {
	User
	inbox      inbox
	lastPushTS int64 // TimeStamp of the last push to the user
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

// OrderState is an order and its open complaint, if any.
type OrderState struct {
	Order `yaml:",inline"`
	// OpenComplaint is the feedback id of the order's open complaint.
	OpenComplaint string `json:"open_complaint,omitempty"`
}

// Interact records a user's interaction with the account, creating the
// user when new. It opens the messaging window from in.At, unless the user
// interacted later than that already (the last interaction counts).
func (w *World) Interact(in Interaction) (User, events.Effects, error) {
	if in.OpenID == "" {
		return User{}, events.Effects{}, errors.New("mockwechat: an interaction needs an openid")
	}
	if in.Kind == "" {
		in.Kind = InteractMessage
	}
	if !slices.Contains(InteractionKinds(), in.Kind) {
		return User{}, events.Effects{}, fmt.Errorf("mockwechat: interaction kind %q: want one of %v", text.Clip(string(in.Kind), 32), InteractionKinds())
	}
	if err := w.lock(); err != nil {
		return User{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	acc, err := w.account(in.AppID)
	if err != nil {
		return User{}, events.Effects{}, err
	}
	now := w.now()
	if in.At.IsZero() {
		in.At = now
	} else if in.At.After(now) {
		return User{}, events.Effects{}, fmt.Errorf("mockwechat: interaction at %s is after the fake's clock (%s): record it when it happens",
			in.At.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	u := w.user(acc.AppID, in.OpenID)
	u.interacted(in.Kind, in.At)
	return u.User, events.Effects{Changes: []events.Change{{What: events.UserInteracted, AppID: acc.AppID, OpenID: in.OpenID}}}, nil
}

// interacted records an interaction of the user at t, unless the user
// interacted later already (w.mu held).
func (u *user) interacted(kind InteractionKind, t time.Time) {
	if !t.Before(u.LastInteraction) {
		u.LastInteraction, u.LastInteractionKind = t, kind
	}
}

// User returns a user of an account.
func (w *World) User(appID, openID string) (User, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	u, ok := w.users[userKey{appID, openID}]
	if !ok {
		return User{}, false
	}
	return u.User, true
}

// user returns the user, creating it when new (w.mu held).
func (w *World) user(appID, openID string) *user {
	k := userKey{appID, openID}
	u, ok := w.users[k]
	if !ok {
		u = &user{User: User{AppID: appID, OpenID: openID}}
		w.users[k] = u
	}
	return u
}

// AddOrder adds a paid order (TransID "" is generated, PaidAt zero is now,
// OpenID "" is generated), creating the user; paying counts as an
// interaction. It fails when the transid exists.
func (w *World) AddOrder(o Order) (Order, events.Effects, error) {
	if err := w.lock(); err != nil {
		return Order{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	st, err := w.addOrder(o)
	if err != nil {
		return Order{}, events.Effects{}, err
	}
	return st.Order, events.Effects{Changes: []events.Change{orderAdded(st.Order)}}, nil
}

func orderAdded(o Order) events.Change {
	return events.Change{What: events.OrderAdded, AppID: o.AppID, OpenID: o.OpenID, TransID: o.TransID}
}

// addOrder (w.mu held).
func (w *World) addOrder(o Order) (*OrderState, error) {
	acc, err := w.account(o.AppID)
	if err != nil {
		return nil, err
	}
	o.AppID = acc.AppID
	if o.Goods != payfeedback.GoodsVirtual && o.Goods != payfeedback.GoodsPhysical {
		return nil, fmt.Errorf("mockwechat: order goods kind %d: want virtual or physical", int(o.Goods))
	}
	now := w.now()
	if o.TransID == "" {
		o.TransID = w.newTransID()
	} else if _, ok := w.orders[o.TransID]; ok {
		return nil, fmt.Errorf("mockwechat: order %s exists", text.Clip(o.TransID, 64))
	}
	if o.OpenID == "" {
		o.OpenID = w.newOpenID()
	}
	if o.PaidAt.IsZero() {
		o.PaidAt = now
	}
	if !o.ShippedAt.IsZero() && o.DeliverStatus == "" {
		o.DeliverStatus = "1"
	}
	st := &OrderState{Order: o}
	w.orders[o.TransID] = st
	if u := w.user(o.AppID, o.OpenID); !o.PaidAt.After(now) {
		u.interacted(InteractPayment, o.PaidAt)
	}
	return st, nil
}

// Order returns an order by transid.
func (w *World) Order(transID string) (Order, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	o, ok := w.orders[transID]
	if !ok {
		return Order{}, false
	}
	return o.Order, true
}

// Inbox returns copies of the messages delivered to openID by any
// account, oldest first per account, the accounts by appid.
func (w *World) Inbox(openID string) []Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := []Message{}
	for _, a := range w.sortedAccounts() {
		if u, ok := w.users[userKey{a.AppID, openID}]; ok {
			out = append(out, u.inbox.list()...)
		}
	}
	return out
}

// InboxOf returns copies of the messages one account delivered to a user.
func (w *World) InboxOf(appID, openID string) []Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	if u, ok := w.users[userKey{appID, openID}]; ok {
		return u.inbox.list()
	}
	return []Message{}
}

// PushTimeStamp returns the TimeStamp of a new push to a user stamped at
// at, in Unix seconds, and remembers it as the user's last. Two pushes to
// one user in the same second carry the same TimeStamp, hence the same
// AppSignature (it covers only AppId, appkey, TimeStamp and OpenId), as
// WeChat's do: the fake does not move the second one on, so that a
// receiver meets the coincidence as it would in production.
func (w *World) PushTimeStamp(appID, openID string, at time.Time) int64 {
	ts := at.Unix()
	w.mu.Lock()
	defer w.mu.Unlock()
	if u, ok := w.users[userKey{appID, openID}]; ok {
		u.lastPushTS = ts
	}
	return ts
}

package mockwechat

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Sentinel errors of the Go API, usable with errors.Is. The admin API maps
// them to HTTP 404, 409 and 503.
var (
	// ErrNotFound: no such account, user, order or complaint.
	ErrNotFound = errors.New("mockwechat: not found")
	// ErrState: the operation is not allowed in the complaint's state.
	ErrState = errors.New("mockwechat: not allowed in this state")
	// ErrClosed: the server is closed.
	ErrClosed = errors.New("mockwechat: server closed")
)

// User is a WeChat user of one account (openids are per account).
type User struct {
	AppID  string `json:"appid"`
	OpenID string `json:"openid"`
	// LastInteraction is when the user last interacted with the account
	// (paid, filed, confirmed or rejected a complaint, or Interact); the
	// account may send customer-service messages until
	// LastInteraction + Options.MessageWindow.
	LastInteraction time.Time `json:"last_interaction,omitzero"`
}

type userKey struct{ appID, openID string }

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

type orderState struct {
	Order
	open string // feedback id of the order's open complaint, "" none
}

// Interact records that the user interacted with the account now (sent a
// message, clicked a menu…), creating the user when new. It opens the
// messaging window.
func (s *Server) Interact(appID, openID string) (User, error) {
	if openID == "" {
		return User{}, errors.New("mockwechat: Interact needs an openid")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, err := s.accountLocked(appID)
	if err != nil {
		return User{}, err
	}
	u := s.userLocked(acc.AppID, openID)
	u.LastInteraction = s.sched.now()
	s.changes.notify()
	return u.User, nil
}

// User returns a user of an account.
func (s *Server) User(appID, openID string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userKey{appID, openID}]
	if !ok {
		return User{}, false
	}
	return u.User, true
}

// userLocked returns the user, creating it when new.
func (s *Server) userLocked(appID, openID string) *user {
	k := userKey{appID, openID}
	u, ok := s.users[k]
	if !ok {
		u = &user{User: User{AppID: appID, OpenID: openID}}
		s.users[k] = u
	}
	return u
}

// AddOrder adds a paid order (TransID "" is generated, PaidAt zero is now,
// OpenID "" is generated), creating the user; paying counts as an
// interaction. It fails when the transid exists.
func (s *Server) AddOrder(o Order) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.addOrderLocked(o)
	if err != nil {
		return Order{}, err
	}
	s.changes.notify()
	return st.Order, nil
}

func (s *Server) addOrderLocked(o Order) (*orderState, error) {
	acc, err := s.accountLocked(o.AppID)
	if err != nil {
		return nil, err
	}
	o.AppID = acc.AppID
	if o.Goods != payfeedback.GoodsVirtual && o.Goods != payfeedback.GoodsPhysical {
		return nil, fmt.Errorf("mockwechat: order goods kind %d: want virtual or physical", int(o.Goods))
	}
	now := s.sched.now()
	if o.TransID == "" {
		o.TransID = s.newTransIDLocked()
	} else if _, ok := s.orders[o.TransID]; ok {
		return nil, fmt.Errorf("mockwechat: order %s exists", clip(o.TransID, 64))
	}
	if o.OpenID == "" {
		o.OpenID = s.newOpenIDLocked()
	}
	if o.PaidAt.IsZero() {
		o.PaidAt = now
	}
	if !o.ShippedAt.IsZero() && o.DeliverStatus == "" {
		o.DeliverStatus = "1"
	}
	st := &orderState{Order: o}
	s.orders[o.TransID] = st
	u := s.userLocked(o.AppID, o.OpenID)
	if o.PaidAt.After(u.LastInteraction) && !o.PaidAt.After(now) {
		u.LastInteraction = o.PaidAt
	}
	return st, nil
}

// Order returns an order by transid.
func (s *Server) Order(transID string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[transID]
	if !ok {
		return Order{}, false
	}
	return o.Order, true
}

// Ids: feedback ids are 19 or 20 decimal digits, often beyond int64 as
// real ones are; transaction ids 28 digits; openids "o" and 27 URL-safe
// characters. All come from the server's seeded generator (s.mu held).

func (s *Server) newFeedbackIDLocked() string {
	for {
		v := 1_000_000_000_000_000_000 + s.rng.Uint64N(^uint64(0)-1_000_000_000_000_000_000)
		id := strconv.FormatUint(v, 10)
		if _, ok := s.complaints[id]; !ok {
			return id
		}
	}
}

func (s *Server) newTransIDLocked() string {
	for {
		b := make([]byte, 0, 28)
		b = append(b, '1')
		for len(b) < 28 {
			b = append(b, byte('0'+s.rng.IntN(10)))
		}
		id := string(b)
		if _, ok := s.orders[id]; !ok {
			return id
		}
	}
}

const openIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func (s *Server) newOpenIDLocked() string {
	b := make([]byte, 28)
	b[0] = 'o'
	for i := 1; i < len(b); i++ {
		b[i] = openIDAlphabet[s.rng.IntN(len(openIDAlphabet))]
	}
	return string(b)
}

func sortBy[T any](xs []T, key func(T) string) {
	sort.Slice(xs, func(i, j int) bool { return key(xs[i]) < key(xs[j]) })
}

func checkCtx(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

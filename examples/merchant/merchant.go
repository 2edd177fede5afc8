package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// notifyPath is where the merchant receives notifications: the account's
// payfeedback_url is http://HOST:PORT/wechat/payfeedback.
const notifyPath = "/wechat/payfeedback"

// config is the merchant's account, the API it calls, its clock and its
// resolution policy.
type config struct {
	AppID, Secret, PaySignKey string
	BaseURL                   string
	// Now is the merchant's clock (nil: time.Now); AfterFunc runs deferred
	// work on it (nil: time.AfterFunc). In the suite's go test they are
	// the fake's (conformance.APIEnv); against `payfeedback check
	// --virtual-clock`, the clock the merchant follows (--follow-clock).
	Now       func() time.Time
	AfterFunc func(d time.Duration, f func())
	// AutoResolve, when set, marks each complaint handled AutoResolveAfter
	// after it arrived, on the merchant's clock: a policy for demos and
	// CI runs of the suite, never the default. Without it a complaint
	// stays "received" until the merchant's staff resolve it
	// (POST /complaints/{id}/resolve).
	AutoResolve      bool
	AutoResolveAfter time.Duration
	Logger           *slog.Logger // nil: discard
}

// The states of a complaint, as the merchant keeps it.
const (
	stateReceived  = "received"  // the user was told; the staff work on it
	stateHandled   = "handled"   // resolved, and marked handled with WeChat
	stateConfirmed = "confirmed" // the user confirmed the resolution
	stateRejected  = "rejected"  // the user rejected it: the staff work on it again
)

// complaint is what the merchant keeps of each complaint (WeChat's
// document asks merchants to store the openid and the details for later
// reference; marking it handled needs the openid).
type complaint struct {
	FeedBackID string    `json:"feedback_id"`
	OpenID     string    `json:"openid"`
	TransID    string    `json:"transid"`
	Reason     string    `json:"reason"`
	Solution   string    `json:"solution"`
	ExtInfo    string    `json:"ext_info"`
	Pictures   []string  `json:"pictures,omitempty"`
	State      string    `json:"state"`
	Received   time.Time `json:"received"`
	// Messaged is when the user was told the complaint is being handled
	// (zero: not yet).
	Messaged time.Time `json:"messaged,omitzero"`
	// Handled is when the merchant marked it handled with WeChat.
	Handled time.Time `json:"handled,omitzero"`
	Updated time.Time `json:"updated"`

	autoResolving bool // the auto-resolve policy scheduled it
}

// merchant is the endpoint: notifications in, API calls out, and the
// staff's own endpoints.
type merchant struct {
	client      *payfeedback.Client
	now         func() time.Time
	afterFunc   func(time.Duration, func())
	autoResolve bool
	resolveIn   time.Duration
	log         *slog.Logger
	mux         *http.ServeMux

	mu         sync.Mutex
	complaints map[string]*complaint // by FeedBackId
}

func newMerchant(cfg config) (*merchant, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AfterFunc == nil {
		cfg.AfterFunc = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.AutoResolveAfter < 0 {
		return nil, errors.New("merchant: a negative auto-resolve delay")
	}
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: cfg.AppID, Secret: cfg.Secret, PaySignKey: cfg.PaySignKey,
		BaseURL: cfg.BaseURL, Now: cfg.Now, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	m := &merchant{client: client, now: cfg.Now, afterFunc: cfg.AfterFunc, autoResolve: cfg.AutoResolve, resolveIn: cfg.AutoResolveAfter,
		log: cfg.Logger, mux: http.NewServeMux(), complaints: map[string]*complaint{}}
	verify := middleware.New(middleware.Config{
		Keys:   middleware.StaticKeys{cfg.AppID: cfg.PaySignKey},
		Now:    cfg.Now,
		Logger: cfg.Logger,
		// A signature reused with other fields is refused as forged (409), as
		// the suite's forged-copy cases expect; the default takes and reports it.
		SharedSignature: middleware.RefuseSharedSignature,
	})
	m.mux.Handle("POST "+notifyPath, verify(middleware.Dispatcher{
		OnRequest: m.onRequest,
		OnConfirm: m.onUserAnswer,
		OnReject:  m.onUserAnswer,
	}))
	// Anything but POST reaches the middleware too, which answers 405.
	m.mux.Handle(notifyPath, verify(http.NotFoundHandler()))
	m.mux.HandleFunc("GET /complaints", m.list)
	m.mux.HandleFunc("POST /complaints/{id}/resolve", m.resolveEndpoint)
	return m, nil
}

func (m *merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.mux.ServeHTTP(w, r) }

// onRequest keeps a new complaint and tells the user it is being handled.
// It does not mark the complaint handled: WeChat's document asks for that
// only once the complaint is really resolved with the user (the user may
// otherwise reject it and ask WeChat to arbitrate). The staff do it
// (POST /complaints/{id}/resolve), or the auto-resolve policy when it is
// on. An error answers 500, and WeChat delivers the notification again.
func (m *merchant) onRequest(ctx context.Context, n *payfeedback.Notification) error {
	c := m.record(n, stateReceived)
	if c.Messaged.IsZero() {
		msg := payfeedback.TextMessage{Content: "我们已收到您的投诉（" + n.FeedBackID + "），客服正在处理，将尽快与您联系。"}
		switch err := m.client.SendMessage(ctx, n.OpenID, msg); {
		case err == nil:
			m.update(n.FeedBackID, func(c *complaint) { c.Messaged = m.now() })
		case payfeedback.IsLimitError(err) || payfeedback.IsInvalidInput(err):
			m.log.Warn("customer message not sent", "feedback_id", n.FeedBackID, "err", err)
		default:
			return err // transient: let WeChat deliver it again
		}
	}
	if m.autoResolve && m.claimAutoResolve(n.FeedBackID) {
		id := n.FeedBackID
		m.afterFunc(m.resolveIn, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := m.resolve(ctx, id); err != nil {
				m.log.Error("auto-resolve: complaint not marked handled; a person must look at it", "feedback_id", id, "err", err)
			}
		})
	}
	return nil
}

// onUserAnswer records the user's confirmation or rejection. After a
// rejection the staff work on the complaint again, and resolve it again.
func (m *merchant) onUserAnswer(ctx context.Context, n *payfeedback.Notification) error {
	state := stateConfirmed
	if n.MsgType == payfeedback.MsgReject {
		state = stateRejected
	}
	m.record(n, state)
	return nil
}

// errUnknownComplaint: no complaint of that id was received.
var errUnknownComplaint = errors.New("no complaint of that id was received")

// resolve marks a received (or rejected) complaint handled with WeChat,
// with the openid the merchant stored, and records it; a complaint
// handled or confirmed already is left as it is.
func (m *merchant) resolve(ctx context.Context, feedbackID string) (complaint, error) {
	c, ok := m.get(feedbackID)
	switch {
	case !ok:
		return complaint{}, errUnknownComplaint
	case c.State == stateHandled || c.State == stateConfirmed:
		return c, nil
	}
	if err := m.client.UpdateFeedback(ctx, c.OpenID, c.FeedBackID); err != nil {
		return c, err
	}
	return m.update(feedbackID, func(c *complaint) {
		if c.State == stateReceived || c.State == stateRejected {
			c.State, c.Handled = stateHandled, m.now()
		}
	}), nil
}

// resolveEndpoint is the staff's "resolved" button: POST
// /complaints/{id}/resolve answers the complaint as it then stands, 404 for
// an unknown id, 502 when WeChat refused the update. A real merchant puts
// it behind its own authentication; this example listens on loopback.
func (m *merchant) resolveEndpoint(w http.ResponseWriter, r *http.Request) {
	c, err := m.resolve(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, errUnknownComplaint):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, "WeChat did not mark the complaint handled: "+err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(c)
}

// record stores a notification's complaint, keeping the details of the
// first request when a later notification leaves them out. A request sets
// the state of a new complaint only: a re-delivery does not undo what the
// staff did.
func (m *merchant) record(n *payfeedback.Notification, state string) complaint {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.complaints[n.FeedBackID]
	if c == nil {
		c = &complaint{FeedBackID: n.FeedBackID, OpenID: n.OpenID, State: state, Received: m.now()}
		m.complaints[n.FeedBackID] = c
	} else if n.MsgType != payfeedback.MsgRequest {
		c.State = state
	}
	keep(&c.OpenID, n.OpenID)
	keep(&c.TransID, n.TransID)
	keep(&c.Reason, n.Reason)
	keep(&c.Solution, n.Solution)
	keep(&c.ExtInfo, n.ExtInfo)
	if len(n.PicURLs) > 0 {
		c.Pictures = append([]string(nil), n.PicURLs...)
	}
	c.Updated = m.now()
	return c.snapshot()
}

// keep sets *dst to v unless v is empty.
func keep(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// snapshot is a deep copy of c.
func (c *complaint) snapshot() complaint {
	s := *c
	s.Pictures = append([]string(nil), c.Pictures...)
	return s
}

// get returns a copy of the complaint feedbackID.
func (m *merchant) get(feedbackID string) (complaint, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.complaints[feedbackID]
	if c == nil {
		return complaint{}, false
	}
	return c.snapshot(), true
}

// update changes the complaint feedbackID, if any, and returns it.
func (m *merchant) update(feedbackID string, f func(*complaint)) complaint {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.complaints[feedbackID]
	if c == nil {
		return complaint{}
	}
	f(c)
	c.Updated = m.now()
	return c.snapshot()
}

// claimAutoResolve reports whether the auto-resolve policy is yet to
// schedule the complaint, and marks it scheduled.
func (m *merchant) claimAutoResolve(feedbackID string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.complaints[feedbackID]
	if c == nil || c.autoResolving {
		return false
	}
	c.autoResolving = true
	return true
}

// list answers the stored complaints as JSON, newest first.
func (m *merchant) list(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	out := make([]complaint, 0, len(m.complaints))
	for _, c := range m.complaints {
		out = append(out, c.snapshot())
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Received.Equal(out[j].Received) {
			return out[i].Received.After(out[j].Received)
		}
		return out[i].FeedBackID < out[j].FeedBackID
	})
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

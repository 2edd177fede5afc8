package main

import (
	"context"
	"encoding/json"
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

// config is the merchant's account and the API it calls.
type config struct {
	AppID, Secret, PaySignKey string
	BaseURL                   string
	Now                       func() time.Time // nil: time.Now
	Logger                    *slog.Logger     // nil: discard
}

// complaint is what the merchant keeps of each complaint (WeChat's document asks
// merchants to store the openid and the details for later reference).
type complaint struct {
	FeedBackID string    `json:"feedback_id"`
	OpenID     string    `json:"openid"`
	TransID    string    `json:"transid"`
	Reason     string    `json:"reason"`
	Solution   string    `json:"solution"`
	ExtInfo    string    `json:"ext_info"`
	Pictures   []string  `json:"pictures,omitempty"`
	State      string    `json:"state"` // received, handled, confirmed, rejected
	Updated    time.Time `json:"updated"`
}

// merchant is the endpoint: notifications in, API calls out.
type merchant struct {
	client *payfeedback.Client
	now    func() time.Time
	log    *slog.Logger
	mux    *http.ServeMux

	mu         sync.Mutex
	complaints map[string]*complaint // by FeedBackId
}

func newMerchant(cfg config) (*merchant, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: cfg.AppID, Secret: cfg.Secret, PaySignKey: cfg.PaySignKey,
		BaseURL: cfg.BaseURL, Now: cfg.Now, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	m := &merchant{client: client, now: cfg.Now, log: cfg.Logger, mux: http.NewServeMux(), complaints: map[string]*complaint{}}
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
	return m, nil
}

func (m *merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.mux.ServeHTTP(w, r) }

// onRequest stores a new complaint, tells the user it is being handled and
// marks it handled. An error answers 500, and WeChat delivers it again.
func (m *merchant) onRequest(ctx context.Context, n *payfeedback.Notification) error {
	c := m.record(n, "received")
	msg := payfeedback.TextMessage{Content: "我们已收到您的投诉（" + n.FeedBackID + "），正在处理。"}
	if err := m.client.SendMessage(ctx, n.OpenID, msg); err != nil {
		if !payfeedback.IsLimitError(err) && !payfeedback.IsInvalidInput(err) {
			return err // transient: let WeChat deliver it again
		}
		m.log.Warn("customer message not sent", "feedback_id", n.FeedBackID, "err", err)
	}
	if err := m.client.UpdateFeedback(ctx, n.OpenID, n.FeedBackID); err != nil {
		if payfeedback.IsInvalidInput(err) {
			m.log.Error("complaint cannot be marked handled; needs a person", "feedback_id", n.FeedBackID, "err", err)
			return nil
		}
		return err
	}
	m.setState(c.FeedBackID, "handled")
	return nil
}

// onUserAnswer records the user's confirmation or rejection.
func (m *merchant) onUserAnswer(ctx context.Context, n *payfeedback.Notification) error {
	state := "confirmed"
	if n.MsgType == payfeedback.MsgReject {
		state = "rejected"
	}
	m.record(n, state)
	return nil
}

// record stores a notification's complaint, keeping the details of the
// first request when a later notification leaves them out.
func (m *merchant) record(n *payfeedback.Notification, state string) complaint {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.complaints[n.FeedBackID]
	if c == nil {
		c = &complaint{FeedBackID: n.FeedBackID, OpenID: n.OpenID}
		m.complaints[n.FeedBackID] = c
	}
	keep(&c.TransID, n.TransID)
	keep(&c.Reason, n.Reason)
	keep(&c.Solution, n.Solution)
	keep(&c.ExtInfo, n.ExtInfo)
	if len(n.PicURLs) > 0 {
		c.Pictures = append([]string(nil), n.PicURLs...)
	}
	c.State, c.Updated = state, m.now()
	return *c
}

// keep sets *dst to v unless v is empty.
func keep(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func (m *merchant) setState(feedbackID, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.complaints[feedbackID]; c != nil && c.State == "received" {
		c.State, c.Updated = state, m.now()
	}
}

// list answers the stored complaints as JSON, newest first.
func (m *merchant) list(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	out := make([]complaint, 0, len(m.complaints))
	for _, c := range m.complaints {
		out = append(out, *c)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Updated.Equal(out[j].Updated) {
			return out[i].Updated.After(out[j].Updated)
		}
		return out[i].FeedBackID < out[j].FeedBackID
	})
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

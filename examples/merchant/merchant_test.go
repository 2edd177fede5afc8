package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestConformance certifies the example with the whole suite, API cases
// and a chaos campaign of 300 complaints included, in-process on the
// fake's virtual clock. The example resolves complaints with its opt-in
// policy, two hours after they arrive (on the suite's clock: no real time
// passes), and the suite judges each update against its deadline.
func TestConformance(t *testing.T) {
	demo := mockwechat.DemoAccount()
	conformancetest.Run(t, nil, conformance.Options{
		AppID: demo.AppID, PaySignKey: demo.PaySignKey, Secret: demo.Secret, API: true, Chaos: 300,
		Merchant: func(env conformance.APIEnv) http.Handler {
			m, err := newMerchant(config{AppID: env.AppID, Secret: env.Secret, PaySignKey: env.PaySignKey, BaseURL: env.BaseURL,
				Now: env.Now, AfterFunc: env.AfterFunc, AutoResolve: true, AutoResolveAfter: 2 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
		Path: notifyPath,
	})
}

// shop is the example wired to a fake WeChat on a virtual clock, served on
// loopback, with the fake pushing to it.
type shop struct {
	fake  *mockwechat.Server
	clock *mockwechat.VirtualClock
	m     *merchant
	url   string
	later *laterFuncs
}

// laterFuncs is an AfterFunc on the fake's virtual clock, for tests that
// move the clock themselves: run calls what fell due.
type laterFuncs struct {
	clock *mockwechat.VirtualClock
	mu    sync.Mutex
	funcs []laterFunc
}

type laterFunc struct {
	at time.Time
	f  func()
}

func (l *laterFuncs) AfterFunc(d time.Duration, f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.funcs = append(l.funcs, laterFunc{l.clock.Now().Add(d), f})
}

// advance moves the clock by d and runs what fell due, in order.
func (l *laterFuncs) advance(d time.Duration) {
	l.clock.Advance(d)
	l.mu.Lock()
	var due []func()
	kept := l.funcs[:0]
	for _, lf := range l.funcs {
		if lf.at.After(l.clock.Now()) {
			kept = append(kept, lf)
		} else {
			due = append(due, lf.f)
		}
	}
	l.funcs = kept
	l.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func newShop(t *testing.T, cfg config) *shop {
	t.Helper()
	clock := mockwechat.NewVirtualClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clock})
	t.Cleanup(fake.Close)
	demo := mockwechat.DemoAccount()
	later := &laterFuncs{clock: clock}
	cfg.AppID, cfg.Secret, cfg.PaySignKey, cfg.BaseURL = demo.AppID, demo.Secret, demo.PaySignKey, fake.URL
	cfg.Now, cfg.AfterFunc = clock.Now, later.AfterFunc
	m, err := newMerchant(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	if err := fake.SetNotifyURL(demo.AppID, srv.URL+notifyPath); err != nil {
		t.Fatal(err)
	}
	return &shop{fake: fake, clock: clock, m: m, url: srv.URL, later: later}
}

// file files a complaint by openID and waits until the merchant answered
// its push.
func (s *shop) file(ctx context.Context, t *testing.T, openID string) mockwechat.Complaint {
	t.Helper()
	c, err := s.fake.FileComplaint(ctx, mockwechat.ComplaintSpec{
		AppID: mockwechat.DemoAccount().AppID, OpenID: openID, Reason: "商品质量有问题", Solution: "补发货给我", Goods: payfeedback.GoodsPhysical,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := s.fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgRequest)); err != nil || !d.Delivered {
		t.Fatalf("the push of complaint %s: delivered %v, %v", c.FeedBackID, d.Delivered, err)
	}
	return c
}

// updates counts the successful update calls of complaint id.
func (s *shop) updates(id string) []mockwechat.Call {
	var out []mockwechat.Call
	for _, c := range s.fake.Calls() {
		if c.Endpoint == payfeedback.PathUpdateFeedback && c.Query.Get("feedbackid") == id && c.ErrCode == payfeedback.CodeOK {
			out = append(out, c)
		}
	}
	return out
}

// TestComplaintLifecycle runs the loop of the package doc: the fake files
// a complaint and pushes it; the merchant stores it, the user's openid
// included, and messages the user, but does not mark it handled on
// receipt; the staff resolve it, and the merchant marks it handled with
// the stored openid; the user confirms and the merchant records it.
func TestComplaintLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := newShop(t, config{})
	c := s.file(ctx, t, "o-demo")

	got := listComplaints(t, s.url)
	if len(got) != 1 || got[0].State != stateReceived || got[0].OpenID != "o-demo" || got[0].Reason != "商品质量有问题" || got[0].Messaged.IsZero() {
		t.Fatalf("stored complaints after the push: %+v, want one received from o-demo, its reason kept, the user messaged", got)
	}
	if inbox := s.fake.Inbox("o-demo"); len(inbox) != 1 || inbox[0].MsgType != "text" {
		t.Errorf("user's inbox: %+v, want one text message", inbox)
	}
	if fc, _ := s.fake.Complaint(c.FeedBackID); fc.State != mockwechat.StateFiled || len(s.updates(c.FeedBackID)) != 0 {
		t.Fatalf("the complaint is %s with WeChat after its push, want it still filed: the merchant marks it handled only once resolved", fc.State)
	}

	resp, err := http.Post(s.url+"/complaints/"+c.FeedBackID+"/resolve", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var resolved complaint
	err = json.NewDecoder(resp.Body).Decode(&resolved)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || resolved.State != stateHandled {
		t.Fatalf("POST resolve: %s, %+v, %v", resp.Status, resolved, err)
	}
	ups := s.updates(c.FeedBackID)
	if fc, _ := s.fake.Complaint(c.FeedBackID); fc.State != mockwechat.StateHandled || len(ups) != 1 || ups[0].Query.Get("openid") != "o-demo" {
		t.Fatalf("after the staff resolved it: %s with WeChat, %d updates, want handled by one update with the stored openid", fc.State, len(ups))
	}

	// The user confirms a minute later. In the same second, the confirm
	// would share the request's AppSignature, which this merchant refuses
	// (middleware.RefuseSharedSignature): WeChat's next attempt, re-signed
	// 15 s later, would then carry it (TestSameSecondConfirmIsDelayed).
	s.clock.Advance(time.Minute)
	if err := s.fake.Confirm(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgConfirm)); err != nil {
		t.Fatal(err)
	}
	got = listComplaints(t, s.url)
	if len(got) != 1 || got[0].State != stateConfirmed || got[0].Reason == "" || got[0].TransID == "" || got[0].OpenID != "o-demo" {
		t.Errorf("stored complaints after the user confirmed: %+v (details of the request must be kept)", got)
	}
}

// TestResolveEndpoint: an unknown id is 404; resolving twice marks the
// complaint handled once; the update names the openid the merchant
// stored, whatever the staff send.
func TestResolveEndpoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := newShop(t, config{})
	c := s.file(ctx, t, "o-stored")
	post := func(id string) int {
		resp, err := http.Post(s.url+"/complaints/"+id+"/resolve?openid=o-other", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("4200000000000000000"); code != http.StatusNotFound {
		t.Errorf("an unknown complaint: %d, want 404", code)
	}
	for range 2 {
		if code := post(c.FeedBackID); code != http.StatusOK {
			t.Fatalf("resolve: %d", code)
		}
	}
	if ups := s.updates(c.FeedBackID); len(ups) != 1 || ups[0].Query.Get("openid") != "o-stored" {
		t.Errorf("%d updates (%+v), want one, with the stored openid", len(ups), ups)
	}
}

// TestAutoResolveIsOptIn: without the policy a complaint stays received
// however much time passes (the staff resolve it); with it, the complaint
// is marked handled when the policy's delay has passed on the merchant's
// clock, and not before.
func TestAutoResolveIsOptIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	off := newShop(t, config{})
	c := off.file(ctx, t, "o-off")
	off.later.advance(30 * 24 * time.Hour)
	if n := len(off.updates(c.FeedBackID)); n != 0 {
		t.Errorf("without --auto-resolve: %d updates after 30 days, want none", n)
	}
	if got := listComplaints(t, off.url); got[0].State != stateReceived {
		t.Errorf("without --auto-resolve: %s after 30 days, want received", got[0].State)
	}

	on := newShop(t, config{AutoResolve: true, AutoResolveAfter: 2 * time.Hour})
	c = on.file(ctx, t, "o-on")
	on.later.advance(time.Hour)
	if n := len(on.updates(c.FeedBackID)); n != 0 {
		t.Fatalf("an hour in: %d updates, want none before the policy's two hours", n)
	}
	on.later.advance(time.Hour)
	ups := on.updates(c.FeedBackID)
	if len(ups) != 1 || !ups[0].Time.Equal(c.FiledAt.Add(2*time.Hour)) {
		t.Fatalf("two hours in: %d updates (%+v), want one, at %s", len(ups), ups, c.FiledAt.Add(2*time.Hour))
	}
	if got := listComplaints(t, on.url); got[0].State != stateHandled {
		t.Errorf("after the policy ran: %s, want handled", got[0].State)
	}
}

// lazy serves a handler that is set once the suite says where its fake
// is, as a merchant process started with the fake's address would.
type lazy struct{ h atomic.Pointer[http.Handler] }

func (l *lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := l.h.Load()
	if h == nil {
		http.Error(w, "not wired yet", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// certify runs the suite over loopback against the example, as
// payfeedback check does; build makes the merchant once the suite's fake
// serves.
func certify(t *testing.T, opts conformance.Options, build func(env conformance.APIEnv) config) conformance.Report {
	t.Helper()
	l := new(lazy)
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	demo := mockwechat.DemoAccount()
	opts.URL, opts.AppID, opts.PaySignKey, opts.Secret, opts.API = srv.URL+notifyPath, demo.AppID, demo.PaySignKey, demo.Secret, true
	opts.APIReady = func(env conformance.APIEnv) {
		cfg := build(env)
		cfg.AppID, cfg.Secret, cfg.PaySignKey, cfg.BaseURL = env.AppID, env.Secret, env.PaySignKey, env.BaseURL
		m, err := newMerchant(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var h http.Handler = m
		l.h.Store(&h)
	}
	rep, err := conformance.Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestCertifiedOnTheFakesClock: over loopback, as payfeedback check
// --api --virtual-clock runs it, the example follows the fake's clock
// (GET /_mock/clock) and resolves two hours after each complaint, on that
// clock: the suite moves the clock to reach the deadlines, and every case
// passes, the deadline cells judged on the fake's clock.
func TestCertifiedOnTheFakesClock(t *testing.T) {
	rep := certify(t, conformance.Options{VirtualClock: true, Chaos: 100}, func(env conformance.APIEnv) config {
		clock := newFollowedClock(env.BaseURL)
		go clock.run(t.Context())
		return config{Now: clock.Now, AfterFunc: clock.AfterFunc, AutoResolve: true, AutoResolveAfter: 2 * time.Hour}
	})
	if rep.Failed() || rep.Counts().Passed != len(conformance.Cases()) {
		var b strings.Builder
		rep.WriteText(&b)
		t.Fatalf("counts %+v:\n%s", rep.Counts(), b.String())
	}
	if rep.Config.Clock != "virtual" {
		t.Errorf("Config.Clock = %q, want virtual", rep.Config.Clock)
	}
	for _, r := range rep.Results {
		if strings.HasPrefix(r.ID, "api/") && strings.Contains(r.Message, "real clock") {
			t.Errorf("%s: %q on the virtual clock", r.ID, r.Message)
		}
	}
}

// TestRealClockCannotJudgeDays: on the real clock the suite cannot wait
// for a deadline of days. A merchant whose staff resolve complaints later
// is not failed for it: the update case is inconclusive and says what
// would judge it.
func TestRealClockCannotJudgeDays(t *testing.T) {
	rep := certify(t, conformance.Options{APITimeout: 300 * time.Millisecond, Run: "^api/"}, func(conformance.APIEnv) config { return config{} })
	r, _ := rep.Result("api/update/called")
	if r.Status != conformance.Inconclusive || !strings.Contains(r.Message, "--virtual-clock") || !strings.Contains(r.Message, "real clock") {
		t.Errorf("api/update/called: %s %q, want inconclusive, naming the real clock and --virtual-clock", r.Status, r.Message)
	}
	if failed := rep.FailedIDs(); len(failed) != 0 {
		t.Errorf("failed %v: a merchant that resolves later is not at fault on the real clock", failed)
	}
	if rep.Config.Clock != "real" {
		t.Errorf("Config.Clock = %q, want real", rep.Config.Clock)
	}
}

func listComplaints(t *testing.T, base string) []complaint {
	t.Helper()
	resp, err := http.Get(base + "/complaints")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []complaint
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSameSecondConfirmIsDelayed: a confirm in the same second as the
// request shares its AppSignature; this merchant refuses shared signatures
// (409), and the confirm arrives with the fake's next attempt, re-signed
// 15 s later: delayed, not lost.
func TestSameSecondConfirmIsDelayed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := newShop(t, config{})
	c := s.file(ctx, t, "o-same-second")
	resp, err := http.Post(s.url+"/complaints/"+c.FeedBackID+"/resolve", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := s.fake.Confirm(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	first, err := s.fake.WaitForDelivery(ctx, func(d mockwechat.Delivery) bool {
		return d.FeedBackID == c.FeedBackID && d.MsgType == payfeedback.MsgConfirm && len(d.Attempts) > 0
	})
	if err != nil {
		t.Fatal(err)
	}
	if first.Delivered || first.Attempts[0].Status != http.StatusConflict {
		t.Fatalf("the same-second confirm: delivered %v, first answer %d, want a 409 first", first.Delivered, first.Attempts[0].Status)
	}
	s.clock.Advance(15 * time.Second)
	if d, err := s.fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgConfirm)); err != nil || !d.Delivered {
		t.Fatalf("the retry 15 s later: delivered %v, %v", d.Delivered, err)
	}
	if got := listComplaints(t, s.url); len(got) != 1 || got[0].State != stateConfirmed {
		t.Errorf("stored: %+v, want confirmed", got)
	}
}

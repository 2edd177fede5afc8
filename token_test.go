package payfeedback_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/tokenstoretest"
)

// TestMemoryTokenStoreContract checks the in-memory store against the
// TokenStore contract.
func TestMemoryTokenStoreContract(t *testing.T) {
	tokenstoretest.Run(t, func(t *testing.T, now func() time.Time) payfeedback.TokenStore {
		return payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{Now: now})
	})
	t.Run("zero value", func(t *testing.T) {
		var s payfeedback.MemoryTokenStore
		ctx := context.Background()
		if ok, err := s.TryLease(ctx, "a", "h1", time.Minute); !ok || err != nil {
			t.Fatalf("TryLease on the zero value: %v, %v", ok, err)
		}
		if err := s.Store(ctx, "a", payfeedback.Token{Value: "v"}); err != nil {
			t.Fatal(err)
		}
		if tok, err := s.Load(ctx, "a"); tok.Value != "v" || err != nil {
			t.Fatalf("Load: %v, %v", tok, err)
		}
	})
}

func mustStore(t *testing.T, s payfeedback.TokenStore, appID string, tok payfeedback.Token) {
	t.Helper()
	if err := s.Store(context.Background(), appID, tok); err != nil {
		t.Fatalf("Store(%s): %v", appID, err)
	}
}

func TestTokenFresh(t *testing.T) {
	at := time.Date(2014, 3, 1, 12, 0, 0, 0, time.UTC)
	twoHours := payfeedback.Token{Value: "v", ObtainedAt: at, ExpiresAt: at.Add(2 * time.Hour)}
	oneMinute := payfeedback.Token{Value: "v", ObtainedAt: at, ExpiresAt: at.Add(time.Minute)}
	m := payfeedback.DefaultRefreshMargin
	tests := []struct {
		name               string
		tok                payfeedback.Token
		now                time.Time
		margin             time.Duration
		wantFresh, wantExp bool
	}{
		{"new", twoHours, at, m, true, false},
		{"just before the margin", twoHours, at.Add(2*time.Hour - m - time.Second), m, true, false},
		{"at the margin", twoHours, at.Add(2*time.Hour - m), m, false, false},
		{"inside the margin", twoHours, at.Add(2*time.Hour - time.Second), m, false, false},
		{"expired", twoHours, at.Add(2 * time.Hour), m, false, true},
		{"short token: half its life", oneMinute, at.Add(29 * time.Second), m, true, false},
		{"short token: past half its life", oneMinute, at.Add(30 * time.Second), m, false, false},
		{"zero margin", twoHours, at.Add(2*time.Hour - time.Second), 0, true, false},
		{"empty", payfeedback.Token{}, at, m, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tok.Fresh(tt.now, tt.margin); got != tt.wantFresh {
				t.Errorf("Fresh = %v, want %v", got, tt.wantFresh)
			}
			if got := tt.tok.Expired(tt.now); got != tt.wantExp {
				t.Errorf("Expired = %v, want %v", got, tt.wantExp)
			}
		})
	}
}

func TestTokenDoesNotPrintItsValue(t *testing.T) {
	tok := payfeedback.Token{Value: stubToken, ExpiresAt: time.Unix(1400000000, 0)}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("t", "token", tok)
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok), fmt.Sprintf("%v", &tok), logged.String()} {
		if strings.Contains(s, stubToken) {
			t.Errorf("printed token shows its value: %s", s)
		}
		if !strings.Contains(s, "2014-05-13") {
			t.Errorf("printed token lacks its expiry: %s", s)
		}
	}
}

// tokenServer is a WeChat for the token unit tests, served in memory
// (handlerTransport) so that the tests can run in a testing/synctest
// bubble, whose fake clock replaces a hand-written one: tokens "T1", "T2",
// … of a chosen lifetime; /payfeedback/update accepts only the latest token
// (no grace) and first answers the queued errcodes.
type tokenServer struct {
	expiresIn  int
	tokenCalls atomic.Int64
	gate       chan struct{} // when not nil, token requests wait for it
	entered    chan struct{} // when not nil, signalled by each token request

	mu     sync.Mutex
	latest string
	faults []payfeedback.ErrorCode
	seen   []string // tokens presented to /payfeedback/update
}

func newTokenServer(t *testing.T, expiresIn int) *tokenServer {
	t.Helper()
	return &tokenServer{expiresIn: expiresIn}
}

// handlerTransport answers requests by calling a handler in memory: no
// network, so that a synctest bubble can tell when everything waits.
type handlerTransport struct{ h http.HandlerFunc }

func (tr handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	tr.h(w, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return w.Result(), nil
}

func (s *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case payfeedback.PathToken:
		if s.entered != nil {
			s.entered <- struct{}{}
		}
		if s.gate != nil {
			select {
			case <-s.gate:
			case <-r.Context().Done():
				return
			}
		}
		n := s.tokenCalls.Add(1)
		s.mu.Lock()
		s.latest = fmt.Sprintf("T%d", n)
		s.mu.Unlock()
		fmt.Fprintf(w, `{"access_token":"T%d","expires_in":%d}`, n, s.expiresIn)
	case payfeedback.PathUpdateFeedback:
		tok := r.URL.Query().Get("access_token")
		s.mu.Lock()
		s.seen = append(s.seen, tok)
		var code payfeedback.ErrorCode
		switch {
		case len(s.faults) > 0:
			code, s.faults = s.faults[0], s.faults[1:]
		case tok != s.latest:
			code = payfeedback.CodeInvalidCredential
		}
		s.mu.Unlock()
		fmt.Fprintf(w, `{"errcode":%d,"errmsg":"%s"}`, code, code.Message())
	default:
		http.NotFound(w, r)
	}
}

func (s *tokenServer) fail(codes ...payfeedback.ErrorCode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, codes...)
}

func (s *tokenServer) presented() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// client returns a client of the server on the bubble's clock.
func (s *tokenServer) client(t *testing.T, store payfeedback.TokenStore) *payfeedback.Client {
	t.Helper()
	c, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: stubAppID, Secret: stubSecret, BaseURL: "http://wechat.test",
		HTTPClient: &http.Client{Transport: handlerTransport{s.serve}}, TokenStore: store,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTokenCachedAndRenewedAheadOfExpiry(t *testing.T) {
	tests := []struct {
		name        string
		expiresIn   int
		stillCached time.Duration // the first token is still used at this age
		renewed     time.Duration // and renewed at this one
	}{
		{"two hours, 5-minute margin", 7200, 7200*time.Second - payfeedback.DefaultRefreshMargin - time.Second, 7200*time.Second - payfeedback.DefaultRefreshMargin},
		{"one minute, half its life", 60, 29 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { // time passes on the bubble's clock
				s := newTokenServer(t, tt.expiresIn)
				c := s.client(t, nil)
				ctx := context.Background()
				for range 3 {
					mustUpdate(t, c)
				}
				time.Sleep(tt.stillCached)
				mustUpdate(t, c)
				if n := s.tokenCalls.Load(); n != 1 {
					t.Fatalf("%d token requests before the margin, want 1", n)
				}
				time.Sleep(tt.renewed - tt.stillCached)
				mustUpdate(t, c)
				if n := s.tokenCalls.Load(); n != 2 {
					t.Fatalf("%d token requests at the margin, want 2", n)
				}
				tok, err := c.Token(ctx)
				if err != nil || tok.Value != "T2" || !tok.ExpiresAt.Equal(time.Now().Add(time.Duration(tt.expiresIn)*time.Second)) {
					t.Errorf("Token: %v %v, want T2 expiring %v after now", tok.Value, err, tt.expiresIn)
				}
			})
		})
	}
}

func mustUpdate(t *testing.T, c *payfeedback.Client) {
	t.Helper()
	if err := c.UpdateFeedback(context.Background(), "o", "1"); err != nil {
		t.Fatalf("UpdateFeedback: %v", err)
	}
}

// TestRetryOnTokenErrors: 40001 and 42001 are retried once with a new
// token; other codes, and a second rejection, are returned.
func TestRetryOnTokenErrors(t *testing.T) {
	const (
		cred    = payfeedback.CodeInvalidCredential
		expired = payfeedback.CodeTokenExpired
	)
	tests := []struct {
		name       string
		faults     []payfeedback.ErrorCode
		wantCode   payfeedback.ErrorCode // 0: success
		wantTokens int64
		wantCalls  int
	}{
		{"no fault", nil, 0, 1, 1},
		{"40001 once", []payfeedback.ErrorCode{cred}, 0, 2, 2},
		{"42001 once", []payfeedback.ErrorCode{expired}, 0, 2, 2},
		{"40001 twice", []payfeedback.ErrorCode{cred, cred}, cred, 2, 2},
		{"42001 then 40001", []payfeedback.ErrorCode{expired, cred}, cred, 2, 2},
		{"40001 then system error", []payfeedback.ErrorCode{cred, payfeedback.CodeSystemError}, payfeedback.CodeSystemError, 2, 2},
		{"41001 is not retried", []payfeedback.ErrorCode{payfeedback.CodeTokenMissing}, payfeedback.CodeTokenMissing, 1, 1},
		{"system error is not retried", []payfeedback.ErrorCode{payfeedback.CodeSystemError}, payfeedback.CodeSystemError, 1, 1},
		{"45009 is not retried", []payfeedback.ErrorCode{payfeedback.CodeQuotaExceeded}, payfeedback.CodeQuotaExceeded, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTokenServer(t, 7200)
			s.fail(tt.faults...)
			c := s.client(t, nil)
			err := c.UpdateFeedback(context.Background(), "o", "1")
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("UpdateFeedback: %v", err)
				}
			} else {
				var ae *payfeedback.APIError
				if !errors.As(err, &ae) || ae.Code != tt.wantCode {
					t.Fatalf("UpdateFeedback: %v, want APIError %d", err, tt.wantCode)
				}
			}
			if n := s.tokenCalls.Load(); n != tt.wantTokens {
				t.Errorf("%d token requests, want %d", n, tt.wantTokens)
			}
			seen := s.presented()
			if len(seen) != tt.wantCalls {
				t.Fatalf("%d calls (%q), want %d", len(seen), seen, tt.wantCalls)
			}
			if len(seen) == 2 && seen[0] == seen[1] {
				t.Errorf("the retry presented the rejected token again: %q", seen)
			}
		})
	}
}

// TestSingleFlight: many goroutines of one client needing a token at once
// cause one token request, while it is slow.
func TestSingleFlight(t *testing.T) {
	s := newTokenServer(t, 7200)
	s.gate = make(chan struct{})
	s.entered = make(chan struct{}, 1000)
	c := s.client(t, nil)
	const n = 50
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { mustUpdate(t, c) })
	}
	<-s.entered // one token request is in flight; let it finish
	close(s.gate)
	wg.Wait()
	if got := s.tokenCalls.Load(); got != 1 {
		t.Errorf("%d token requests, want 1", got)
	}
	if got := len(s.presented()); got != n {
		t.Errorf("%d calls, want %d", got, n)
	}
}

// TestCompareAndRefresh: a client whose token was rejected because another
// instance renewed it takes the renewed token from the store instead of
// renewing again.
func TestCompareAndRefresh(t *testing.T) {
	s := newTokenServer(t, 7200)
	store := payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{})
	a := s.client(t, store)
	b := s.client(t, store)
	mustUpdate(t, a) // T1, stored
	mustUpdate(t, b) // T1 from the store
	if n := s.tokenCalls.Load(); n != 1 {
		t.Fatalf("%d token requests, want 1 (b shares a's token)", n)
	}
	s.fail(payfeedback.CodeInvalidCredential)
	mustUpdate(t, a) // T1 rejected: a renews to T2, stored
	mustUpdate(t, b) // b's cached T1 is no longer the latest: rejected; b takes T2 from the store
	if n := s.tokenCalls.Load(); n != 2 {
		t.Errorf("%d token requests, want 2 (b must not renew what a renewed)", n)
	}
	want := []string{"T1", "T1", "T1", "T2", "T1", "T2"}
	if got := s.presented(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("tokens presented %q, want %q", got, want)
	}
}

// hookStore wraps a TokenStore to observe lease refusals and to fail.
type hookStore struct {
	payfeedback.TokenStore
	refused   chan struct{} // signalled (without blocking) when TryLease says no
	loadErr   error
	storeErr  error
	leaseErr  error
	loadCalls atomic.Int64
}

func (h *hookStore) Load(ctx context.Context, appID string) (payfeedback.Token, error) {
	h.loadCalls.Add(1)
	if h.loadErr != nil {
		return payfeedback.Token{}, h.loadErr
	}
	return h.TokenStore.Load(ctx, appID)
}

func (h *hookStore) Store(ctx context.Context, appID string, tok payfeedback.Token) error {
	if h.storeErr != nil {
		return h.storeErr
	}
	return h.TokenStore.Store(ctx, appID, tok)
}

func (h *hookStore) TryLease(ctx context.Context, appID, holder string, ttl time.Duration) (bool, error) {
	if h.leaseErr != nil {
		return false, h.leaseErr
	}
	ok, err := h.TokenStore.TryLease(ctx, appID, holder, ttl)
	if !ok && h.refused != nil {
		select {
		case h.refused <- struct{}{}:
		default:
		}
	}
	return ok, err
}

// TestLeaseHeldElsewhere: while another instance holds the lease, a client
// waits for the token it stores (and never asks WeChat itself), uses the
// previous token if it is still valid, takes over when the lease expires, and
// gives up when its context is done. Each case runs in a synctest bubble:
// the client's polling and the lease's expiry are on its clock.
func TestLeaseHeldElsewhere(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*tokenServer, *hookStore, *payfeedback.Client) {
		s := newTokenServer(t, 7200)
		store := &hookStore{
			TokenStore: payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{}),
			refused:    make(chan struct{}, 1),
		}
		if ok, err := store.TryLease(ctx, stubAppID, "other-instance", time.Minute); !ok || err != nil {
			t.Fatal(ok, err)
		}
		return s, store, s.client(t, store)
	}
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) { synctest.Test(t, f) })
	}

	run("waits for the holder's token", func(t *testing.T) {
		s, store, c := setup(t)
		done := make(chan error)
		go func() { done <- c.UpdateFeedback(ctx, "o", "1") }()
		<-store.refused
		// The other instance got a token from WeChat and stores it.
		s.mu.Lock()
		s.latest = "OTHER"
		s.mu.Unlock()
		mustStore(t, store, stubAppID, payfeedback.Token{Value: "OTHER", ObtainedAt: time.Now(), ExpiresAt: time.Now().Add(2 * time.Hour)})
		if err := store.ReleaseLease(ctx, stubAppID, "other-instance"); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("UpdateFeedback: %v", err)
		}
		if n := s.tokenCalls.Load(); n != 0 {
			t.Errorf("%d token requests, want 0 (the holder's token is used)", n)
		}
		if got := s.presented(); len(got) != 1 || got[0] != "OTHER" {
			t.Errorf("presented %q, want [OTHER]", got)
		}
	})

	run("uses the previous token while the holder renews it ahead of expiry", func(t *testing.T) {
		s, store, c := setup(t)
		s.mu.Lock()
		s.latest = "OLD"
		s.mu.Unlock()
		// Issued 1 h 58 min ago: inside the margin, not expired.
		mustStore(t, store, stubAppID, payfeedback.Token{Value: "OLD", ObtainedAt: time.Now().Add(-118 * time.Minute), ExpiresAt: time.Now().Add(2 * time.Minute)})
		mustUpdate(t, c)
		if n := s.tokenCalls.Load(); n != 0 {
			t.Errorf("%d token requests, want 0", n)
		}
		if got := s.presented(); len(got) != 1 || got[0] != "OLD" {
			t.Errorf("presented %q, want [OLD]", got)
		}
	})

	run("a rejected previous token is not used again while the holder renews", func(t *testing.T) {
		s, store, c := setup(t)
		s.mu.Lock()
		s.latest = "NEW" // WeChat already issued NEW: OLD is rejected
		s.mu.Unlock()
		mustStore(t, store, stubAppID, payfeedback.Token{Value: "OLD", ObtainedAt: time.Now().Add(-118 * time.Minute), ExpiresAt: time.Now().Add(2 * time.Minute)})
		done := make(chan error)
		go func() { done <- c.UpdateFeedback(ctx, "o", "1") }()
		// Wait until OLD was presented and rejected, and the client polls.
		for len(s.presented()) == 0 {
			<-store.refused
		}
		<-store.refused
		mustStore(t, store, stubAppID, payfeedback.Token{Value: "NEW", ObtainedAt: time.Now(), ExpiresAt: time.Now().Add(2 * time.Hour)})
		if err := <-done; err != nil {
			t.Fatalf("UpdateFeedback: %v", err)
		}
		if got := s.presented(); strings.Join(got, ",") != "OLD,NEW" {
			t.Errorf("presented %q, want [OLD NEW]", got)
		}
		if n := s.tokenCalls.Load(); n != 0 {
			t.Errorf("%d token requests, want 0", n)
		}
	})

	run("takes over an expired lease", func(t *testing.T) {
		s, store, c := setup(t)
		done := make(chan error)
		go func() { done <- c.UpdateFeedback(ctx, "o", "1") }()
		<-store.refused
		// The other instance died: its lease expires a minute later, on
		// the bubble's clock, while the client polls.
		if err := <-done; err != nil {
			t.Fatalf("UpdateFeedback: %v", err)
		}
		if n := s.tokenCalls.Load(); n != 1 {
			t.Errorf("%d token requests, want 1", n)
		}
	})

	run("gives up with its context", func(t *testing.T) {
		s, store, c := setup(t)
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- c.UpdateFeedback(cctx, "o", "1") }()
		<-store.refused
		cancel()
		err := <-done
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("UpdateFeedback: %v, want context.Canceled", err)
		}
		if n := s.tokenCalls.Load() + int64(len(s.presented())); n != 0 {
			t.Errorf("%d requests sent, want 0", n)
		}
		// A later call with a live context still works once the lease is free.
		if err := store.ReleaseLease(ctx, stubAppID, "other-instance"); err != nil {
			t.Fatal(err)
		}
		mustUpdate(t, c)
	})
}

// TestFlightOutlivesItsStarter: the caller that started a refresh gives up;
// another caller waiting for the same refresh still gets its token.
func TestFlightOutlivesItsStarter(t *testing.T) {
	s := newTokenServer(t, 7200)
	s.gate = make(chan struct{})
	s.entered = make(chan struct{}, 10)
	c := s.client(t, nil)
	cctx, cancel := context.WithCancel(context.Background())
	first := make(chan error)
	go func() { first <- c.UpdateFeedback(cctx, "o", "1") }()
	<-s.entered
	second := make(chan error)
	go func() { second <- c.UpdateFeedback(context.Background(), "o", "1") }()
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("first: %v, want context.Canceled", err)
	}
	close(s.gate)
	if err := <-second; err != nil {
		t.Errorf("second: %v, want success", err)
	}
}

func TestTokenStoreFailures(t *testing.T) {
	broken := errors.New("store unreachable")
	tests := []struct {
		name    string
		store   *hookStore
		wantErr string // "" = the call succeeds
	}{
		{"load fails", &hookStore{loadErr: broken}, "loading the access_token from the TokenStore"},
		{"lease fails", &hookStore{leaseErr: broken}, "taking the token refresh lease"},
		{"store fails: the token is used anyway", &hookStore{storeErr: broken}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTokenServer(t, 7200)
			tt.store.TokenStore = payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{})
			var logged bytes.Buffer
			c, err := payfeedback.NewClient(payfeedback.ClientOptions{
				AppID: stubAppID, Secret: stubSecret, BaseURL: "http://wechat.test",
				HTTPClient: &http.Client{Transport: handlerTransport{s.serve}},
				TokenStore: tt.store, Logger: slog.New(slog.NewTextHandler(&logged, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			err = c.UpdateFeedback(context.Background(), "o", "1")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("UpdateFeedback: %v", err)
				}
				if !strings.Contains(logged.String(), "storing the new access_token failed") {
					t.Errorf("no warning logged:\n%s", logged.String())
				}
				return
			}
			if !errors.Is(err, broken) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("UpdateFeedback: %v, want %q wrapping the store's error", err, tt.wantErr)
			}
		})
	}
}

// TestManyClientsOneTokenRequest: N goroutines × M clients sharing one
// store, all calling at once, first with no token and then after expiry,
// cause exactly one token request each time, against the fake.
func TestManyClientsOneTokenRequest(t *testing.T) {
	const clients, goroutines = 8, 16
	f := newFake(t, mockwechat.Options{})
	comp := f.complaint(t)
	store := payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{Now: f.clock.Now})
	cs := make([]*payfeedback.Client, clients)
	for i := range cs {
		cs[i] = f.client(t, func(o *payfeedback.ClientOptions) { o.TokenStore = store })
	}
	round := func() {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, c := range cs {
			for range goroutines {
				wg.Go(func() {
					<-start
					if err := c.UpdateFeedback(context.Background(), comp.OpenID, comp.FeedBackID); err != nil {
						t.Error(err)
					}
				})
			}
		}
		close(start)
		wg.Wait()
	}
	round()
	if n := len(f.calls(payfeedback.PathToken)); n != 1 {
		t.Fatalf("%d token requests for the first round, want 1", n)
	}
	f.srv.Advance(2 * time.Hour) // every token has expired
	round()
	if n := len(f.calls(payfeedback.PathToken)); n != 2 {
		t.Fatalf("%d token requests after expiry, want 2", n)
	}
	updates := f.codes(payfeedback.PathUpdateFeedback)
	if len(updates) != 2*clients*goroutines {
		t.Errorf("%d update calls, want %d", len(updates), 2*clients*goroutines)
	}
	for _, code := range updates {
		if code != 0 {
			t.Fatalf("an update was answered %d: a stale token was used", code)
		}
	}
}

// TestSharedStoreAvoidsInvalidation: two instances that do not share a
// store invalidate each other's token (WeChat keeps only the latest after a
// grace period); sharing one, they use one token and never see 40001.
func TestSharedStoreAvoidsInvalidation(t *testing.T) {
	tests := []struct {
		name       string
		shared     bool
		wantTokens int
		wantCodes  []payfeedback.ErrorCode
	}{
		// a: T1. b: T2 (T1 in grace). 6 min later a presents T1: 40001,
		// renews (T3), retries; b presents T2, still in grace: ok.
		{"separate stores", false, 3, []payfeedback.ErrorCode{0, 0, payfeedback.CodeInvalidCredential, 0, 0}},
		{"shared store", true, 1, []payfeedback.ErrorCode{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, mockwechat.Options{})
			comp := f.complaint(t)
			var store payfeedback.TokenStore
			if tt.shared {
				store = payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{Now: f.clock.Now})
			}
			a := f.client(t, func(o *payfeedback.ClientOptions) { o.TokenStore = store })
			b := f.client(t, func(o *payfeedback.ClientOptions) { o.TokenStore = store })
			ctx := context.Background()
			for i, c := range []*payfeedback.Client{a, b, nil, a, b} {
				if c == nil {
					f.srv.Advance(6 * time.Minute)
					continue
				}
				if err := c.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if n := len(f.calls(payfeedback.PathToken)); n != tt.wantTokens {
				t.Errorf("%d token requests, want %d", n, tt.wantTokens)
			}
			if got := f.codes(payfeedback.PathUpdateFeedback); fmt.Sprint(got) != fmt.Sprint(tt.wantCodes) {
				t.Errorf("update answers %v, want %v", got, tt.wantCodes)
			}
		})
	}
}

// TestExpiredTokenRetried: a client whose clock disagrees with WeChat's
// (its token expired early at WeChat) gets 42001, renews and retries once.
func TestExpiredTokenRetried(t *testing.T) {
	f := newFake(t, mockwechat.Options{})
	comp := f.complaint(t)
	frozen := f.clock.Now()
	c := f.client(t, func(o *payfeedback.ClientOptions) { o.Now = func() time.Time { return frozen } })
	ctx := context.Background()
	if err := c.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(2*time.Hour + time.Second) // WeChat's clock moved; the client's did not
	if err := c.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID); err != nil {
		t.Fatalf("UpdateFeedback after expiry: %v", err)
	}
	want := []payfeedback.ErrorCode{0, payfeedback.CodeTokenExpired, 0}
	if got := f.codes(payfeedback.PathUpdateFeedback); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("update answers %v, want %v", got, want)
	}
	if n := len(f.calls(payfeedback.PathToken)); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

// TestTokenQuotaAgainstFake: the fake's daily token quota answers 45009, a
// limit error, and the client does not hammer the token API.
func TestTokenQuotaAgainstFake(t *testing.T) {
	acct := mockwechat.DemoAccount()
	acct.TokenCallsPerDay = 1
	f := newFake(t, mockwechat.Options{Accounts: []mockwechat.Account{acct}})
	comp := f.complaint(t)
	ctx := context.Background()
	if err := f.client(t, nil).UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID); err != nil {
		t.Fatal(err)
	}
	// A second instance with its own store needs its own token: refused.
	err := f.client(t, nil).UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID)
	if !payfeedback.IsLimitError(err) {
		t.Fatalf("UpdateFeedback: %v, want 45009 (IsLimitError)", err)
	}
	if got := f.codes(payfeedback.PathToken); fmt.Sprint(got) != "[0 45009]" {
		t.Errorf("token answers %v, want [0 45009]", got)
	}
}

// TestSameTokenAgain: WeChat answering a renewal with the token it just
// rejected ends the call with the rejection, instead of renewing forever.
func TestSameTokenAgain(t *testing.T) {
	var tokens atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == payfeedback.PathToken {
			tokens.Add(1)
			fmt.Fprint(w, `{"access_token":"SAME","expires_in":7200}`)
			return
		}
		fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := httptest.NewServer(h)
	defer srv.Close()
	c, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: stubAppID, Secret: stubSecret, BaseURL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	err = c.UpdateFeedback(ctx, "o", "1")
	if !payfeedback.IsTokenError(err) {
		t.Fatalf("UpdateFeedback: %v, want the 40001", err)
	}
	if n := tokens.Load(); n != 2 {
		t.Errorf("%d token requests, want 2 (the first and one renewal)", n)
	}
}

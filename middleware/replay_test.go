package middleware_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestReplay sends sequences of copies through one middleware refusing a
// shared signature (RefuseSharedSignature) and checks each answer and how
// often the next handler ran. TestSharedSignatureAccepted has the default
// policy's answers to the same copies.
func TestReplay(t *testing.T) {
	original := signedSample(t, nil)
	sig := sigOf(t, original)
	// Same signature, unsigned fields changed: what an attacker who saw
	// the original can send.
	tampered := func(edit func(n *payfeedback.Notification)) []byte {
		n := sample()
		edit(n)
		n.AppSignature, n.SignMethod = sig, payfeedback.SignMethodSHA1
		b, err := n.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type send struct {
		body     []byte
		status   int // the next handler's answer, 0: 200
		want     int
		wantRuns int32 // total runs of next after this send
		wantErr  error
	}
	tests := []struct {
		name  string
		sends []send
	}{
		{"exact re-delivery is acknowledged, not handled again", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: original, want: 200, wantRuns: 1},
			{body: original, want: 200, wantRuns: 1},
		}},
		{"re-delivery with signature in upper case", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: []byte(strings.Replace(string(original), sig, strings.ToUpper(sig), 1)), want: 200, wantRuns: 1},
		}},
		{"re-delivery with SignMethod SHA1", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) {}), want: 200, wantRuns: 1},
			{body: []byte(strings.Replace(string(original), "sha1", "SHA1", 1)), want: 200, wantRuns: 1},
		}},
		{"other MsgType", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.MsgType = payfeedback.MsgConfirm }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"other FeedBackId", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.FeedBackID = "1" }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"other TransId", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.TransID = "2" }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"other Reason", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.Reason = "x" }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"other Solution", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.Solution = "refund me twice" }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"other ExtInfo", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.ExtInfo = "" }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"other pictures", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.PicURLs = append(n.PicURLs, "http://evil/") }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"fields shifted between elements", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.Reason, n.Solution = n.Reason+n.Solution, "" }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"tampered copy first: the original is then refused", []send{
			{body: tampered(func(n *payfeedback.Notification) { n.FeedBackID = "1" }), want: 200, wantRuns: 1},
			{body: original, want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
		}},
		{"handler failed: the re-delivery runs it again", []send{
			{body: original, status: 500, want: 500, wantRuns: 1},
			{body: original, status: 503, want: 503, wantRuns: 2},
			{body: original, want: 200, wantRuns: 3},
			{body: original, want: 200, wantRuns: 3},
		}},
		{"handler failed: another copy is still refused", []send{
			{body: original, status: 500, want: 500, wantRuns: 1},
			{body: tampered(func(n *payfeedback.Notification) { n.FeedBackID = "1" }), want: 409, wantRuns: 1, wantErr: middleware.ErrSignatureReused},
			{body: original, want: 200, wantRuns: 2},
		}},
		{"handler answered 204: success", []send{
			{body: original, status: 204, want: 204, wantRuns: 1},
			{body: original, want: 200, wantRuns: 1},
		}},
		{"handler answered 302: not a success", []send{
			{body: original, status: 302, want: 302, wantRuns: 1},
			{body: original, want: 200, wantRuns: 2},
		}},
		{"different notifications are independent", []send{
			{body: original, want: 200, wantRuns: 1},
			{body: signedSample(t, func(n *payfeedback.Notification) { n.OpenID = "another-user" }), want: 200, wantRuns: 2},
			{body: signedSample(t, func(n *payfeedback.Notification) { n.TimeStamp = "1764201599" }), want: 200, wantRuns: 3},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got error
			cfg := baseConfig()
			cfg.SharedSignature = middleware.RefuseSharedSignature
			cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				middleware.DefaultErrorHandler(w, r, err)
			}
			next := &recorder{}
			h := middleware.New(cfg)(next)
			for i, s := range tc.sends {
				got = nil
				next.status.Store(int32(s.status))
				w := serve(h, post(s.body))
				if w.Code != s.want {
					t.Fatalf("send %d: status %d, want %d (%q)", i, w.Code, s.want, w.Body.String())
				}
				if runs := next.runs.Load(); runs != s.wantRuns {
					t.Fatalf("send %d: next ran %d times in all, want %d", i, runs, s.wantRuns)
				}
				if s.wantErr != nil && !errors.Is(got, s.wantErr) {
					t.Fatalf("send %d: error %v, want %v", i, got, s.wantErr)
				}
				if s.want == 200 && w.Body.String() != "success" {
					t.Fatalf("send %d: body %q, want success", i, w.Body.String())
				}
			}
		})
	}
}

// TestReplayWindow runs on the fake clock of a synctest bubble: the entry
// lives while the TimeStamp is fresh, a replay past the window is refused
// as too old, and the store then sweeps the entry.
func TestReplayWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := middleware.NewMemoryStore(middleware.MemoryOptions{})
		next := &recorder{}
		h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}, Replay: store})(next)
		body := stampedNow(t, nil)
		if w := serve(h, post(body)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
		time.Sleep(middleware.DefaultMaxAge)
		if w := serve(h, post(body)); w.Code != 200 || next.runs.Load() != 1 {
			t.Fatalf("at the window's edge: status %d, runs %d; want 200 and 1", w.Code, next.runs.Load())
		}
		time.Sleep(2 * time.Second)
		if w := serve(h, post(body)); w.Code != 401 || next.runs.Load() != 1 {
			t.Fatalf("past the window: status %d, runs %d; want 401 and 1", w.Code, next.runs.Load())
		}
		// Sweeping the expired entry happens on the next insertion.
		serve(h, post(stampedNow(t, nil)))
		if store.Len() != 1 || store.Evicted() != 0 {
			t.Fatalf("store holds %d entries (%d evicted), want only the fresh one", store.Len(), store.Evicted())
		}
	})
}

func TestReplayPanicReleases(t *testing.T) {
	calls := 0
	h := middleware.New(baseConfig())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			panic(http.ErrAbortHandler)
		}
	}))
	body := signedSample(t, nil)
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Fatalf("recovered %v, want the handler's panic", p)
			}
		}()
		serve(h, post(body))
	}()
	if w := serve(h, post(body)); w.Code != 200 || calls != 2 {
		t.Fatalf("after a panic: status %d, calls %d; want 200 and 2", w.Code, calls)
	}
}

// concurrentCase is a first copy being handled while an identical second
// copy arrives.
type concurrentCase struct {
	name       string
	first      int           // the first run's status
	wait       time.Duration // Config.InFlightWait
	wantSecond int
	wantRuns   int32
}

// TestConcurrentCopies sends a second identical copy while the first is
// being handled: it waits for the first's outcome. It runs in a synctest
// bubble, so the wait is on the fake clock and synctest.Wait shows the
// second copy waiting, through the default store.
func TestConcurrentCopies(t *testing.T) {
	tests := []concurrentCase{
		{"first succeeds: second acknowledged", 200, 0, 200, 1},
		{"first fails: second runs the handler", 500, 0, 200, 2},
		{"first too slow: second answers 503", 200, 10 * time.Millisecond, 503, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testConcurrentCopies(t, tc) })
		})
	}
}

func testConcurrentCopies(t *testing.T, tc concurrentCase) {
	cfg := middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}, InFlightWait: tc.wait}
	var errSecond error
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		errSecond = err
		middleware.DefaultErrorHandler(w, r, err)
	}
	next := &recorder{gate: make(chan struct{}), inside: make(chan struct{}, 2)}
	h := middleware.New(cfg)(next)
	body := stampedNow(t, nil)

	results := make(chan int, 1)
	go func() { results <- serve(h, post(body)).Code }()
	<-next.inside // the first copy is being handled
	var (
		second  *httptest.ResponseRecorder
		elapsed time.Duration
	)
	secondDone := make(chan struct{})
	go func() {
		defer close(secondDone)
		start := time.Now()
		second = serve(h, post(body))
		elapsed = time.Since(start)
	}()
	synctest.Wait() // the second copy found it in progress and waits
	if next.runs.Load() != 1 {
		t.Fatalf("the second copy ran the handler while the first was running")
	}
	if tc.wait > 0 {
		<-secondDone // it gave up waiting
		if elapsed < tc.wait {
			t.Fatalf("the second copy waited %v, want InFlightWait (%v)", elapsed, tc.wait)
		}
	}
	next.status.Store(int32(tc.first))
	next.gate <- struct{}{} // let the first finish
	if got := <-results; got != tc.first {
		t.Fatalf("first copy: status %d, want %d", got, tc.first)
	}
	if tc.first != 200 {
		<-next.inside // the second copy runs the handler
		next.status.Store(0)
		next.gate <- struct{}{}
	}
	<-secondDone
	if second.Code != tc.wantSecond {
		t.Fatalf("second copy: status %d, want %d (%q)", second.Code, tc.wantSecond, second.Body.String())
	}
	if tc.wantSecond == 503 {
		if !errors.Is(errSecond, middleware.ErrInFlight) || second.Header().Get("Retry-After") == "" {
			t.Fatalf("second copy: error %v, Retry-After %q; want ErrInFlight and a Retry-After", errSecond, second.Header().Get("Retry-After"))
		}
	}
	if got := next.runs.Load(); got != tc.wantRuns {
		t.Fatalf("next ran %d times, want %d", got, tc.wantRuns)
	}
}

// failingStore fails the calls named in fail, or answers result from Claim.
type failingStore struct {
	middleware.ReplayStore
	fail   string
	result middleware.ClaimResult // answered by Claim when not 0
	zero   bool                   // Claim answers the invalid zero result
}

var errStoreDown = errors.New("redis: connection refused")

func (s *failingStore) Claim(ctx context.Context, key string, fp middleware.Fingerprint, lease, keep time.Duration) (middleware.ClaimResult, error) {
	if s.fail == "claim" {
		return 0, errStoreDown
	}
	if s.result != 0 || s.zero {
		return s.result, nil
	}
	return s.ReplayStore.Claim(ctx, key, fp, lease, keep)
}

func (s *failingStore) Complete(ctx context.Context, key string, fp middleware.Fingerprint, keep time.Duration) error {
	if s.fail == "complete" {
		return errStoreDown
	}
	return s.ReplayStore.Complete(ctx, key, fp, keep)
}

func (s *failingStore) Release(ctx context.Context, key string, fp middleware.Fingerprint) error {
	if s.fail == "release" {
		return errStoreDown
	}
	return s.ReplayStore.Release(ctx, key, fp)
}

func TestStoreFailures(t *testing.T) {
	tests := []struct {
		name     string
		store    *failingStore
		status   int // next's answer
		want     int
		wantRuns int32
		wantErr  error
	}{
		{"claim fails: 503, not handled", &failingStore{fail: "claim"}, 0, 503, 0, middleware.ErrStoreUnavailable},
		{"claim answers an unknown result: 503", &failingStore{result: 42}, 0, 503, 0, middleware.ErrStoreUnavailable},
		{"claim answers the zero result: 503", &failingStore{zero: true}, 0, 503, 0, middleware.ErrStoreUnavailable},
		{"complete fails: the success stands", &failingStore{fail: "complete"}, 0, 200, 1, nil},
		{"release fails: the failure stands", &failingStore{fail: "release"}, 500, 500, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.store.ReplayStore = middleware.NewMemoryStore(middleware.MemoryOptions{Now: fixedNow})
			cfg := baseConfig()
			cfg.Replay = tc.store
			var got error
			cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				middleware.DefaultErrorHandler(w, r, err)
			}
			next := &recorder{}
			next.status.Store(int32(tc.status))
			w := serve(middleware.New(cfg)(next), post(signedSample(t, nil)))
			if w.Code != tc.want || next.runs.Load() != tc.wantRuns {
				t.Fatalf("status %d, runs %d; want %d and %d", w.Code, next.runs.Load(), tc.want, tc.wantRuns)
			}
			if tc.wantErr != nil && !errors.Is(got, tc.wantErr) {
				t.Fatalf("error %v, want %v", got, tc.wantErr)
			}
			if w.Code == 503 && w.Header().Get("Retry-After") == "" {
				t.Fatalf("503 without Retry-After: the sender would not know when to retry")
			}
			if strings.Contains(w.Body.String(), "redis") {
				t.Fatalf("the store's error reached the response: %q", w.Body.String())
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	base := sample()
	fp := middleware.FingerprintOf(base)
	if fp.String() != middleware.FingerprintOf(sample()).String() || len(fp.String()) != 40 {
		t.Fatalf("fingerprint %s not stable", fp)
	}
	// Signed fields and SignMethod do not count; every unsigned one does.
	same := []func(n *payfeedback.Notification){
		func(n *payfeedback.Notification) { n.OpenID = "x" },
		func(n *payfeedback.Notification) { n.TimeStamp = "1" },
		func(n *payfeedback.Notification) { n.AppSignature = "y" },
		func(n *payfeedback.Notification) { n.SignMethod = "SHA1" },
	}
	differ := []func(n *payfeedback.Notification){
		func(n *payfeedback.Notification) { n.MsgType = payfeedback.MsgReject },
		func(n *payfeedback.Notification) { n.FeedBackID += "0" },
		func(n *payfeedback.Notification) { n.TransID = "" },
		func(n *payfeedback.Notification) { n.Reason += " " },
		func(n *payfeedback.Notification) { n.Solution = "" },
		func(n *payfeedback.Notification) { n.ExtInfo = "x" },
		func(n *payfeedback.Notification) { n.PicURLs = nil },
		func(n *payfeedback.Notification) { n.PicURLs = append(n.PicURLs, "") },
		func(n *payfeedback.Notification) { n.Reason, n.Solution = n.Reason+n.Solution, "" },
		func(n *payfeedback.Notification) { n.ExtInfo = strings.Repeat("长", 2000) },
	}
	for i, edit := range same {
		n := sample()
		edit(n)
		if middleware.FingerprintOf(n) != fp {
			t.Errorf("same[%d]: fingerprint changed", i)
		}
	}
	for i, edit := range differ {
		n := sample()
		edit(n)
		if middleware.FingerprintOf(n) == fp {
			t.Errorf("differ[%d]: fingerprint unchanged", i)
		}
	}
}

// TestStoreGivenTheRequestTime: behind the middleware a ReplayStoreAt is
// given the time read for the request, so a MemoryStore reads no clock of
// its own on the way of a notification, and runs on the middleware's.
func TestStoreGivenTheRequestTime(t *testing.T) {
	var storeReads, mwReads int
	store := middleware.NewMemoryStore(middleware.MemoryOptions{Now: func() time.Time {
		storeReads++
		return time.Date(2125, 1, 1, 0, 0, 0, 0, time.UTC) // another clock altogether
	}})
	cfg := baseConfig()
	cfg.Now = func() time.Time { mwReads++; return fixedNow() }
	cfg.Replay = store
	next := &recorder{}
	h := middleware.New(cfg)(next)
	body := signedSample(t, nil)
	for i, want := range []int{200, 200} {
		if w := serve(h, post(body)); w.Code != want {
			t.Fatalf("send %d: status %d", i, w.Code)
		}
	}
	if storeReads != 0 || mwReads != 2 || next.runs.Load() != 1 {
		t.Fatalf("store clock read %d times, middleware clock %d, handler ran %d; want 0, 2 and 1", storeReads, mwReads, next.runs.Load())
	}
}

// TestReplayAfterAFullStore: a replay of a notification after 10,000 others
// (the default store's size) is still acknowledged, not handled twice; the
// store refuses the notification that does not fit (503, Retry-After) and
// WeChat delivers it later. Before the fix the store forgot the oldest and
// the replay ran the handler again.
func TestReplayAfterAFullStore(t *testing.T) {
	next := &recorder{}
	var got error
	cfg := baseConfig()
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		middleware.DefaultErrorHandler(w, r, err)
	}
	h := middleware.New(cfg)(next)
	first := signedSample(t, nil)
	if w := serve(h, post(first)); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	refused := 0
	for i := range middleware.DefaultMaxEntries {
		w := serve(h, post(signedSample(t, func(n *payfeedback.Notification) { n.OpenID = "other-" + strconv.Itoa(i) })))
		switch w.Code {
		case 200:
		case 503:
			refused++
			if !errors.Is(got, middleware.ErrStoreFull) || w.Header().Get("Retry-After") == "" {
				t.Fatalf("other %d: 503 with %v, Retry-After %q; want ErrStoreFull and a Retry-After", i, got, w.Header().Get("Retry-After"))
			}
		default:
			t.Fatalf("other %d: status %d", i, w.Code)
		}
	}
	if w := serve(h, post(first)); w.Code != 200 || next.runs.Load() != int32(middleware.DefaultMaxEntries) {
		t.Fatalf("replay of the first: status %d, handler runs %d; want 200 and %d (the replay not handled)",
			w.Code, next.runs.Load(), middleware.DefaultMaxEntries)
	}
	if refused != 1 {
		t.Fatalf("%d notifications refused, want 1 (the one that did not fit)", refused)
	}
}

// TestInProgressNeverForgotten runs in a synctest bubble: a notification
// whose handler is still running, then others filling a small store. A
// copy of the first must not run the handler at the same time: the store
// keeps its claim. Before the fix the claim closest to expiry was
// forgotten, in progress or not, and the copy ran the handler at once.
func TestInProgressNeverForgotten(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		var running, maxRunning, runs atomic.Int32
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if middleware.FromContext(r.Context()).OpenID != "slow" {
				return
			}
			runs.Add(1)
			n := running.Add(1)
			defer running.Add(-1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			<-gate
		})
		store := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 2})
		h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}, Replay: store,
			InFlightWait: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})(next)
		// The slow one's TimeStamp is the oldest: it is the first to leave
		// the window, and so the first a store forgetting by expiry took.
		slow := signedSample(t, func(n *payfeedback.Notification) {
			n.OpenID, n.TimeStamp = "slow", itoa(time.Now().Unix()-60)
		})
		firstDone := make(chan int)
		go func() { firstDone <- serve(h, post(slow)).Code }()
		synctest.Wait() // the slow handler is running
		for i := range 3 {
			serve(h, post(stampedNow(t, func(n *payfeedback.Notification) { n.OpenID = "u" + strconv.Itoa(i) })))
		}
		copyDone := make(chan int)
		go func() { copyDone <- serve(h, post(slow)).Code }()
		synctest.Wait()
		if m := maxRunning.Load(); m > 1 {
			close(gate)
			<-firstDone
			<-copyDone
			t.Fatalf("%d runs of the slow notification's handler at once: its claim in progress was forgotten", m)
		}
		close(gate)
		if code := <-firstDone; code != 200 {
			t.Fatalf("the slow notification: status %d", code)
		}
		if code := <-copyDone; code != 503 && code != 200 {
			t.Fatalf("its copy: status %d, want 503 (still in progress) or 200 (acknowledged)", code)
		}
		if n := runs.Load(); n != 1 {
			t.Fatalf("the slow notification ran %d times, want once", n)
		}
		if store.Evicted() != 0 {
			t.Fatalf("the default store forgot %d fresh entries", store.Evicted())
		}
	})
}

// TestDispatcherPanicReleases: a Dispatcher called directly by the
// middleware releases the claim when its function panics, as any handler
// does: the re-delivery runs it again.
func TestDispatcherPanicReleases(t *testing.T) {
	calls := 0
	d := middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error {
		calls++
		if calls == 1 {
			panic(http.ErrAbortHandler)
		}
		return nil
	}}
	h := middleware.New(baseConfig())(d)
	body := signedSample(t, nil)
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Fatalf("recovered %v, want the function's panic", p)
			}
		}()
		serve(h, post(body))
	}()
	if w := serve(h, post(body)); w.Code != 200 || calls != 2 {
		t.Fatalf("after a panic: status %d, calls %d; want 200 and 2", w.Code, calls)
	}
}

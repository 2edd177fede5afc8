package mockwechat

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestCallsPerMinute: with Options.CallsPerMinute, each account's calls of
// each endpoint beyond the limit answer 45011 until the minute has passed
// on the fake's clock; other endpoints and other accounts keep theirs.
func TestCallsPerMinute(t *testing.T) {
	s, clk := newVirtual(t, Options{CallsPerMinute: 2})
	ctx := testCtx(t)
	c, _ := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1"})
	tok, _ := s.Token("")
	for i, want := range []payfeedback.ErrorCode{0, 0, payfeedback.CodeMinuteQuota} {
		if got := update(t, s, tok, "o1", c.FeedBackID); got != want {
			t.Fatalf("update %d: errcode %d, want %d", i+1, got, want)
		}
	}
	if a := do(t, s, "GET", payfeedback.PathToken, url.Values{"grant_type": {"client_credential"}, "appid": {DemoAccount().AppID},
		"secret": {DemoAccount().Secret}}, ""); a.ErrCode != 0 {
		t.Fatalf("the token endpoint has its own count: %s", a.raw)
	}
	clk.Advance(30 * time.Second)
	if got := update(t, s, tok, "o1", c.FeedBackID); got != 0 {
		t.Fatalf("half a minute later (one call back): errcode %d", got)
	}
	if got := update(t, s, tok, "o1", c.FeedBackID); got != payfeedback.CodeMinuteQuota {
		t.Fatalf("and again: errcode %d, want 45011", got)
	}
	if calls := s.Calls(); calls[2].ErrCode != payfeedback.CodeMinuteQuota {
		t.Fatalf("the refused call is logged with %d", calls[2].ErrCode)
	}
}

// TestPushRate: Options.PushRate paces push attempts (real time): at 20 a
// second (a burst of one), the third push is sent at least 100 ms after the
// first, so it arrives at least 100 ms after the pushes began. (The test
// measured from the first push's arrival: a first push delayed by a busy
// machine made the gap look short, 87 ms at a load average of 11.)
func TestPushRate(t *testing.T) {
	var mu sync.Mutex
	var arrived []time.Time
	rcv := newHandlerServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived = append(arrived, time.Now())
		mu.Unlock()
		w.Write([]byte("success"))
	}))
	s, _ := newVirtual(t, Options{PushRate: 20, Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k", NotifyURL: rcv.URL}}})
	ctx := testCtx(t)
	began := time.Now()
	for range 3 {
		if _, err := s.FileComplaint(ctx, ComplaintSpec{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrived) != 3 {
		t.Fatalf("%d pushes arrived", len(arrived))
	}
	if gap := arrived[2].Sub(began); gap < 100*time.Millisecond {
		t.Fatalf("three pushes at 20/s arrived within %v of the first complaint filed", gap)
	}
}

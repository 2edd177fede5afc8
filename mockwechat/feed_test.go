package mockwechat

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestSubscribe: one event per change, in order, with a live-log line
// each: the complaint filed, its push sent and answered, the merchant's
// API calls, the complaint handled, the clock moved.
func TestSubscribe(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, clk := newVirtual(t, Options{Accounts: []Account{demo}})
	sub := s.Subscribe(0)
	defer sub.Close()
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o-demo"})
	if err != nil {
		t.Fatal(err)
	}
	s.WaitIdle(ctx)
	tok := getToken(t, s, demo)
	update(t, s, tok, "o-demo", c.FeedBackID)
	clk.Advance(time.Hour)

	var kinds []EventKind
	var lines []string
	var last uint64
	for len(kinds) == 0 || kinds[len(kinds)-1] != EventClock {
		select {
		case e := <-sub.Events():
			if e.Seq != last+1 {
				t.Fatalf("event %d after %d: a gap without drops", e.Seq, last)
			}
			last = e.Seq
			kinds = append(kinds, e.Kind)
			lines = append(lines, e.String())
		case <-time.After(5 * time.Second):
			t.Fatalf("no clock event; got %v", lines)
		}
	}
	// The update's change is told as it happens, its call once answered.
	want := []EventKind{EventWorld, EventComplaint, EventPush, EventPush, EventCall, EventComplaint, EventCall, EventClock}
	if strings.Join(kindNames(kinds), " ") != strings.Join(kindNames(want), " ") {
		t.Fatalf("kinds %v, want %v\n%s", kinds, want, strings.Join(lines, "\n"))
	}
	short := c.FeedBackID[:4] + "…"
	for i, w := range []string{
		"order " + c.TransID[:4] + "… paid by o-demo",
		"complaint " + short + " filed by o-demo (filed)",
		"--> push request " + short + " to " + rc.URL + " (attempt 1/16)",
		`<-- 200 "success" in `,
		"API GET /cgi-bin/token errcode=0 appid=" + demo.AppID,
		"complaint " + short + " handled (handled)",
		"API GET /payfeedback/update errcode=0 openid=o-demo feedbackid=" + short,
		"clock 2025-03-01T10:00:00Z → 2025-03-01T11:00:00Z (+1h0m0s)",
	} {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d %q, want it to contain %q", i, lines[i], w)
		}
	}
	if !strings.HasSuffix(lines[3], "; delivered") {
		t.Errorf("answered line %q, want the delivery's outcome", lines[3])
	}
	s.Close()
	if _, open := <-sub.Events(); open {
		t.Fatal("the subscription stays open after Close")
	}
}

func kindNames(ks []EventKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// TestSlowSubscriberNeverSlowsTheFake: a subscriber that never reads
// drops what its buffer cannot hold, counted; the API answers regardless.
func TestSlowSubscriberNeverSlowsTheFake(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	sub := s.Subscribe(1)
	defer sub.Close()
	q := url.Values{"grant_type": {"client_credential"}, "appid": {DemoAccount().AppID}, "secret": {DemoAccount().Secret}}
	for range 50 {
		if a := do(t, s, "GET", payfeedback.PathToken, q, ""); a.ErrCode != 0 {
			t.Fatalf("token call with a stalled subscriber: %s", a.raw)
		}
	}
	if got := sub.Dropped(); got != 49 {
		t.Fatalf("dropped %d events, want 49 (one held)", got)
	}
	e := <-sub.Events()
	if e.Seq != 1 || e.Call == nil {
		t.Fatalf("the held event: %+v", e)
	}
}

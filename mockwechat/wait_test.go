package mockwechat

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestWaitWithoutDeadlineEnds: a wait whose context has no deadline ends
// after Options.WaitTimeout, saying what it waited for and what it saw,
// instead of blocking until go test -timeout dumps the goroutines (it
// blocked for ever before: in the bubble, a deadlock). The bubble's clock
// runs the 30 s at once.
func TestWaitWithoutDeadlineEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewUnstartedServer(Options{Clock: NewVirtualClock(t0)})
		defer s.Close()
		demo := DemoAccount()
		rec := httptest.NewRecorder()
		q := url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}, "secret": {"wrong"}}
		req := httptest.NewRequest(http.MethodGet, payfeedback.PathToken+"?"+q.Encode(), nil)
		req.Host = "127.0.0.1" // httptest's example.com is no name of the fake's (421)
		s.ServeHTTP(rec, req)

		_, err := s.WaitForCall(context.Background(), CallTo(payfeedback.PathUpdateFeedback))
		for _, want := range []string{
			"mockwechat: waited for a matching API call (WaitForCall): none came within 30s (its context had no deadline: Options.WaitTimeout bounds it",
			"seen: 1 API calls, the last: API GET /cgi-bin/token errcode=40125",
		} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("WaitForCall without a deadline: %v\nwant it to say %q", err, want)
			}
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitForCall's error %v does not wrap context.DeadlineExceeded", err)
		}

		c, err := s.FileComplaint(context.Background(), ComplaintSpec{OpenID: "o1"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.WaitForComplaint(context.Background(), c.FeedBackID, func(c Complaint) bool { return c.State == StateHandled })
		if want := "complaint " + c.FeedBackID + " is filed, 0 updates"; err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitForComplaint without a deadline: %v\nwant it to say %q", err, want)
		}
		_, err = s.WaitForDelivery(context.Background(), nil)
		if want := "seen: no push (no complaint filed, or the account has no notify URL)"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("WaitForDelivery without a deadline: %v\nwant it to say %q", err, want)
		}

		s2 := NewUnstartedServer(Options{Clock: NewVirtualClock(t0), WaitTimeout: time.Hour})
		defer s2.Close()
		start := time.Now()
		s2.WaitForCall(context.Background(), nil)
		if d := time.Since(start); d != time.Hour {
			t.Errorf("with Options.WaitTimeout 1h the wait ended after %s", d)
		}
	})
}

// TestWaitErrorShowsTheDeliveries: a wait for a delivery that does not
// come shows the last attempts and their answers, and, on a virtual clock
// with a retry scheduled, that the clock must be advanced: the README's
// trap (a merchant refusing every push as too old) ended in a bare
// "context deadline exceeded" before.
func TestWaitErrorShowsTheDeliveries(t *testing.T) {
	demo := DemoAccount()
	merchant := newHandlerServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "TimeStamp too old", http.StatusUnauthorized)
	}))
	demo.NotifyURL = merchant.URL
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	c, err := s.FileComplaint(testCtx(t), ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitIdle(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel() // the wait sees the world once, then its context has ended
	_, err = s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	for _, want := range []string{
		"mockwechat: waited for a matching delivery (WaitForDelivery): none came before its context ended",
		"#1 request " + c.FeedBackID + " to " + merchant.URL + `: 1 attempts, the last answered 401 "TimeStamp too old", next attempt at 2025-03-01T10:00:15Z`,
		"the virtual clock reads 2025-03-01T10:00:00Z and events wait on it (retries, deadlines): Advance moves it",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("WaitForDelivery: %v\nwant it to say %q", err, want)
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WaitForDelivery's error %v does not wrap context.Canceled", err)
	}
}

package mockwechat

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestReset: POST /_mock/reset puts the world, the clock, the faults and
// the limits back where New left them (the accounts kept as they stand),
// empties the call and delivery logs, and forgets the retries and
// deadlines of the old world; the fake then goes on as a fresh one, but
// for its ids: none is handed out twice (the first complaint after a
// reset got the first complaint's id again before).
func TestReset(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, clk := newVirtual(t, Options{Accounts: []Account{demo}, CallsPerMinute: 1})
	ctx := testCtx(t)
	sub := s.Subscribe(64)
	defer sub.Close()

	c1, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1", Goods: payfeedback.GoodsVirtual})
	if err != nil {
		t.Fatal(err)
	}
	s.WaitIdle(ctx)
	tok := getToken(t, s, demo)
	if a := do(t, s, "GET", payfeedback.PathToken, url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}, "secret": {demo.Secret}}, ""); a.ErrCode != payfeedback.CodeMinuteQuota {
		t.Fatalf("a second token call within the minute: %+v, want 45011", a)
	}
	rc.answerNext(http.StatusInternalServerError) // c2's request fails: a retry is scheduled
	c2, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o2"})
	if err != nil {
		t.Fatal(err)
	}
	s.WaitIdle(ctx)
	if err := s.AddAccount(Account{AppID: "wx2", Secret: "s", PaySignKey: "k"}); err != nil {
		t.Fatal(err)
	}
	s.InjectFault(Fault{Endpoint: payfeedback.PathToken, ErrCode: -1})
	if n := len(rc.notifications()); n != 1 {
		t.Fatalf("%d notifications before the reset, want 1", n)
	}

	code, raw := adminCall(t, s, "POST", "/_mock/reset", "", nil)
	if code != http.StatusOK {
		t.Fatalf("POST /_mock/reset: HTTP %d %s", code, raw)
	}

	switch {
	case len(s.Complaints()) != 0:
		t.Fatalf("complaints after reset: %+v", s.Complaints())
	case len(s.Accounts()) != 2 || s.Accounts()[0].AppID != "wx2" || s.Accounts()[1].NotifyURL != rc.URL:
		t.Fatalf("accounts after reset: %+v, want both, kept as they stood", s.Accounts())
	case len(s.Faults()) != 0, len(s.Calls()) != 0, len(s.Deliveries()) != 0:
		t.Fatalf("after reset: %d faults, %d calls, %d deliveries", len(s.Faults()), len(s.Calls()), len(s.Deliveries()))
	case !s.Now().Equal(t0):
		t.Fatalf("the clock reads %v after reset, want %v", s.Now(), t0)
	}
	if s.bus.Pending() != 0 || clk.Pending() != 0 {
		t.Fatalf("after reset: %d deadlines, %d events on the clock: the old world's were kept", s.bus.Pending(), clk.Pending())
	}
	if _, ok := s.User(demo.AppID, "o1"); ok {
		t.Fatal("user o1 survived the reset")
	}
	if a := do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok}, "openid": {"o1"}, "feedbackid": {c1.FeedBackID}}, ""); a.ErrCode != payfeedback.CodeInvalidCredential {
		t.Fatalf("the old token after reset: %+v, want 40001", a)
	}
	getToken(t, s, demo) // the per-minute limit starts afresh although the clock went back

	// The old world's retry (c2, in 15 s) and deadlines (c1, c2: 3 days) are
	// forgotten; a complaint filed now is the first again, with an id of its
	// own.
	again, err := s.FileComplaint(ctx, ComplaintSpec{AppID: demo.AppID, OpenID: "o1", Goods: payfeedback.GoodsVirtual})
	if err != nil {
		t.Fatal(err)
	}
	if again.FeedBackID == c1.FeedBackID || again.FeedBackID == c2.FeedBackID || again.TransID == c1.TransID {
		t.Fatalf("the first complaint after reset has id %s and transid %s, as a complaint before it: ids must stay unique", again.FeedBackID, again.TransID)
	}
	clk.Advance(4 * 24 * time.Hour)
	s.WaitIdle(ctx)
	for _, n := range rc.notifications()[1:] {
		if n.FeedBackID == c2.FeedBackID {
			t.Fatal("a retry of the old world was pushed after the reset")
		}
	}
	if ds := s.Deliveries(); len(ds) != 1 || ds[0].FeedBackID != again.FeedBackID || !ds[0].Delivered {
		t.Fatalf("deliveries after reset: %+v", ds)
	}
	if got, _ := s.Complaint(again.FeedBackID); !got.Overdue {
		t.Fatal("a complaint filed after the reset does not go overdue: its deadline was not scheduled")
	}

	heard := false
	for len(sub.Events()) > 0 {
		if e := <-sub.Events(); e.Change != nil && e.Change.What == "world-reset" {
			heard = true
		}
	}
	if !heard {
		t.Fatal("no world-reset event")
	}
}

// TestResetKeepsTheAccounts: a reset keeps the accounts as they stand —
// added since, their notify URL and settings changed since — and forgets
// their tokens: the console said it kept the accounts, and the reset
// dropped those set at run time (pushes then silently stopped).
func TestResetKeepsTheAccounts(t *testing.T) {
	demo := DemoAccount()
	demo.Reasons = []string{"质量问题"}
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)
	rc := newReceiver(t, "k2")
	if err := s.SetReasons(demo.AppID, []string{"别的"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAccount(Account{AppID: "wx2", Secret: "s2", PaySignKey: "k2", NotifyURL: rc.URL}); err != nil {
		t.Fatal(err)
	}
	tok, err := s.Token("wx2")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if r := s.Reasons(demo.AppID); len(r) != 1 || r[0] != "别的" {
		t.Fatalf("reasons after reset: %v, want those set before it", r)
	}
	if a := do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok}, "openid": {"o1"}, "feedbackid": {"1"}}, ""); a.ErrCode != payfeedback.CodeInvalidCredential {
		t.Fatalf("wx2's token after reset: %+v, want 40001", a)
	}
	c, err := s.FileComplaint(ctx, ComplaintSpec{AppID: "wx2", OpenID: "o1"})
	if err != nil {
		t.Fatalf("filing with the account added before the reset: %v", err)
	}
	if _, err := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest)); err != nil || len(rc.notifications()) != 1 {
		t.Fatalf("the push to the notify URL set before the reset: %v, %d notifications", err, len(rc.notifications()))
	}
	s.Close()
	if err := s.Reset(testCtx(t)); err == nil {
		t.Fatal("Reset of a closed server succeeded")
	}
}

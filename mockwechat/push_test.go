package mockwechat

import (
	"net/http"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func TestPushSignedRequest(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1", TransID: "1000000001", Reason: "坏了", Solution: "退款", ExtInfo: "call 123", PicURLs: []string{"http://p/1"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Delivered || len(d.Attempts) != 1 || d.Attempts[0].Status != 200 {
		t.Fatalf("delivery: %+v", d)
	}
	got := rc.notifications()
	if len(got) != 1 {
		t.Fatalf("receiver got %d notifications", len(got))
	}
	n := got[0]
	want := payfeedback.Notification{AppID: demo.AppID, OpenID: "o1", MsgType: payfeedback.MsgRequest, FeedBackID: c.FeedBackID,
		TransID: "1000000001", Reason: "坏了", Solution: "退款", ExtInfo: "call 123", PicURLs: []string{"http://p/1"},
		TimeStamp: "1740823200", SignMethod: "sha1", AppSignature: n.AppSignature}
	if n.AppID != want.AppID || n.OpenID != want.OpenID || n.MsgType != want.MsgType || n.FeedBackID != want.FeedBackID ||
		n.TransID != want.TransID || n.Reason != want.Reason || n.Solution != want.Solution || n.ExtInfo != want.ExtInfo ||
		len(n.PicURLs) != 1 || n.TimeStamp != want.TimeStamp {
		t.Fatalf("notification %+v, want %+v", n, want)
	}
}

func TestPushRetriesFlakyReceiver(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, clk := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)
	rc.answerNext(500, 503, 404)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	d := s.Deliveries()[0]
	if d.Done() || len(d.Attempts) != 1 || !d.NextAttempt.Equal(t0.Add(15*time.Second)) {
		t.Fatalf("after a 500: %+v", d)
	}
	clk.Advance(15*time.Second + 15*time.Second + 30*time.Second - time.Second)
	d = s.Deliveries()[0]
	if len(d.Attempts) != 3 || d.Done() {
		t.Fatalf("just before the 4th attempt: %d attempts, done %v", len(d.Attempts), d.Done())
	}
	clk.Advance(time.Second)
	d = s.Deliveries()[0]
	if !d.Delivered || len(d.Attempts) != 4 {
		t.Fatalf("after the 4th attempt: %+v", d)
	}
	wantStatus := []int{500, 503, 404, 200}
	for i, a := range d.Attempts {
		if a.Status != wantStatus[i] || a.OK != (i == 3) {
			t.Errorf("attempt %d: status %d ok %v, want %d", i+1, a.Status, a.OK, wantStatus[i])
		}
	}
	// Each attempt is signed afresh with the time it is made.
	if d.Attempts[0].TimeStamp == d.Attempts[3].TimeStamp {
		t.Error("retry reuses the first attempt's TimeStamp")
	}
	if got := rc.notifications(); len(got) != 1 || got[0].FeedBackID != c.FeedBackID {
		t.Fatalf("receiver accepted %d", len(got))
	}
}

func TestPushFailsAfterSchedule(t *testing.T) {
	dead := newReceiver(t, "k")
	dead.Close() // connection refused
	s, clk := newVirtual(t, Options{Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k", NotifyURL: dead.URL}},
		RetrySchedule: []time.Duration{time.Minute, time.Hour}})
	ctx := testCtx(t)
	if _, err := s.FileComplaint(ctx, ComplaintSpec{}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Hour)
	d := s.Deliveries()[0]
	if !d.Failed || d.Delivered || len(d.Attempts) != 3 {
		t.Fatalf("delivery to a dead receiver: %+v", d)
	}
	for _, a := range d.Attempts {
		if a.Err == "" || a.Status != 0 {
			t.Errorf("attempt %+v: want a connection error", a)
		}
	}
}

func TestPushStrictAck(t *testing.T) {
	okText := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }
	}
	for _, tt := range []struct {
		body   string
		strict bool
		want   bool
	}{
		{"success", true, true},
		{" success\n", true, true},
		{"OK", true, false},
		{"", true, false},
		{"", false, true},
	} {
		srv := newHandlerServer(t, okText(tt.body))
		s, _ := newVirtual(t, Options{StrictPushAck: tt.strict, RetrySchedule: []time.Duration{},
			Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k", NotifyURL: srv.URL}}})
		ctx := testCtx(t)
		c, _ := s.FileComplaint(ctx, ComplaintSpec{})
		d, err := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
		if err != nil {
			t.Fatal(err)
		}
		if d.Delivered != tt.want {
			t.Errorf("body %q strict %v: delivered %v, want %v", tt.body, tt.strict, d.Delivered, tt.want)
		}
	}
}

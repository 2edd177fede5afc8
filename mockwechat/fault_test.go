package mockwechat

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func TestFaultValidation(t *testing.T) {
	tests := []struct {
		name string
		f    Fault
		ok   bool
	}{
		{"errcode", Fault{Endpoint: payfeedback.PathToken, ErrCode: -1}, true},
		{"any endpoint 503", Fault{HTTPStatus: 503, Count: 3}, true},
		{"delay alone", Fault{Endpoint: payfeedback.PathUpdateFeedback, Delay: time.Millisecond}, true},
		{"delay then drop", Fault{Endpoint: payfeedback.PathUpdateFeedback, Delay: time.Millisecond, Drop: true}, true},
		{"push duplicate+tamper", Fault{Endpoint: EndpointPush, Duplicate: true, TamperFields: true, TamperSignature: true}, true},
		{"push late", Fault{Endpoint: EndpointPush, Delay: time.Minute, MsgType: payfeedback.MsgConfirm}, true},
		{"nothing", Fault{Endpoint: payfeedback.PathToken}, false},
		{"unknown endpoint", Fault{Endpoint: "/cgi-bin/nope", ErrCode: 1}, false},
		{"two effects", Fault{ErrCode: 40001, HTTPStatus: 500}, false},
		{"2xx status", Fault{HTTPStatus: 200}, false},
		{"negative count", Fault{ErrCode: -1, Count: -1}, false},
		{"push flag on API", Fault{Endpoint: payfeedback.PathToken, Duplicate: true}, false},
		{"errcode on push", Fault{Endpoint: EndpointPush, ErrCode: 1}, false},
		{"push nothing", Fault{Endpoint: EndpointPush}, false},
		{"push drop+duplicate", Fault{Endpoint: EndpointPush, Drop: true, Duplicate: true}, false},
		{"push bad msgtype", Fault{Endpoint: EndpointPush, Drop: true, MsgType: "nope"}, false},
	}
	s, _ := newVirtual(t, Options{})
	for _, tt := range tests {
		err := s.AddFault(tt.f)
		if (err == nil) != tt.ok {
			t.Errorf("%s: AddFault = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
	s.ClearFaults()
	if n := len(s.Faults()); n != 0 {
		t.Fatalf("%d faults after ClearFaults", n)
	}
	defer func() {
		if recover() == nil {
			t.Error("InjectFault of a senseless fault did not panic")
		}
	}()
	s.InjectFault(Fault{})
}

func TestAPIFaults(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	demo := DemoAccount()
	s.AddAccount(Account{AppID: "wxother", Secret: "s", PaySignKey: "k"})
	tokQ := url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}, "secret": {demo.Secret}}

	s.InjectFault(Fault{Endpoint: payfeedback.PathToken, AppID: "wxother", ErrCode: -1})
	s.InjectFault(Fault{Endpoint: payfeedback.PathToken, AppID: demo.AppID, ErrCode: payfeedback.CodeQuotaExceeded, Count: 2})
	for i, want := range []payfeedback.ErrorCode{45009, 45009, 0} {
		if a := do(t, s, "GET", payfeedback.PathToken, tokQ, ""); a.ErrCode != want {
			t.Fatalf("token call %d: %s, want %d", i+1, a.raw, want)
		}
	}
	if f := s.Faults(); len(f) != 1 || f[0].AppID != "wxother" {
		t.Fatalf("remaining faults: %+v", f)
	}
	calls := s.Calls()
	if calls[0].Fault != "errcode 45009" || calls[2].Fault != "" {
		t.Fatalf("faults in the call log: %q, %q", calls[0].Fault, calls[2].Fault)
	}
	s.ClearFaults()

	tok := getToken(t, s, demo)
	s.InjectFault(Fault{Endpoint: payfeedback.PathUpdateFeedback, HTTPStatus: 503})
	a := do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok}}, "")
	if a.status != 503 || !strings.Contains(a.raw, "503") {
		t.Fatalf("injected 503: HTTP %d %q", a.status, a.raw)
	}

	s.InjectFault(Fault{Endpoint: payfeedback.PathSendMessage, Drop: true})
	_, err := s.Client().Post(s.URL+payfeedback.PathSendMessage+"?access_token="+tok, "application/json", strings.NewReader(`{}`))
	if err == nil {
		t.Fatal("dropped connection answered")
	}
	dropped, err := s.WaitForCall(testCtx(t), CallTo(payfeedback.PathSendMessage))
	if err != nil || dropped.Fault != "drop" || dropped.Status != 0 {
		t.Fatalf("dropped call recorded as %+v (%v)", dropped, err)
	}

	s.InjectFault(Fault{Endpoint: payfeedback.PathToken, Delay: time.Millisecond})
	if a := do(t, s, "GET", payfeedback.PathToken, tokQ, ""); a.ErrCode != 0 {
		t.Fatalf("delayed call: %s, want served", a.raw)
	}
	calls = s.Calls()
	if last := calls[len(calls)-1]; last.Fault != "delay 1ms" || last.ErrCode != 0 {
		t.Fatalf("delayed call recorded as %+v", last)
	}
}

// pushWorld is a fake with a virtual clock pushing to a verifying receiver.
func pushWorld(t *testing.T) (*Server, *VirtualClock, *receiver) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, clk := newVirtual(t, Options{Accounts: []Account{demo}})
	return s, clk, rc
}

func TestPushFaultDrop(t *testing.T) {
	s, clk, rc := pushWorld(t)
	ctx := testCtx(t)
	s.InjectFault(Fault{Endpoint: EndpointPush, Drop: true})
	c, _ := s.FileComplaint(ctx, ComplaintSpec{})
	s.WaitIdle(ctx)
	if n := len(rc.notifications()); n != 0 {
		t.Fatalf("dropped push reached the receiver (%d)", n)
	}
	clk.Advance(15 * time.Second)
	d, _ := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if !d.Delivered || len(d.Attempts) != 2 || d.Attempts[0].Fault != "drop" || d.Attempts[0].Status != 0 {
		t.Fatalf("delivery: %+v", d)
	}
}

func TestPushFaultLate(t *testing.T) {
	s, clk, rc := pushWorld(t)
	ctx := testCtx(t)
	s.InjectFault(Fault{Endpoint: EndpointPush, Delay: time.Hour})
	c, _ := s.FileComplaint(ctx, ComplaintSpec{})
	clk.Advance(time.Hour - time.Second)
	if n := len(rc.notifications()); n != 0 {
		t.Fatal("late push arrived early")
	}
	clk.Advance(time.Second)
	d, _ := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if !d.Delivered || !d.Attempts[0].Time.Equal(t0.Add(time.Hour)) || len(d.Faults) != 1 || d.Faults[0] != "late 1h0m0s" {
		t.Fatalf("late delivery: %+v", d)
	}
	if got := rc.notifications(); got[0].TimeStamp != "1740826800" {
		t.Fatalf("late push signed at %s, want the time it is sent", got[0].TimeStamp)
	}
}

func TestPushFaultOutOfOrder(t *testing.T) {
	s, _, rc := pushWorld(t)
	ctx := testCtx(t)
	s.InjectFault(Fault{Endpoint: EndpointPush, OutOfOrder: true})
	first, _ := s.FileComplaint(ctx, ComplaintSpec{})
	s.WaitIdle(ctx)
	second, _ := s.FileComplaint(ctx, ComplaintSpec{})
	if _, err := s.WaitForDelivery(ctx, DeliveryDone(first.FeedBackID, payfeedback.MsgRequest)); err != nil {
		t.Fatal(err)
	}
	got := rc.notifications()
	if len(got) != 2 || got[0].FeedBackID != second.FeedBackID || got[1].FeedBackID != first.FeedBackID {
		t.Fatalf("order received: %v", ids(got))
	}
}

func TestPushFaultDuplicateAndTamper(t *testing.T) {
	s, clk, rc := pushWorld(t)
	ctx := testCtx(t)

	s.InjectFault(Fault{Endpoint: EndpointPush, Duplicate: true})
	c, _ := s.FileComplaint(ctx, ComplaintSpec{})
	d, _ := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if len(d.Attempts) != 2 || d.Attempts[1].Fault != "duplicate" || d.Attempts[0].Body != d.Attempts[1].Body {
		t.Fatalf("duplicate: %+v", d.Attempts)
	}
	if got := rc.notifications(); len(got) != 2 || got[0].AppSignature != got[1].AppSignature {
		t.Fatalf("receiver got %d copies", len(got))
	}

	s.InjectFault(Fault{Endpoint: EndpointPush, TamperSignature: true})
	c2, _ := s.FileComplaint(ctx, ComplaintSpec{})
	s.WaitIdle(ctx)
	if rc.refused() != 1 {
		t.Fatalf("receiver refused %d, want the tampered push refused", rc.refused())
	}
	clk.Advance(15 * time.Second)
	d, _ = s.WaitForDelivery(ctx, DeliveryDone(c2.FeedBackID, payfeedback.MsgRequest))
	if !d.Delivered || d.Attempts[0].Fault != "tamper-signature" || d.Attempts[0].Status != 400 || !d.Attempts[1].OK {
		t.Fatalf("tampered then retried: %+v", d.Attempts)
	}

	s.InjectFault(Fault{Endpoint: EndpointPush, TamperFields: true})
	c3, _ := s.FileComplaint(ctx, ComplaintSpec{Reason: "late"})
	d, _ = s.WaitForDelivery(ctx, DeliveryDone(c3.FeedBackID, payfeedback.MsgRequest))
	if len(d.Attempts) != 2 || d.Attempts[1].Fault != "tamper-fields" || d.Attempts[1].OK {
		t.Fatalf("forged copy: %+v", d.Attempts)
	}
	got := rc.notifications()
	forged := got[len(got)-1]
	genuine := got[len(got)-2]
	if forged.AppSignature != genuine.AppSignature || forged.TimeStamp != genuine.TimeStamp ||
		forged.FeedBackID == genuine.FeedBackID || forged.Reason != "forged: late" {
		t.Fatalf("forged %+v vs genuine %+v", forged, genuine)
	}
}

func ids(ns []*payfeedback.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.FeedBackID)
	}
	return out
}

func TestPushFaultOnlyMatchingMsgType(t *testing.T) {
	s, _, rc := pushWorld(t)
	ctx := testCtx(t)
	s.InjectFault(Fault{Endpoint: EndpointPush, MsgType: payfeedback.MsgConfirm, Drop: true})
	c, _ := s.FileComplaint(ctx, ComplaintSpec{})
	s.WaitIdle(ctx)
	if len(rc.notifications()) != 1 {
		t.Fatal("request push affected by a confirm-only fault")
	}
	s.Confirm(ctx, c.FeedBackID)
	s.WaitIdle(ctx)
	if len(rc.notifications()) != 1 || len(s.Faults()) != 0 {
		t.Fatal("confirm push not dropped")
	}
	_ = http.StatusOK
}

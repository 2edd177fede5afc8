package mockwechat

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func TestUnknownPathsAndMethods(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/cgi-bin/nope", 404},
		{"POST", "/", 404}, // GET / is the console
		{"POST", payfeedback.PathToken, 405},
		{"POST", payfeedback.PathUpdateFeedback, 405},
		{"GET", payfeedback.PathSendMessage, 405},
		{"GET", payfeedback.PathDeliverNotify, 405},
		{"GET", payfeedback.PathUploadMedia, 405},
	}
	for _, tt := range tests {
		a := do(t, s, tt.method, tt.path, nil, "")
		if a.status != tt.status || a.ErrCode != -1 || a.ErrMsg == "" {
			t.Errorf("%s %s: HTTP %d %s, want %d and errcode -1", tt.method, tt.path, a.status, a.raw, tt.status)
		}
		if strings.Contains(a.raw, "goroutine") {
			t.Errorf("%s %s leaks a stack trace", tt.method, tt.path)
		}
	}
	if n := len(s.Calls()); n != len(tests) {
		t.Fatalf("%d calls recorded, want every one", n)
	}
}

func TestRecoverPanic(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", payfeedback.PathToken, nil)
	func() {
		defer s.recoverPanic(w, r)
		panic("boom")
	}()
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"errcode":-1`) || strings.Contains(w.Body.String(), "boom") {
		t.Fatalf("panic answered %d %q", w.Code, w.Body.String())
	}
}

func TestEmbeddedHandler(t *testing.T) {
	clk := NewVirtualClock(t0)
	s, err := New(Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mux := http.NewServeMux()
	mux.Handle("/wechat/", http.StripPrefix("/wechat", s))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	demo := DemoAccount()
	resp, err := http.Get(srv.URL + "/wechat" + payfeedback.PathToken + "?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret)
	if err != nil {
		t.Fatal(err)
	}
	var a apiAnswer
	decodeAnswer(t, resp, &a)
	if a.AccessToken == "" {
		t.Fatalf("embedded token call: %s", a.raw)
	}
	if s.URL != "" {
		t.Fatalf("an unstarted server has URL %q", s.URL)
	}
}

func TestCallLogBounded(t *testing.T) {
	s, _ := newVirtual(t, Options{CallLogSize: 5})
	for i := 0; i < 8; i++ {
		do(t, s, "GET", payfeedback.PathToken, url.Values{"n": {string(rune('a' + i))}}, "")
	}
	calls := s.Calls()
	if len(calls) != 5 || calls[0].Seq != 4 || calls[4].Seq != 8 || calls[4].Query.Get("n") != "h" {
		t.Fatalf("bounded log: %d calls, first seq %d", len(calls), calls[0].Seq)
	}
	got, next := s.CallsSince(7)
	if len(got) != 2 || next != 9 {
		t.Fatalf("CallsSince(7): %d calls, next %d", len(got), next)
	}
	s.ClearCalls()
	if len(s.Calls()) != 0 {
		t.Fatal("calls after ClearCalls")
	}
}

func TestWaitForCall(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	ctx := testCtx(t)
	do(t, s, "GET", payfeedback.PathToken, url.Values{"appid": {"past"}}, "")
	c, err := s.WaitForCall(ctx, CallTo(payfeedback.PathToken, "appid", "past"))
	if err != nil || c.Query.Get("appid") != "past" {
		t.Fatalf("past call: %+v %v", c, err)
	}
	done := make(chan Call)
	go func() {
		c, _ := s.WaitForCall(ctx, CallTo(payfeedback.PathUpdateFeedback, "feedbackid", "42"))
		done <- c
	}()
	do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"feedbackid": {"41"}}, "")
	do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"feedbackid": {"42"}}, "")
	if c := <-done; c.Query.Get("feedbackid") != "42" || c.ErrCode != payfeedback.CodeTokenMissing {
		t.Fatalf("future call: %+v", c)
	}
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if _, err := s.WaitForCall(short, CallTo("/never")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no match: %v", err)
	}
}

func TestCloseWaitsForPush(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.Write([]byte("success"))
	}))
	defer rcv.Close()
	s := NewServer(Options{Clock: NewVirtualClock(t0), Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k", NotifyURL: rcv.URL}}})
	if _, err := s.FileComplaint(context.Background(), ComplaintSpec{}); err != nil {
		t.Fatal(err)
	}
	<-entered
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while a push was in flight")
	default:
	}
	close(release)
	<-closed
	if d := s.Deliveries(); len(d) != 1 || !d[0].Delivered {
		t.Fatalf("after Close: %+v", d)
	}
	if _, err := s.FileComplaint(context.Background(), ComplaintSpec{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("FileComplaint after Close: %v", err)
	}
}

func TestRealClockRetries(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s := NewServer(Options{Accounts: []Account{demo}, RetrySchedule: []time.Duration{time.Millisecond, time.Millisecond}})
	defer s.Close()
	rc.answerNext(500, 500)
	ctx := testCtx(t)
	c, _ := s.FileComplaint(ctx, ComplaintSpec{})
	d, err := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if err != nil || !d.Delivered || len(d.Attempts) != 3 {
		t.Fatalf("real-time retries: %+v %v", d, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Advance on a real clock did not panic")
		}
	}()
	s.Advance(time.Second)
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{
		{TokenTTL: -1},
		{NewsLimit: -1},
		{NewsOverflow: "drop"},
		{RetrySchedule: []time.Duration{0}},
		{Accounts: []Account{{AppID: "a", Secret: "s"}}},
		{Accounts: []Account{{AppID: "a", Secret: "s", PaySignKey: "k", NotifyURL: "ftp://x"}}},
		{Accounts: []Account{{AppID: "a", Secret: "s", PaySignKey: "k"}, {AppID: "a", Secret: "s", PaySignKey: "k"}}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestReasonsAndSolutions(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	tests := []struct {
		items []string
		ok    bool
	}{
		{[]string{"质量问题", "没收到货", "其他"}, true},
		{[]string{"一二三四五六七八九十一二三四五"}, true}, // 15 runes, 45 bytes
		{[]string{"一二三四五六七八九十一二三四五六"}, false},
		{[]string{""}, false},
		{[]string{"a", "b", "c", "d"}, false},
		{[]string{"\xff"}, false},
		{nil, true},
	}
	for _, tt := range tests {
		if err := s.SetReasons("", tt.items); (err == nil) != tt.ok {
			t.Errorf("SetReasons(%q) = %v, want ok %v", tt.items, err, tt.ok)
		}
		if err := s.SetSolutions("", tt.items); (err == nil) != tt.ok {
			t.Errorf("SetSolutions(%q) = %v, want ok %v", tt.items, err, tt.ok)
		}
	}
	s.SetReasons("", []string{"质量问题"})
	if got := s.Reasons(""); len(got) != 1 || got[0] != "质量问题" {
		t.Fatalf("Reasons = %q", got)
	}
}

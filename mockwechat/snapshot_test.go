package mockwechat

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// TestSnapshotsAreDeepCopies: writing into what the Go API hands out
// changes nothing in the fake. Call.Answer used to be the package's shared
// success body: writing into it made the next update answer errcode 1.
func TestSnapshotsAreDeepCopies(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	demo.Reasons = []string{"质量问题"}
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1", PicURLs: []string{"http://p/1"}})
	if err != nil {
		t.Fatal(err)
	}
	s.WaitIdle(ctx)
	tok := getToken(t, s, demo)
	if code := update(t, s, tok, "o1", c.FeedBackID); code != 0 {
		t.Fatalf("update: %d", code)
	}
	if a := send(t, s, tok, `{"touser":"o1","msgtype":"text","text":{"content":"hello"}}`); a.ErrCode != 0 {
		t.Fatalf("send: %s", a.raw)
	}

	for _, call := range s.Calls() {
		for i := range call.Answer {
			call.Answer[i] = '1'
		}
		for i := range call.Body {
			call.Body[i] = 'X'
		}
		for k := range call.Query {
			call.Query[k][0] = "changed"
		}
		call.Query.Set("added", "1")
	}
	for _, d := range s.Deliveries() {
		d.Attempts[0].Body = "changed"
		d.Attempts = append(d.Attempts[:0], Attempt{Body: "added"})
	}
	got, _ := s.Complaint(c.FeedBackID)
	got.PicURLs[0] = "changed"
	for _, c := range s.Complaints() {
		c.PicURLs[0] = "changed"
	}
	s.Accounts()[0].Reasons[0] = "changed"
	s.Inbox("o1")[0].Raw[0] = 'X'
	s.InboxOf(demo.AppID, "o1")[0].Raw[0] = 'X'

	// The next update is answered as before, and nothing kept changed.
	a := do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok}, "openid": {"o1"}, "feedbackid": {c.FeedBackID}}, "")
	if a.raw != `{"errcode":0,"errmsg":"ok"}` {
		t.Fatalf("update after writing into Calls(): %s", a.raw)
	}
	calls := s.Calls()
	if string(calls[len(calls)-1].Answer) != `{"errcode":0,"errmsg":"ok"}` || calls[1].Query.Get("openid") != "o1" ||
		calls[1].Query.Has("added") || !strings.Contains(string(calls[2].Body), "hello") {
		t.Fatalf("the call log changed: %+v", calls)
	}
	if d := s.Deliveries()[0]; len(d.Attempts) != 1 || !strings.Contains(d.Attempts[0].Body, c.FeedBackID) {
		t.Fatalf("the delivery log changed: %+v", d.Attempts)
	}
	if got, _ := s.Complaint(c.FeedBackID); got.PicURLs[0] != "http://p/1" {
		t.Fatalf("the complaint changed: %+v", got.PicURLs)
	}
	if s.Accounts()[0].Reasons[0] != "质量问题" || s.Inbox("o1")[0].Raw[0] != '{' {
		t.Fatal("the account or the inbox changed")
	}
}

// TestCallLogBoundedInBytes: each call keeps an excerpt of its query,
// marked. It kept every query whole: 300 calls with a 1 MiB query held
// 300 MiB (the budget in bytes itself is tested in internal/calllog).
func TestCallLogBoundedInBytes(t *testing.T) {
	s, err := New(Options{Clock: NewVirtualClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	junk := strings.Repeat("a", 512<<10)
	for range 40 { // served in process: no header limit applies
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://127.0.0.1"+payfeedback.PathToken+"?appid=wx1&junk="+junk, nil))
	}
	calls := s.Calls()
	kept := 0
	for _, c := range calls {
		for k, vs := range c.Query {
			kept += len(k)
			for _, v := range vs {
				kept += len(v)
			}
		}
	}
	if kept > 1<<20 {
		t.Fatalf("the call log keeps %d KiB of queries for %d calls", kept>>10, len(calls))
	}
	if last := calls[len(calls)-1]; last.Query.Get("appid") != "wx1" || !strings.Contains(strings.Join(last.Truncated, ","), "query") {
		t.Fatalf("the last call: appid %q, truncated %v: want the appid kept and the query marked truncated", last.Query.Get("appid"), last.Truncated)
	}
}

// TestComplaintTooLargeRefused: a complaint whose notification would be
// beyond what receivers accept (64 KiB) is refused with a clear error, over
// the Go API and the admin API (400). Such complaints used to be pushed,
// each attempt's full document kept in the delivery log.
func TestComplaintTooLargeRefused(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	ctx := context.Background()
	big := strings.Repeat("坏", payfeedback.MaxNotificationSize/3+1)
	if _, err := s.FileComplaint(ctx, ComplaintSpec{Reason: big}); err == nil || !strings.Contains(err.Error(), "at most 65536") {
		t.Fatalf("FileComplaint with a 64 KiB reason: %v, want a refusal naming the limit", err)
	}
	if n := len(s.Complaints()); n != 0 {
		t.Fatalf("%d complaints after the refusal", n)
	}
	body, _ := json.Marshal(ComplaintSpec{ExtInfo: big})
	code, raw := adminCall(t, s, "POST", "/_mock/complaints", string(body), nil)
	if code != http.StatusBadRequest || !strings.Contains(raw, "shorten") {
		t.Fatalf("admin: HTTP %d %s, want 400 saying what to shorten", code, raw)
	}
	c, err := s.FileComplaint(ctx, ComplaintSpec{Reason: strings.Repeat("坏", 1000)})
	if err != nil {
		t.Fatalf("a 3 KB reason: %v", err)
	}
	tok, _ := s.Token("")
	update(t, s, tok, c.OpenID, c.FeedBackID)
	if err := s.RejectWithReason(ctx, c.FeedBackID, big); err == nil {
		t.Fatal("a reject reason beyond 64 KiB accepted")
	}
}

// TestSecretsMaskedOnEveryPath: secrets and keys read "***" and tokens a
// fingerprint in the call log, whatever the path. The appSecret was kept
// in clear on any path but /cgi-bin/token, e.g. /cgi-bin/token/.
func TestSecretsMaskedOnEveryPath(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	demo := DemoAccount()
	tok := getToken(t, s, demo)
	for _, path := range []string{"/cgi-bin/token/", "/cgi-bin/nope", payfeedback.PathToken} {
		do(t, s, "GET", path, url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}, "secret": {demo.Secret},
			"appsecret": {demo.Secret}, "access_token": {tok}}, "")
	}
	for _, c := range s.Calls() {
		for _, k := range []string{"secret", "appsecret"} {
			if v := c.Query.Get(k); v != "" && v != "***" {
				t.Errorf("%s records %s=%q", c.Endpoint, k, v)
			}
		}
		if v := c.Query.Get("access_token"); v != "" && (v == tok || !strings.HasPrefix(v, "***") || !strings.HasSuffix(tok, v[3:])) {
			t.Errorf("%s records access_token %q: want *** and the token's last characters", c.Endpoint, v)
		}
	}
	_, raw := adminCall(t, s, "GET", "/_mock/calls", "", nil)
	if strings.Contains(raw, demo.Secret) || strings.Contains(raw, tok) {
		t.Fatalf("the admin API shows a secret or a token: %s", raw)
	}
}

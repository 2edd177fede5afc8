package mockwechat

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// TestAdminGuard: the admin API refuses what a web page could make a
// browser send: a write that is not JSON (415), a foreign Origin (403), a
// Host that is not the fake's (421, DNS rebinding; on every path, see
// TestHostGuardEveryPath). It used to accept
// them: a page created an account whose notify URL made the fake POST
// signed XML to another local service.
func TestAdminGuard(t *testing.T) {
	s := NewServer(Options{Clock: NewVirtualClock(t0), AllowedHosts: []string{"mockwechat"}})
	defer s.Close()
	host := strings.TrimPrefix(s.URL, "http://")
	port := host[strings.LastIndex(host, ":"):]
	const account = `{"appid":"wxevil","secret":"s","paysignkey":"k","notify_url":"http://127.0.0.1:6379/"}`
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		header      map[string]string
		host        string
		want        int
	}{
		{name: "JSON write", method: "POST", path: "/_mock/users", contentType: "application/json", body: `{"openid":"o1"}`, want: 200},
		{name: "JSON with charset", method: "POST", path: "/_mock/users", contentType: "application/json; charset=utf-8", body: `{"openid":"o1"}`, want: 200},
		{name: "text/plain write", method: "POST", path: "/_mock/accounts", contentType: "text/plain", body: account, want: 415},
		{name: "form write", method: "POST", path: "/_mock/accounts", contentType: "application/x-www-form-urlencoded", body: account, want: 415},
		{name: "multipart write", method: "POST", path: "/_mock/accounts", contentType: "multipart/form-data; boundary=x", body: account, want: 415},
		{name: "write without a type", method: "POST", path: "/_mock/complaints/1/confirm", want: 415},
		{name: "delete without a type", method: "DELETE", path: "/_mock/faults", want: 415},
		{name: "foreign Origin", method: "POST", path: "/_mock/accounts", contentType: "application/json", body: account,
			header: map[string]string{"Origin": "http://evil.example"}, want: 403},
		{name: "Origin null", method: "POST", path: "/_mock/users", contentType: "application/json", body: `{"openid":"o1"}`,
			header: map[string]string{"Origin": "null"}, want: 403},
		{name: "foreign Origin on a read", method: "GET", path: "/_mock/accounts", header: map[string]string{"Origin": "http://evil.example"}, want: 403},
		{name: "another port of localhost", method: "GET", path: "/_mock/accounts", header: map[string]string{"Origin": "http://localhost:3000"}, want: 403},
		{name: "same Origin (a console served by the fake)", method: "POST", path: "/_mock/users", contentType: "application/json",
			body: `{"openid":"o1"}`, header: map[string]string{"Origin": s.URL}, want: 200},
		{name: "cross-site fetch", method: "GET", path: "/_mock/accounts", header: map[string]string{"Sec-Fetch-Site": "cross-site"}, want: 403},
		{name: "same-origin fetch", method: "GET", path: "/_mock/accounts", header: map[string]string{"Sec-Fetch-Site": "same-origin"}, want: 200},
		{name: "rebound Host", method: "GET", path: "/_mock/accounts", host: "evil.example" + port, want: 421},
		{name: "rebound Host, write", method: "POST", path: "/_mock/accounts", contentType: "application/json", body: account,
			host: "evil.example" + port, header: map[string]string{"Origin": "http://evil.example" + port}, want: 421},
		{name: "localhost", method: "GET", path: "/_mock/accounts", host: "localhost" + port, want: 200},
		{name: "an allowed host", method: "GET", path: "/_mock/accounts", host: "mockwechat" + port, want: 200},
		{name: "API call with a foreign Host", method: "GET", path: "/cgi-bin/token", host: "evil.example" + port, want: 421},
		{name: "API call on WeChat's host name", method: "GET", path: "/cgi-bin/token", host: "api.weixin.qq.com", want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, s.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := resp.StatusCode
			if got == 404 || got == 409 {
				got = 200 // past the guard: the endpoint itself answered
			}
			if got != tt.want {
				t.Fatalf("HTTP %d %s, want %d", resp.StatusCode, b, tt.want)
			}
		})
	}
	for _, a := range s.Accounts() {
		if a.AppID == "wxevil" {
			t.Fatal("a refused request created an account")
		}
	}
}

// TestAdminGuardEmbedded: mounted in another server, the admin API accepts
// loopback and that server's hosts given in AllowedHosts.
func TestAdminGuardEmbedded(t *testing.T) {
	s, err := New(Options{Clock: NewVirtualClock(t0), AllowedHosts: []string{"shop.test:8443"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for host, want := range map[string]int{"shop.test": 200, "127.0.0.1:1234": 200, "[::1]:80": 200, "example.com": 421} {
		r := httptest.NewRequest("GET", "/_mock/health", nil)
		r.Host = host
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %s: HTTP %d %s, want %d", host, w.Code, w.Body, want)
		}
	}
}

// TestHostGuardEveryPath: a Host that does not name the fake is refused
// (421) on every path it serves: console pages and assets, the WeChat API,
// the admin API. Only the admin API checked it: a page on a rebound name
// read every console page and, with the demo account's public secret,
// marked a complaint handled and messaged a user. Loopback names, the
// fake's address, WeChat's API hosts and the allowed names pass, and so
// does an httptest server's URL (the fake mounted as a handler).
func TestHostGuardEveryPath(t *testing.T) {
	s, _ := newVirtual(t, Options{AllowedHosts: []string{"mockwechat"}})
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, s, DemoAccount())
	demo := DemoAccount()
	own := strings.TrimPrefix(s.URL, "http://")
	port := own[strings.LastIndex(own, ":"):]
	type call struct{ method, path, body string }
	calls := map[string]call{
		"console page":   {"GET", "/", ""},
		"console list":   {"GET", "/complaints", ""},
		"console detail": {"GET", "/complaints/" + c.FeedBackID, ""},
		"console asset":  {"GET", "/assets/console.js", ""},
		"favicon":        {"GET", "/favicon.ico", ""},
		"token":          {"GET", payfeedback.PathToken + "?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret, ""},
		"update":         {"GET", payfeedback.PathUpdateFeedback + "?access_token=" + tok + "&openid=o1&feedbackid=" + c.FeedBackID, ""},
		"message": {"POST", payfeedback.PathSendMessage + "?access_token=" + tok,
			`{"touser":"o1","msgtype":"text","text":{"content":"hi"}}`},
		"unknown API path": {"GET", "/cgi-bin/nope", ""},
		"admin":            {"GET", "/_mock/accounts", ""},
		"admin index":      {"GET", "/_mock", ""},
	}
	send := func(t *testing.T, base, host string, cl call) (int, string) {
		t.Helper()
		var body io.Reader
		if cl.body != "" {
			body = strings.NewReader(cl.body)
		}
		req, err := http.NewRequest(cl.method, base+cl.path, body)
		if err != nil {
			t.Fatal(err)
		}
		if cl.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if host != "" {
			req.Host = host
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	for _, host := range []string{"rebind.evil.example" + port, "rebind.evil.example", "192.168.1.2" + port, "mockwechat.evil.example" + port} {
		for name, cl := range calls {
			status, body := send(t, s.URL, host, cl)
			if status != http.StatusMisdirectedRequest || !strings.Contains(body, "--allow-host") {
				t.Errorf("%s with Host %s: HTTP %d %.200s, want 421 saying how to allow it", name, host, status, body)
			}
		}
	}
	if got, _ := s.Complaint(c.FeedBackID); got.State != StateFiled || got.Updates != 0 {
		t.Errorf("a refused update moved the complaint: %s, %d updates", got.State, got.Updates)
	}
	if in := s.Inbox("o1"); len(in) != 0 {
		t.Errorf("a refused message reached the user: %+v", in)
	}

	for _, host := range []string{"", own, "localhost" + port, "127.0.0.1" + port, "[::1]" + port, "mockwechat" + port,
		"api.weixin.qq.com", "api.mch.weixin.qq.com", "api2.mch.weixin.qq.com"} {
		for name, cl := range calls {
			if name == "update" || name == "message" {
				continue // they move the world; below
			}
			if status, body := send(t, s.URL, host, cl); status == http.StatusMisdirectedRequest {
				t.Errorf("%s with Host %q: HTTP %d %.200s", name, host, status, body)
			}
		}
	}
	tok = getToken(t, s, demo) // the token calls above made tok too old
	update := call{"GET", payfeedback.PathUpdateFeedback + "?access_token=" + tok + "&openid=o1&feedbackid=" + c.FeedBackID, ""}
	if status, body := send(t, s.URL, "api.weixin.qq.com", update); status != http.StatusOK || !strings.Contains(body, `"errcode":0`) {
		t.Errorf("update on WeChat's host name: HTTP %d %s", status, body)
	}

	// Mounted in an httptest server: its URL names 127.0.0.1:PORT.
	mounted := httptest.NewServer(s)
	defer mounted.Close()
	for _, name := range []string{"console page", "console asset", "token", "admin"} {
		if status, body := send(t, mounted.URL, "", calls[name]); status != http.StatusOK {
			t.Errorf("%s through httptest.NewServer: HTTP %d %.200s", name, status, body)
		}
	}
}

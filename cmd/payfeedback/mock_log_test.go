package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// refusing is a merchant that refuses every push as a wrong signature.
func refusing(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Error(w, "AppSignature does not match", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func adminPost(t *testing.T, base, path, body string) {
	t.Helper()
	resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: HTTP %d %s", path, resp.StatusCode, b)
	}
}

// waitOutput waits until the output holds every string (polling, for at
// most 10 s).
func waitOutput(t *testing.T, out *syncBuffer, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := out.String()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the live log lacks %q:\n%s", missing, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const (
	logSecret = "live-log-secret-0123456789abcdef"
	logKey    = "live-log-paysignkey-0123456789abcdefghij"
)

// TestMockLiveLog: payfeedback mock prints one line per event — the
// complaint, the push and its refusal with the next retry, the API
// calls — and never a secret nor a token.
func TestMockLiveLog(t *testing.T) {
	merchant := refusing(t)
	base, out, _, _ := startMock(t, "--pay-keys", payKeys(t), "--virtual-clock", "--clock-start", "2025-03-01T10:00:00Z", "--appid", "wxlive",
		"--secret", logSecret, "--paysignkey", logKey, "--notify-url", merchant.URL+"/wechat/payfeedback")
	adminPost(t, base, "/_mock/complaints", `{"openid":"o-demo","reason":"没收到货"}`)
	resp, err := http.Get(base + "/cgi-bin/token?grant_type=client_credential&appid=wxlive&secret=" + url.QueryEscape(logSecret))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	http.Get(base + "/payfeedback/update?access_token=" + tok.AccessToken + "&openid=o-demo&feedbackid=1")
	s := waitOutput(t, out,
		"10:00:00  complaint ", " filed by o-demo (filed)",
		"10:00:00  --> push request ", " to "+merchant.URL+"/wechat/payfeedback (attempt 1/16)",
		`<-- 401 "AppSignature does not match" in `, "; next attempt in 15s",
		"API GET /cgi-bin/token errcode=0 appid=wxlive",
		"API GET /payfeedback/update errcode=47001 openid=o-demo feedbackid=1")
	for _, secret := range []string{logSecret, logKey, tok.AccessToken} {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("the live log shows a secret or a token:\n%s", s)
		}
	}
}

// TestMockLiveLogFromTheStart: the live log has every event from the
// moment the fake says it is ready, and names complaints by their whole
// id. A hook files a complaint in that moment, after the banner and the
// ready file and before the log writes: the log subscribed only after
// announcing readiness and lost it (a client quick to start, or a loaded
// machine, met that window: 22 starts of 40), and it cut ids to four
// digits ("complaint 1524… filed"), which no command takes.
func TestMockLiveLogFromTheStart(t *testing.T) {
	t.Parallel()
	merchant := refusing(t)
	ready := filepath.Join(t.TempDir(), "ready")
	filed := make(chan string, 1)
	mock := &mockCommand{announced: func(srv *mockwechat.Server) {
		// The announcement is out: the ready file is there.
		b, err := os.ReadFile(ready)
		if err != nil || strings.TrimSpace(string(b)) != srv.URL {
			filed <- fmt.Sprintf("ready file: %q %v", b, err)
			return
		}
		resp, err := http.Post(srv.URL+"/_mock/complaints", "application/json", strings.NewReader(`{"openid":"o-demo","feedback_id":"15240000000000000007"}`))
		if err != nil {
			filed <- err.Error()
			return
		}
		resp.Body.Close()
		filed <- resp.Status
	}}
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	exited := make(chan error, 1)
	go func() {
		exited <- mock.Run(ctx, []string{"--addr", "127.0.0.1:0", "--pay-keys", payKeys(t), "--ready-file", ready, "--notify-url", merchant.URL}, stdio{Stdout: out, Stderr: errOut})
	}()
	if got := <-filed; got != "201 Created" {
		cancel()
		<-exited
		t.Fatalf("filing in the hook: %s\n%s", got, errOut)
	}
	// The push is on its way once its line is out; then the fake stops,
	// and the live log ends with what it had.
	waitOutput(t, out, "  --> push request ")
	cancel()
	if err := <-exited; err != nil {
		t.Fatalf("mock: %v\n%s", err, errOut)
	}
	s := out.String()
	banner := strings.Index(s, "mockwechat listening on ")
	line := strings.Index(s, "  complaint 15240000000000000007 filed by o-demo (filed)\n")
	if banner < 0 || line < banner {
		t.Fatalf("want the banner, then the complaint filed as the fake announced it was ready, by its whole id:\n%s", s)
	}
	if !strings.Contains(s, "  --> push request 15240000000000000007 to "+merchant.URL) {
		t.Errorf("the push's line does not name the complaint by its whole id:\n%s", s)
	}
}

// TestWholeID: every kind of line that names a complaint or an order
// names it whole.
func TestWholeID(t *testing.T) {
	const id, trans = "15240000000000000007", "4200000000202503010000000001"
	tests := []struct {
		e    mockwechat.Event
		want string
	}{
		{mockwechat.Event{Change: &mockwechat.Change{What: mockwechat.ChangeComplaintFiled, FeedBackID: id, TransID: "1524999999", OpenID: "o", State: "filed"}},
			"complaint " + id + " filed by o (filed)"},
		{mockwechat.Event{Change: &mockwechat.Change{What: mockwechat.ChangeOrderAdded, TransID: trans, OpenID: "o"}},
			"order " + trans + " paid by o"},
		{mockwechat.Event{Change: &mockwechat.Change{What: mockwechat.ChangeComplaintFiled, FeedBackID: "12345", OpenID: "o", State: "filed"}},
			"complaint 12345 filed by o (filed)"},
	}
	for _, tt := range tests {
		if got := wholeID(tt.e, tt.e.String()); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.e.String(), got, tt.want)
		}
	}
}

// TestMockLogJSON: --log-format json writes one JSON object per line,
// the first saying where the fake listens; --log warn keeps the warnings.
func TestMockLogJSON(t *testing.T) {
	merchant := refusing(t)
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"mock", "--addr", "127.0.0.1:0", "--pay-keys", payKeys(t), "--log-format", "json", "--log", "warn", "--appid", "wxjson",
			"--secret", logSecret, "--paysignkey", logKey, "--notify-url", merchant.URL}, stdio{Stdout: out, Stderr: errOut})
	}()
	defer func() { cancel(); <-code }()
	var start struct {
		Msg, URL, Health, Console, Events string
		Accounts                          []struct{ AppID, Secret, PaySignKey string }
	}
	first := waitOutput(t, out, "\n")
	if err := json.Unmarshal([]byte(strings.SplitN(first, "\n", 2)[0]), &start); err != nil || start.Msg != "mockwechat listening" ||
		!strings.HasPrefix(start.URL, "http://127.0.0.1:") || start.Health != start.URL+"/_mock/health" || start.Console != start.URL+"/" {
		t.Fatalf("the first line %q: %+v %v", first, start, err)
	}
	if len(start.Accounts) != 1 || start.Accounts[0].AppID != "wxjson" || start.Accounts[0].Secret != "***" {
		t.Fatalf("the start line's accounts: %+v", start.Accounts)
	}
	adminPost(t, start.URL, "/_mock/complaints", `{"openid":"o-demo"}`)
	s := waitOutput(t, out, `"level":"WARN"`, `AppSignature does not match`)
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, line := range lines[1:] {
		var e struct {
			Level, Msg string
			Event      struct{ Kind string }
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not one JSON object: %q: %v", line, err)
		}
		if e.Level != "WARN" && e.Level != "ERROR" {
			t.Errorf("--log warn printed a %s line: %s", e.Level, line)
		}
		if e.Event.Kind != "push" || !strings.HasPrefix(e.Msg, "<-- 401") {
			t.Errorf("unexpected line: %s", line)
		}
	}
	if strings.Contains(s, logSecret) || strings.Contains(s, logKey) {
		t.Errorf("a secret in the JSON log:\n%s", s)
	}
}

func TestMockLogFlags(t *testing.T) {
	for _, args := range [][]string{{"--log-format", "yaml"}, {"--log", "chatty"}} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"mock", "--addr", "127.0.0.1:0"}, args...), stdio{Stdout: &out, Stderr: &errOut})
		if code != 2 || !strings.Contains(errOut.String(), args[0]) || strings.Count(errOut.String(), "\n") != 2 {
			t.Errorf("mock %v: exit %d, stderr %q; want 2, one line and a hint", args, code, errOut.String())
		}
	}
}

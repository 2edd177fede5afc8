package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
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

// waitOutput waits until the output holds every string.
func waitOutput(t *testing.T, out *syncBuffer, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
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
	base, out, _, _ := startMock(t, "--virtual-clock", "--clock-start", "2025-03-01T10:00:00Z", "--appid", "wxlive",
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

// TestMockLogJSON: --log-format json writes one JSON object per line,
// the first saying where the fake listens; --log warn keeps the warnings.
func TestMockLogJSON(t *testing.T) {
	merchant := refusing(t)
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"mock", "--addr", "127.0.0.1:0", "--log-format", "json", "--log", "warn", "--appid", "wxjson",
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

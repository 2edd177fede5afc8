package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// syncBuffer is a buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenLine = regexp.MustCompile(`mockwechat listening on (http://\S+)`)

// startMock runs `payfeedback mock args...` until the test ends and
// returns its base URL, its output so far and its exit status to come.
func startMock(t *testing.T, args ...string) (string, *syncBuffer, *syncBuffer, <-chan int) {
	t.Helper()
	return startMockWith(t, context.Background(), args...)
}

// startMockWith is startMock until ctx ends or the test does.
func startMockWith(t *testing.T, ctx context.Context, args ...string) (string, *syncBuffer, *syncBuffer, <-chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	code, done := make(chan int, 1), make(chan struct{})
	go func() {
		defer close(done)
		code <- run(ctx, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...), stdio{Stdout: out, Stderr: errOut})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenLine.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, errOut, code
		}
		select {
		case <-done:
			t.Fatalf("mock exited with %d: %s", <-code, errOut.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("mock did not start: %s %s", out.String(), errOut.String())
	return "", nil, nil, nil
}

// fakeNow reads the clock of the fake at base.
func fakeNow(t *testing.T, base string) time.Time {
	t.Helper()
	var clock struct {
		Now time.Time `json:"now"`
	}
	if code := getJSON(t, base+"/_mock/clock", &clock); code != http.StatusOK {
		t.Fatalf("GET /_mock/clock: HTTP %d", code)
	}
	return clock.Now
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestMockDemoAccount(t *testing.T) {
	t.Parallel()
	base, out, _, _ := startMock(t)
	demo := mockwechat.DemoAccount()
	for _, want := range []string{demo.AppID, demo.Secret, demo.PaySignKey, base + "/_mock/health", "real time"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner misses %q:\n%s", want, out.String())
		}
	}
	var health map[string]any
	if code := getJSON(t, base+"/_mock/health", &health); code != 200 || health["status"] != "ok" {
		t.Fatalf("health: %d %v", code, health)
	}
	var tok map[string]any
	getJSON(t, base+"/cgi-bin/token?grant_type=client_credential&appid="+demo.AppID+"&secret="+demo.Secret, &tok)
	if tok["access_token"] == nil {
		t.Fatalf("token with the printed credentials: %v", tok)
	}
}

func TestMockFlagsAndShutdown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, out, errOut, code := startMockWith(t, ctx, "--pay-keys", payKeys(t), "--appid", "wxci", "--secret", "ci-secret",
		"--appkey", "ci-key", "--notify-url", "http://127.0.0.1:9/pf", "--virtual-clock", "--clock-start", "2025-03-01T10:00:00Z",
		"--log", "off")
	banner := out.String()
	if strings.Contains(banner, "ci-secret") || strings.Contains(banner, "ci-key") || !strings.Contains(banner, "wxci") ||
		!strings.Contains(banner, "http://127.0.0.1:9/pf") || !strings.Contains(banner, "2025-03-01T10:00:00Z") {
		t.Fatalf("banner:\n%s", banner)
	}
	var tok map[string]any
	getJSON(t, base+"/cgi-bin/token?grant_type=client_credential&appid=wxci&secret=ci-secret", &tok)
	if tok["access_token"] == nil {
		t.Fatalf("token with flag credentials: %v", tok)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit %d after cancel: %s", c, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not stop on cancel")
	}
	if _, err := http.Get(base + "/_mock/health"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func TestMockConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "mock.json")
	os.WriteFile(cfg, []byte(`{"accounts":[{"appid":"wxa","secret":"s","paysignkey":"k"},{"appid":"wxb","secret":"s","paysignkey":"k"}],"virtual_clock":true}`), 0o600)
	base, out, _, _ := startMock(t, "--pay-keys", payKeys(t), "--config", cfg, "--log", "off")
	if !strings.Contains(out.String(), "wxa") || !strings.Contains(out.String(), "wxb") {
		t.Fatalf("banner: %s", out.String())
	}
	resp, err := http.Post(base+"/_mock/clock/advance", "application/json", strings.NewReader(`{"by":"1h"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("advance on a configured virtual clock: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestMockUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"tokn_ttl":"1h"}`), 0o600)
	two := filepath.Join(dir, "two.json")
	os.WriteFile(two, []byte(`{"accounts":[{"appid":"wxa","secret":"s","paysignkey":"k"},{"appid":"wxb","secret":"s","paysignkey":"k"}]}`), 0o600)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--config", filepath.Join(dir, "missing.json")}, "--config"},
		{[]string{"--config", bad}, "unknown field"},
		{[]string{"--config", two, "--appid", "wxc"}, "set them there"},
		{[]string{"--retry", "soon"}, "--retry"},
		{[]string{"--log", "loud"}, "--log"},
		{[]string{"--notify-url", "ftp://x"}, "not an absolute http(s) URL"},
		{[]string{"--clock-start", "yesterday"}, "--clock-start"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"mock", "--addr", "127.0.0.1:0"}, tt.args...), stdio{Stdout: &out, Stderr: &errOut})
		if code != 2 || !strings.Contains(errOut.String(), tt.want) || !strings.Contains(errOut.String(), "Try: ") {
			t.Errorf("mock %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut.String(), tt.want)
		}
	}
}

// TestMockWarnsWhenNotLoopback: an --addr that is not loopback is warned
// about on stderr before the fake listens (here it cannot: the address is
// nobody's, so no socket leaves loopback).
func TestMockWarnsWhenNotLoopback(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"mock", "--addr", "192.0.2.1:1", "--pay-keys", payKeys(t), "--log", "off"}, stdio{Stdout: &out, Stderr: &errOut})
	if code == 0 || !strings.Contains(errOut.String(), "warning: --addr 192.0.2.1:1 is not loopback") {
		t.Fatalf("exit %d, stderr %q: want the warning", code, errOut.String())
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "[::1]:80": true, "localhost:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:80": false, "192.168.1.2:80": false, "example.com:80": false} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestMockServerTimeouts: payfeedback mock closes a connection whose body
// never comes (read_timeout, 30 s unless configured) instead of keeping it
// open forever, as it did.
func TestMockServerTimeouts(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "mock.json")
	os.WriteFile(cfg, []byte(`{"read_timeout":"200ms"}`), 0o600)
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--config", cfg, "--log", "off")
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /cgi-bin/message/custom/send HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatalf("the slow-body connection is still open after 3 s: %v", err)
	}
}

// TestMockVirtualClockWallMerchant: with --virtual-clock, after the
// README's advance step, a merchant on wall time (another process, which
// cannot read the fake's clock) still accepts the pushes: payfeedback mock
// stamps them with wall time. It stamped the virtual time, hours in the
// future, and every push was refused.
func TestMockVirtualClockWallMerchant(t *testing.T) {
	demo := mockwechat.DemoAccount()
	merchant := httptest.NewServer(middleware.New(middleware.Config{Keys: middleware.StaticKeys{demo.AppID: demo.PaySignKey}})(
		middleware.Dispatcher{
			OnRequest: func(context.Context, *payfeedback.Notification) error { return nil },
			OnConfirm: func(context.Context, *payfeedback.Notification) error { return nil },
		}))
	defer merchant.Close()
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--virtual-clock", "--notify-url", merchant.URL, "--log", "off")
	post := func(path, body string, out any) {
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
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
	}
	var c mockwechat.Complaint
	post("/_mock/complaints", `{"openid":"o-demo"}`, &c)
	post("/_mock/clock/advance", `{"by":"72h"}`, nil)
	post("/_mock/complaints/"+c.FeedBackID+"/confirm", "", nil)
	for _, msgtype := range []string{"request", "confirm"} {
		var d mockwechat.Delivery
		code := getJSON(t, base+"/_mock/deliveries/wait?timeout=5s&delivered=true&msgtype="+msgtype+"&feedback_id="+c.FeedBackID, &d)
		if code != 200 || !d.Delivered {
			t.Fatalf("the %s push was not delivered to a merchant on wall time: HTTP %d %+v", msgtype, code, d)
		}
	}
}

// TestMockPayKeys: payfeedback mock plays Complaints 2.0 by default; with
// --pay-keys DIR it writes the merchant's files (mode 0600) and prints the
// keys, and a second run loads them: the same merchant serial.
func TestMockPayKeys(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	ctx, cancel := context.WithCancel(context.Background())
	_, out, _, code := startMockWith(t, ctx, "--pay-keys", dir, "--log", "off")
	serial := regexp.MustCompile(`serial_no      (\S+)`).FindStringSubmatch(out.String())
	for _, want := range []string{"Complaints 2.0", "mchid          1900000109", "public_key_id  PUB_KEY_ID_", "apiv3_key", "keys           " + dir} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner without %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "PRIVATE KEY") {
		t.Errorf("the banner shows a private key:\n%s", out)
	}
	cancel()
	<-code
	for _, name := range []string{"apiclient_key.pem", "pub_key.pem", "merchant.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", name, fi, err)
		}
	}
	_, out2, _, _ := startMock(t, "--pay-keys", dir, "--log", "off")
	if serial == nil || !strings.Contains(out2.String(), "serial_no      "+serial[1]) {
		t.Errorf("the second run's banner does not show the first's serial %v:\n%s", serial, out2)
	}
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// payMerchant is a Complaints 2.0 merchant that acknowledges every
// callback but a SIGNTEST probe (refused as a verifying merchant does), or
// with refuse every callback.
func payMerchant(t *testing.T, refuse bool) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if refuse || strings.HasPrefix(r.Header.Get(apiv3.HeaderSignature), apiv3.ProbeSignaturePrefix) {
			http.Error(w, `{"code":"SIGN_ERROR","message":"签名错误"}`, http.StatusUnauthorized)
			return
		}
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// payWait waits, through the admin API, for the delivery the query names
// to be done.
func payWait(t *testing.T, base string, q url.Values) {
	t.Helper()
	q.Set("done", "true")
	q.Set("timeout", "20s")
	resp, err := http.Get(base + "/_mock/pay/deliveries/wait?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("waiting for %v: HTTP %d %s", q, resp.StatusCode, b)
	}
}

var payFiledLine = regexp.MustCompile(`2.0 complaint ([0-9]+) filed`)

// TestPayCommands: pay keys, complain, act, trigger, deliveries, resend
// and probe drive a running payfeedback mock's Complaints 2.0, found
// through $PAYFEEDBACK_MOCK_URL.
func TestPayCommands(t *testing.T) {
	merchant, acked := payMerchant(t, false)
	base, _, _, _ := startMock(t, "--log", "off")

	code, out, errOut := drive(t, base, "pay", "keys")
	if code != 0 || !strings.Contains(out, "public_key_id    PUB_KEY_ID_") || !strings.Contains(out, "apiv3_key") || !strings.Contains(out, "in memory only") ||
		strings.Contains(out, "PRIVATE KEY") {
		t.Fatalf("pay keys: exit %d\n%s%s", code, out, errOut)
	}
	var ms []mockwechat.PayMerchant
	if code, out, _ = drive(t, base, "pay", "keys", "--json"); code != 0 || json.Unmarshal([]byte(out), &ms) != nil || len(ms) != 1 {
		t.Fatalf("pay keys --json: exit %d %q", code, out)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/_mock/pay/merchants/"+ms[0].MchID+"/notify-url", strings.NewReader(`{"url":"`+merchant.URL+`"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("setting the callback URL: %v %v", resp, err)
	}

	code, out, errOut = drive(t, base, "pay", "complain", "--detail", "没收到货", "--problem-type", "REFUND")
	m := payFiledLine.FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "state      PENDING") || !strings.Contains(out, "没收到货") || !strings.Contains(out, "REFUND") {
		t.Fatalf("pay complain: exit %d\n%s%s", code, out, errOut)
	}
	id := m[1]
	var other struct {
		ComplaintID string `json:"complaint_id"`
	}
	if code, out, _ = drive(t, base, "pay", "complain", "--immediate", "--json"); code != 0 || json.Unmarshal([]byte(out), &other) != nil || other.ComplaintID == "" {
		t.Fatalf("pay complain --json: exit %d %q", code, out)
	}

	code, out, errOut = drive(t, base, "pay", "act", id, "message", "--text", "还没退款")
	if code != 0 || !strings.Contains(out, "2.0 complaint "+id+" after message") || !strings.Contains(out, "USER_RESPONSE 还没退款") {
		t.Fatalf("pay act: exit %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = drive(t, base, "pay", "trigger", id, "--act", "platform-message", "--text", "平台已介入", "--action-type", "SOME_NEW_TYPE", "--unknown-members")
	tm := regexp.MustCompile(`queued as notification (\S+)`).FindStringSubmatch(out)
	if code != 0 || tm == nil || !strings.Contains(out, "platform-message played; callback SOME_NEW_TYPE (unknown-members)") {
		t.Fatalf("pay trigger: exit %d\n%s%s", code, out, errOut)
	}
	payWait(t, base, url.Values{"id": {tm[1]}})
	payWait(t, base, url.Values{"complaint_id": {other.ComplaintID}})

	code, out, errOut = drive(t, base, "pay", "deliveries")
	if code != 0 || !strings.Contains(out, "NOTIFICATION") || strings.Count(out, "delivered") != 4 || !strings.Contains(out, "SOME_NEW_TYPE") ||
		!strings.Contains(out, "204 acknowledged") || !strings.Contains(out, tm[1]) {
		t.Fatalf("pay deliveries: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ = drive(t, base, "pay", "deliveries", "--complaint-id", other.ComplaintID); code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, "CREATE_COMPLAINT") {
		t.Fatalf("pay deliveries --complaint-id: exit %d\n%s", code, out)
	}

	before := acked.Load()
	if code, out, errOut = drive(t, base, "pay", "resend", tm[1]); code != 0 || out != "notification "+tm[1]+" resent\n" {
		t.Fatalf("pay resend: exit %d %q %s", code, out, errOut)
	}
	payWait(t, base, url.Values{"id": {tm[1]}})
	if acked.Load() != before+1 {
		t.Errorf("after pay resend the merchant acknowledged %d callbacks, want %d", acked.Load(), before+1)
	}

	code, out, errOut = drive(t, base, "pay", "probe")
	if code != 0 || !strings.Contains(out, "401 refused") || !strings.Contains(out, "right: a verifying merchant refuses it") {
		t.Fatalf("pay probe: exit %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = drive(t, base, "pay", "rotate-certificate")
	if code != 0 || !strings.Contains(out, "platform certificate rotated: ") || strings.Count(out, "  valid ") != 2 ||
		!strings.Contains(out, "replaced, listed until it expires") || strings.Contains(out, ms[0].PlatformSerial+" signs from now on") {
		t.Fatalf("pay rotate-certificate: exit %d\n%s%s", code, out, errOut)
	}
}

// TestPayProbeWrong: a merchant that acknowledges a probe makes pay probe
// say so and exit 1.
func TestPayProbeWrong(t *testing.T) {
	acking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer acking.Close()
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--log", "off")
	var ms []mockwechat.PayMerchant
	_, out, _ := drive(t, base, "pay", "keys", "--json")
	json.Unmarshal([]byte(out), &ms)
	req, _ := http.NewRequest(http.MethodPut, base+"/_mock/pay/merchants/"+ms[0].MchID+"/notify-url", strings.NewReader(`{"url":"`+acking.URL+`"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("setting the callback URL: %v %v", resp, err)
	}
	code, out, errOut := drive(t, base, "pay", "probe")
	if code != 1 || !strings.Contains(out, "204 acknowledged") || !strings.Contains(out, "WRONG") {
		t.Fatalf("pay probe of a merchant that does not verify: exit %d\n%s%s", code, out, errOut)
	}
}

// TestPayDeliveriesFollow: pay deliveries --follow prints each 2.0
// callback attempt as it happens, until interrupted; and the live log of
// payfeedback mock gives a refused 2.0 attempt the level WARN.
func TestPayDeliveriesFollow(t *testing.T) {
	merchant, _ := payMerchant(t, true)
	mctx, mcancel := context.WithCancel(context.Background())
	mockOut, mockErr := &syncBuffer{}, &syncBuffer{}
	mcode := make(chan int, 1)
	go func() {
		mcode <- run(mctx, []string{"mock", "--addr", "127.0.0.1:0", "--pay-keys", payKeys(t), "--log-format", "json", "--log", "warn"}, stdio{Stdout: mockOut, Stderr: mockErr})
	}()
	defer func() { mcancel(); <-mcode }()
	var start struct{ URL string }
	if first := waitOutput(t, mockOut, "\n"); json.Unmarshal([]byte(strings.SplitN(first, "\n", 2)[0]), &start) != nil || start.URL == "" {
		t.Fatalf("the first line of the JSON log: %q", first)
	}
	base := start.URL
	var ms []mockwechat.PayMerchant
	_, out, _ := drive(t, base, "pay", "keys", "--json")
	if json.Unmarshal([]byte(out), &ms) != nil || len(ms) != 1 {
		t.Fatalf("pay keys --json: %q", out)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/_mock/pay/merchants/"+ms[0].MchID+"/notify-url", strings.NewReader(`{"url":"`+merchant.URL+`"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("setting the callback URL: %v %v", resp, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	fout, ferr := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"pay", "deliveries", "--follow", "--mock-url", base}, stdio{Stdout: fout, Stderr: ferr})
	}()
	waitOutput(t, ferr, "following the Complaints 2.0 callbacks of "+base)
	drive(t, base, "pay", "complain")
	waitOutput(t, fout, "==> 2.0 callback CREATE_COMPLAINT ", "(attempt 1/1001): 401 refused")
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("pay deliveries --follow ended with %d: %s", c, ferr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("pay deliveries --follow did not stop")
	}

	s := waitOutput(t, mockOut, `"level":"WARN"`, "2.0 callback CREATE_COMPLAINT")
	for _, line := range strings.Split(strings.TrimSpace(s), "\n")[1:] {
		var e struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not one JSON object: %q: %v", line, err)
		}
		if e.Level != "WARN" || !strings.HasPrefix(e.Msg, "==> 2.0 callback CREATE_COMPLAINT") || !strings.Contains(e.Msg, "401 refused") {
			t.Errorf("--log warn printed %s", line)
		}
	}
}

// TestPayCallbackLevel: the live log's level of a 2.0 callback's progress.
func TestPayCallbackLevel(t *testing.T) {
	attempt := func(verdict, fault string, wrong bool) *mockwechat.PayAttempt {
		return &mockwechat.PayAttempt{Verdict: verdict, Fault: fault, Wrong: wrong}
	}
	for _, tc := range []struct {
		name  string
		r     mockwechat.PayCallbackReport
		level slog.Level
	}{
		{"queued", mockwechat.PayCallbackReport{Phase: "queued"}, slog.LevelInfo},
		{"acknowledged", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("acknowledged", "", false)}, slog.LevelInfo},
		{"refused", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("refused", "", false)}, slog.LevelWarn},
		{"no answer", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("no answer", "", false)}, slog.LevelWarn},
		{"too slow", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("too slow", "delay 6s", false)}, slog.LevelWarn},
		{"refused duplicate", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("refused", "duplicate", false)}, slog.LevelWarn},
		{"refused tampered, rightly", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("refused", "tamper-signature+duplicate", false)}, slog.LevelInfo},
		{"refused stale, rightly", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("refused", "stale 6m0s", false)}, slog.LevelInfo},
		{"refused nearly stale", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("refused", "stale 4m0s", false)}, slog.LevelWarn},
		{"acknowledged tampered", mockwechat.PayCallbackReport{Phase: "attempt", Attempt: attempt("acknowledged", "other-key", true)}, slog.LevelWarn},
		{"probe refused", mockwechat.PayCallbackReport{Delivery: mockwechat.PayCallbackRef{Probe: true}, Phase: "attempt", Attempt: attempt("refused", "", false)}, slog.LevelInfo},
		{"probe acknowledged", mockwechat.PayCallbackReport{Delivery: mockwechat.PayCallbackRef{Probe: true}, Phase: "attempt", Attempt: attempt("acknowledged", "", true)}, slog.LevelWarn},
		{"probe done", mockwechat.PayCallbackReport{Delivery: mockwechat.PayCallbackRef{Probe: true}, Phase: "failed"}, slog.LevelInfo},
		{"failed for good", mockwechat.PayCallbackReport{Phase: "failed"}, slog.LevelError},
	} {
		r := tc.r
		if got := eventLevel(mockwechat.Event{Kind: mockwechat.EventPayCallback, PayCallback: &r}); got != tc.level {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.level)
		}
	}
}

// TestPayErrors: pay's usage errors say what to give, with a hint; the
// admin API's refusals are printed; every subcommand has its -h.
func TestPayErrors(t *testing.T) {
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--log", "off")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"pay"}, 2, "a subcommand is required"},
		{[]string{"pay", "dance"}, 2, `unknown subcommand "dance"`},
		{[]string{"pay", "act", "1"}, 2, "the complaint's ID and the ACT are required"},
		{[]string{"pay", "act", "1", "dance"}, 2, `no act "dance"`},
		{[]string{"pay", "act", "404", "message", "--text", "x"}, 1, "not found"},
		{[]string{"pay", "trigger", "1"}, 2, "give --act"},
		{[]string{"pay", "trigger", "--action-type", "X"}, 2, "the complaint's ID is required"},
		{[]string{"pay", "trigger", "404", "--action-type", "X"}, 1, "no Complaints 2.0 complaint 404"},
		{[]string{"pay", "resend"}, 2, "the notification ID"},
		{[]string{"pay", "resend", "nope"}, 1, "notification nope"},
		{[]string{"pay", "complain", "--problem-type", "FOOD"}, 2, "--problem-type"},
	} {
		code, _, errOut := drive(t, base, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
		if code == 2 && !strings.Contains(errOut, "Try: payfeedback pay") {
			t.Errorf("%v: a usage error without a hint: %q", tt.args, errOut)
		}
	}
	if code, out, _ := drive(t, base, "pay", "help"); code != 0 || !strings.Contains(out, "pay deliveries") || !strings.Contains(out, "pay keys") {
		t.Errorf("pay help: exit %d %q", code, out)
	}
	for _, sc := range paySubcommands() {
		args := append(strings.Fields(sc.Name()), "-h")
		code, out, _ := drive(t, base, args...)
		if code != 0 || !strings.Contains(out, "Usage: payfeedback "+sc.Name()) || !strings.Contains(out, "-mock-url") {
			t.Errorf("%s -h: exit %d, stdout %q", sc.Name(), code, out)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/middleware"
)

const (
	checkAppID = "wxf8b4f85f3a794e77"
	checkKey   = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"
)

// checkMerchant is a sound merchant on loopback: the middleware, and a
// client that marks each complaint handled at baseURL ("" : no API calls).
func checkMerchant(t *testing.T, baseURL, secret string) string {
	t.Helper()
	onRequest := func(context.Context, *payfeedback.Notification) error { return nil }
	if baseURL != "" {
		client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: checkAppID, Secret: secret, BaseURL: baseURL})
		if err != nil {
			t.Fatal(err)
		}
		onRequest = func(ctx context.Context, n *payfeedback.Notification) error {
			_ = client.SendMessage(ctx, n.OpenID, payfeedback.TextMessage{Content: "我们已收到您的投诉"})
			if err := client.UpdateFeedback(ctx, n.OpenID, n.FeedBackID); err != nil && !payfeedback.IsInvalidInput(err) {
				return err
			}
			return nil
		}
	}
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{checkAppID: checkKey},
		SharedSignature: middleware.RefuseSharedSignature})( // the forged-copy cases expect a refusal
		middleware.Dispatcher{OnRequest: onRequest, OnConfirm: ok, OnReject: ok})
	return serve(t, h)
}

// serve serves h on loopback and returns its notification URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL + "/payfeedback"
}

// careless accepts any well-formed notification: it never verifies.
func careless(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, payfeedback.MaxNotificationSize+1))
	if _, err := payfeedback.ParseNotification(body); err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	io.WriteString(w, "OK")
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestCheckUsage(t *testing.T) {
	url := "http://127.0.0.1:1/payfeedback"
	expect := filepath.Join(t.TempDir(), "expect.txt")
	if err := os.WriteFile(expect, []byte("security/replay/typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{"check", "--appid", checkAppID, "--paysignkey", checkKey}, "--url is required"},
		{"no appid", []string{"check", "--url", url, "--paysignkey", checkKey}, "--appid is required"},
		{"no key", []string{"check", "--url", url, "--appid", checkAppID}, "--paysignkey is required"},
		{"bad url", []string{"check", "--url", "ftp://x", "--appid", checkAppID, "--paysignkey", checkKey}, "not an http(s) URL"},
		{"bad pattern", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--run", "("}, "Options.Run"},
		{"bad list pattern", []string{"check", "--list", "--run", "("}, "--run"},
		{"unknown expected failure", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--expect-fail", expect}, `no case is named "security/replay/typo"`},
		{"missing expect file", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--expect-fail", expect + ".none"}, "--expect-fail"},
		{"unknown flag", []string{"check", "--nope"}, "flag provided but not defined"},
		{"argument", []string{"check", "--url", url, "extra"}, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, "", nil, tc.args...)
			if res.code != 2 {
				t.Errorf("exit %d, want 2\nstderr: %s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tc.want) || !strings.Contains(res.stderr, "Try: ") && tc.name != "unknown flag" {
				t.Errorf("stderr %q, want %q and a Try: hint", res.stderr, tc.want)
			}
			if strings.Contains(res.stderr, checkKey) {
				t.Error("stderr echoes the paySignKey")
			}
		})
	}
}

func TestCheckList(t *testing.T) {
	res := runCLI(t, "", nil, "check", "--list")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, c := range conformance.Cases() {
		if !strings.Contains(res.stdout, c.ID) || !strings.Contains(res.stdout, c.Requirement) {
			t.Errorf("--list lacks %s or its requirement", c.ID)
		}
	}
	res = runCLI(t, "", nil, "check", "--list", "--run", "^delivery/")
	if want := "delivery/duplicate\n"; !strings.HasPrefix(res.stdout, want) || !strings.HasSuffix(res.stdout, "2 cases\n") {
		t.Errorf("--list --run ^delivery/ printed:\n%s", res.stdout)
	}
}

func TestCheckPassingMerchant(t *testing.T) {
	t.Parallel()
	url := checkMerchant(t, "", "")
	dir := t.TempDir()
	jsonFile, junitFile := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	res := runCLI(t, "", nil, "check", "--url", url, "--appid", checkAppID, "--appkey", checkKey,
		"--json", jsonFile, "--junit", junitFile)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	lines := strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
	nAPI := len(apiCaseIDs()) + 1 // and the chaos campaign
	total := len(conformance.Cases())
	if got, want := lines[len(lines)-1], fmt.Sprintf("%d cases, %d passed, %d skipped, 0 failed", total, total-nAPI, nAPI); got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
	if !strings.Contains(res.stdout, "PASS  security/replay/msgtype\n") || !strings.Contains(res.stdout, "SKIP  api/token/credentials: ") || !strings.Contains(res.stdout, "SKIP  likewise: ..........") {
		t.Errorf("no per-case lines in:\n%s", res.stdout)
	}
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary string `json:"summary"`
		Results []struct {
			ID string `json:"id"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Results) != total || doc.Summary != lines[len(lines)-1] {
		t.Errorf("JSON report: %v, %d results, summary %q", err, len(doc.Results), doc.Summary)
	}
	b, err = os.ReadFile(junitFile)
	if err != nil {
		t.Fatal(err)
	}
	var junit struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(b, &junit); err != nil || junit.Tests != total+1 { // the control too
		t.Errorf("JUnit report: %v, tests=%d", err, junit.Tests)
	}
}

func TestCheckFailingMerchant(t *testing.T) {
	url := serve(t, http.HandlerFunc(careless))
	args := []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--run", "^security/(signature|appid)/"}
	res := runCLI(t, "", nil, args...)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"FAIL  security/signature/wrong: accepted a notification with a wrong AppSignature\n",
		"--- FAIL security/signature/wrong\n",
		"    Expected:    a status other than 2xx (the notification refused)\n",
		"    Actual:      HTTP 200: OK\n",
		"      > POST /payfeedback\n",
		"      < 200 OK\n",
		"5 cases, 2 passed, 0 skipped, 3 failed\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, checkKey) {
		t.Error("the report echoes the paySignKey")
	}

	// The same failures, listed as expected: the run passes.
	expect := filepath.Join(t.TempDir(), "expect.txt")
	list := "# not yet\nsecurity/signature/wrong\nsecurity/signature/other-key\nsecurity/appid/wrong\n"
	if err := os.WriteFile(expect, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	res = runCLI(t, "", nil, append(args, "--expect-fail", expect)...)
	if res.code != 0 || !strings.Contains(res.stdout, "XFAIL security/appid/wrong") ||
		!strings.HasSuffix(res.stdout, "5 cases, 2 passed, 0 skipped, 0 failed (3 expected failures)\n") {
		t.Errorf("with --expect-fail: exit %d\n%s", res.code, res.stdout)
	}
}

func TestCheckStrict(t *testing.T) {
	url := serve(t, http.HandlerFunc(careless))
	args := []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--run", "^notify/request/cdata$"}
	if res := runCLI(t, "", nil, args...); res.code != 0 || !strings.Contains(res.stdout, "WARN  notify/request/cdata") {
		t.Errorf("without --strict: exit %d, want 0 with a warning\n%s", res.code, res.stdout)
	}
	if res := runCLI(t, "", nil, append(args, "--strict")...); res.code != 1 || !strings.Contains(res.stdout, "FAIL  notify/request/cdata: (strict)") {
		t.Errorf("with --strict: exit %d, want 1\n%s", res.code, res.stdout)
	}
}

func TestCheckAPI(t *testing.T) {
	t.Parallel()
	const secret = "merchant-test-secret-0123456789ab"
	addr := freeAddr(t)
	url := checkMerchant(t, "http://"+addr, secret)
	res := runCLI(t, "", nil, "check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey,
		"--secret", secret, "--api", "--api-addr", addr, "--api-timeout", "10s")
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"fake WeChat for the API cases at http://" + addr,
		"secret  *** (as given with --secret)",
		"PASS  api/token/expired\n",
		fmt.Sprintf("%d cases, %d passed, 1 skipped, 0 failed\n", len(conformance.Cases()), len(conformance.Cases())-1),
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, secret) {
		t.Error("stdout echoes the secret given with --secret")
	}
}

func TestCheckAPIMerchantNotWired(t *testing.T) {
	t.Parallel()
	url := checkMerchant(t, "", "")
	res := runCLI(t, "", nil, "check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey,
		"--api", "--api-addr", "127.0.0.1:0", "--api-timeout", "200ms", "--run", "^api/")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		mockDemoSecretLine(),
		"FAIL  api/update/called: ",
		"the merchant made no API call to the fake at all: is it configured with the base URL http://127.0.0.1:",
		fmt.Sprintf("%d cases, 0 passed, 0 skipped, 1 failed, %d inconclusive\n", len(apiCaseIDs()), len(apiCaseIDs())-1),
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
}

// apiCaseIDs lists the ids of the cases that need --api.
func apiCaseIDs() []string {
	var ids []string
	for _, c := range conformance.Cases() {
		if c.API {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// mockDemoSecretLine is how the demo secret is shown when no --secret is
// given (it is public).
func mockDemoSecretLine() string {
	return "(the demo secret: configure the merchant with it, or give --secret)"
}

// TestCLILinksNoTestCode: the CLI links neither the testing package nor
// go-cmp, which are for tests (the suite's go test runner lives in
// conformance/conformancetest, which only tests import).
func TestCLILinksNoTestCode(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "github.com/payfeedback/payfeedback/conformance") {
		t.Fatalf("go list -deps listed %d packages, without the conformance package: this test would prove nothing", len(deps))
	}
	for _, d := range deps {
		if d == "testing" || strings.HasPrefix(d, "testing/") || strings.Contains(d, "go-cmp") {
			t.Errorf("the CLI links %s", d)
		}
	}
}

// fakesClock reads the clock of the fake WeChat at baseURL, as a merchant
// run against check --virtual-clock does; it reads the local clock until
// the fake listens.
func fakesClock(baseURL string) func() time.Time {
	return func() time.Time {
		resp, err := http.Get(baseURL + "/_mock/clock")
		if err != nil {
			return time.Now()
		}
		defer resp.Body.Close()
		var v struct{ Now time.Time }
		if json.NewDecoder(resp.Body).Decode(&v) != nil {
			return time.Now()
		}
		return v.Now
	}
}

// TestCheckVirtualClock: with --virtual-clock the fake's clock is virtual
// and said so, with where the merchant reads it; a merchant that follows
// it passes every API case, the deadline cells judged on that clock (no
// word of the real clock); without --api the flag is a usage error.
func TestCheckVirtualClock(t *testing.T) {
	const secret = "merchant-test-secret-0123456789ab"
	addr := freeAddr(t)
	now := fakesClock("http://" + addr)
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: checkAppID, Secret: secret, BaseURL: "http://" + addr, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	onRequest := func(ctx context.Context, n *payfeedback.Notification) error {
		return client.UpdateFeedback(ctx, n.OpenID, n.FeedBackID)
	}
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	url := serve(t, middleware.New(middleware.Config{Keys: middleware.StaticKeys{checkAppID: checkKey}, Now: now})(
		middleware.Dispatcher{OnRequest: onRequest, OnConfirm: ok, OnReject: ok}))
	r := runCLI(t, "", nil, checkArgs(url, "--secret", secret, "--api", "--api-addr", addr, "--virtual-clock", "--run", "^(api|security/timestamp)/")...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"clock   virtual, at ",
		": the merchant must take its time from GET http://" + addr + "/_mock/clock",
		"PASS  api/deadline/virtual-unshipped-overdue\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "real clock") {
		t.Errorf("a virtual run speaks of the real clock:\n%s", r.stdout)
	}
	if r := runCLI(t, "", nil, checkArgs(url, "--virtual-clock")...); r.code != 2 || !strings.Contains(r.stderr, "add --api") {
		t.Errorf("--virtual-clock without --api: exit %d, %q", r.code, r.stderr)
	}
}

// TestCheckRealClockSaysSo: on the real clock each deadline cell says that
// it judged an update within --api-timeout only.
func TestCheckRealClockSaysSo(t *testing.T) {
	const secret = "merchant-test-secret-0123456789ab"
	addr := freeAddr(t)
	url := checkMerchant(t, "http://"+addr, secret)
	r := runCLI(t, "", nil, checkArgs(url, "--secret", secret, "--api", "--api-addr", addr, "--api-timeout", "10s", "--run", "^api/deadline/")...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"clock   real, ",
		"PASS  api/deadline/physical-shipped: on the real clock: updated within 10s of the complaint, so within its deadline; a run on the real clock judges no more than that (--virtual-clock",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

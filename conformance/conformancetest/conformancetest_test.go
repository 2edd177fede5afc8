package conformancetest_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
	"github.com/payfeedback/payfeedback/middleware"
)

const (
	appID = "wxf8b4f85f3a794e77"
	key   = "the-merchant-paysignkey"
)

// merchant is a sound merchant on its own path: the middleware in front of
// a dispatcher that makes no API call.
func merchant() http.Handler {
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	mux := http.NewServeMux()
	mux.Handle("/wechat/payfeedback", middleware.New(middleware.Config{Keys: middleware.StaticKeys{appID: key}, SharedSignature: middleware.RefuseSharedSignature})(
		middleware.Dispatcher{OnRequest: ok, OnConfirm: ok, OnReject: ok}))
	return mux
}

// TestRun: a sound merchant passes, each case a subtest, the control's
// first.
func TestRun(t *testing.T) {
	var seen []string
	conformancetest.Run(t, merchant(), conformance.Options{
		AppID: appID, PaySignKey: key, Path: "/wechat/payfeedback", Run: "^(notify|security|delivery)/",
		Progress: func(r conformance.Result) { seen = append(seen, r.ID) },
	})
	cases, err := conformance.Options{Handler: merchant(), AppID: appID, PaySignKey: key, Run: "^(notify|security|delivery)/"}.Selected()
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(cases)+1 || seen[0] != conformance.ControlID {
		t.Errorf("%d results, first %q; want the control, then one per case (%d)", len(seen), seen[0], len(cases))
	}
}

// helperEnv names the test the helper process runs (see helper).
const helperEnv = "CONFORMANCETEST_HELPER"

// TestHelperProcess is not a test of its own: the tests below run the test
// binary again with helperEnv set, so that it runs a suite the way a
// merchant's go test would, and read what go test prints.
func TestHelperProcess(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "wrong-path":
		// The merchant listens on /wechat/payfeedback; Options.Path is
		// left to its default, /payfeedback.
		conformancetest.Run(t, merchant(), conformance.Options{AppID: appID, PaySignKey: key})
	case "wrong-key":
		conformancetest.Run(t, merchant(), conformance.Options{AppID: appID, PaySignKey: "not-the-merchant-key", Path: "/wechat/payfeedback"})
	}
}

// goTestOutput runs TestHelperProcess in a process of its own, as go test
// would run a merchant's test, and returns what it printed.
func goTestOutput(t *testing.T, helper string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+helper)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("the helper process ended with %v, want a failed test (exit 1):\n%s", err, out)
	}
	return string(out)
}

// TestWrongPathOutputIsShort: a merchant on another path than the suite
// posts to fails every case the same way. What go test prints names the
// cause first, under the control's line, and is a line or two per case
// plus one report, not a failure report per case (1,326 lines before).
func TestWrongPathOutputIsShort(t *testing.T) {
	out := goTestOutput(t, "wrong-path")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	total := len(conformance.Cases())
	if max := 2*(total+1) + 60; len(lines) > max {
		t.Errorf("%d lines for %d cases, want at most %d:\n%s", len(lines), total, max, out)
	}
	cause := strings.Index(out, "likely cause: is the path right?")
	firstCase := strings.Index(out, "--- FAIL: TestHelperProcess/notify/")
	if cause < 0 || firstCase < 0 || cause > firstCase {
		t.Errorf("the likely cause does not come before the first case:\n%s", out)
	}
	if n := strings.Count(out, "> POST /payfeedback"); n != 1 {
		t.Errorf("%d exchanges printed, want the one that shows the cause:\n%s", n, out)
	}
	for _, want := range []string{
		"FAIL  notify/request/cdata: a valid notification was refused (the same as the control: its likely cause is under its line)",
		"Cause first: one reason behind",
		"Likely cause: is the path right? (in-process, Options.Path defaults to /payfeedback)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("a wrong path: %d lines", len(lines))
}

// TestSameReportBothWaysIn: the details go test prints end with the
// report the CLI prints after its case lines (WriteDetails), word for
// word.
func TestSameReportBothWaysIn(t *testing.T) {
	out := goTestOutput(t, "wrong-key")
	rep, err := conformance.Run(t.Context(), conformance.Options{Handler: merchant(), AppID: appID, PaySignKey: "not-the-merchant-key", Path: "/wechat/payfeedback"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := rep.WriteDetails(&b); err != nil {
		t.Fatal(err)
	}
	// The details differ from run to run only in the exchange's openid,
	// timestamp, signature and ids: compare their shape, line by line.
	want := strings.Split(strings.TrimSpace(b.String()), "\n")
	i := strings.Index(out, "the conformance report, the cause first:")
	if i < 0 {
		t.Fatalf("no report at the end:\n%s", out)
	}
	got := strings.Split(out[i:], "\n")[1:]
	if len(got) < len(want) {
		t.Fatalf("the report in go test has %d lines, want %d:\n%s", len(got), len(want), out)
	}
	for k, w := range want {
		g := strings.TrimSpace(got[k])
		if w = strings.TrimSpace(w); g != w && !strings.HasPrefix(w, "> <") {
			t.Errorf("line %d: %q, want %q", k+1, g, w)
		}
	}
	if !strings.Contains(out, "likely cause: is --paysignkey (Options.PaySignKey) the merchant's key?") {
		t.Errorf("no likely cause under the control's line:\n%s", out)
	}
}

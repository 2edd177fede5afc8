package conformance_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
)

func TestCasesHaveStableWellFormedIDs(t *testing.T) {
	idShape := regexp.MustCompile(`^(notify|security|delivery|api|chaos)(/[a-z0-9-]+)+$`)
	seen := map[string]bool{}
	sections := map[string]bool{}
	for _, c := range conformance.Cases() {
		if !idShape.MatchString(c.ID) {
			t.Errorf("case id %q is not section/name in lower case", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("case id %q given twice", c.ID)
		}
		seen[c.ID] = true
		sections[c.Section()] = true
		if !strings.HasSuffix(c.Requirement, ".") || len(c.Requirement) < 30 {
			t.Errorf("%s: requirement %q is not a sentence", c.ID, c.Requirement)
		}
		if c.API != (c.Section() == "api") {
			t.Errorf("%s: API = %v, want it set exactly for the api section", c.ID, c.API)
		}
	}
	for _, s := range conformance.Sections() {
		if !sections[s] {
			t.Errorf("section %q has no case", s)
		}
	}
	if len(seen) != 55 {
		t.Errorf("%d cases; update this count and the documentation when adding one", len(seen))
	}
}

func TestOptionsRefused(t *testing.T) {
	h := http.NotFoundHandler()
	tests := []struct {
		name string
		opts conformance.Options
		want string
	}{
		{"nothing under test", conformance.Options{AppID: "a", PaySignKey: "k"}, "nothing under test"},
		{"URL and handler", conformance.Options{URL: "http://x", Handler: h, AppID: "a", PaySignKey: "k"}, "set one of them"},
		{"no appid", conformance.Options{Handler: h, PaySignKey: "k"}, "AppID is required"},
		{"no key", conformance.Options{Handler: h, AppID: "a"}, "PaySignKey is required"},
		{"not http", conformance.Options{URL: "ftp://x/y", AppID: "a", PaySignKey: "k"}, "not an http(s) URL"},
		{"negative", conformance.Options{Handler: h, AppID: "a", PaySignKey: "k", Timeout: -1}, "must not be negative"},
		{"small oversize", conformance.Options{Handler: h, AppID: "a", PaySignKey: "k", Oversize: 1000}, "not oversized"},
		{"bad pattern", conformance.Options{Handler: h, AppID: "a", PaySignKey: "k", Run: "("}, "Options.Run"},
		{"path with URL", conformance.Options{URL: "http://x/p", Path: "/q", AppID: "a", PaySignKey: "k"}, "put the path in the URL"},
		{"relative path", conformance.Options{Handler: h, AppID: "a", PaySignKey: "k", Path: "wechat"}, "must start with /"},
		{"unknown expected failure", conformance.Options{Handler: h, AppID: "a", PaySignKey: "k", ExpectFail: []string{"security/nope"}}, "no case"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := conformance.Run(context.Background(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run error = %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "k\"") {
				t.Errorf("error %q may echo the key", err)
			}
		})
	}
}

// TestPath runs the notify cases against a handler that serves only
// Options.Path: every case reaches it, and none reaches the default path.
func TestPath(t *testing.T) {
	var other atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("/wechat/payfeedback", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	}))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		http.NotFound(w, r)
	}))
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Handler: mux, Path: "/wechat/payfeedback", AppID: "wxf8b4f85f3a794e77", PaySignKey: "k", Run: "^notify/request/",
	})
	if err != nil {
		t.Fatal(err)
	}
	if failed := rep.FailedIDs(); len(failed) != 0 || other.Load() != 0 {
		t.Errorf("failed %v, %d requests outside the path", failed, other.Load())
	}
}

func TestRunSelectsCases(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`^security/replay/`, []string{"security/replay/feedbackid", "security/replay/msgtype"}},
		{`delivery`, []string{"delivery/duplicate", "delivery/retry-after-cut"}},
		{`^notify/(confirm|reject)$`, []string{"notify/confirm", "notify/reject"}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			rep, err := conformance.Run(context.Background(), conformance.Options{
				Merchant: reference, AppID: testAppID, PaySignKey: testKey, Run: tc.pattern,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rep.Results {
				got = append(got, r.ID)
				if r.Status != conformance.Pass {
					t.Errorf("%s: %s %s", r.ID, r.Status, r.Message)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("cases run (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunSelectingNothing: a pattern that selects no case (a typo in CI)
// is refused before anything runs, not a green run of 0 cases.
func TestRunSelectingNothing(t *testing.T) {
	opts := conformance.Options{Merchant: reference, AppID: testAppID, PaySignKey: testKey, Run: `^secruity/`}
	for name, err := range map[string]error{
		"Validate": opts.Validate(),
		"Run":      func() error { _, err := conformance.Run(context.Background(), opts); return err }(),
		"Selected": func() error { _, err := opts.Selected(); return err }(),
	} {
		if !errors.Is(err, conformance.ErrNoCaseSelected) || !strings.Contains(err.Error(), "^secruity/") {
			t.Errorf("%s: error %v, want ErrNoCaseSelected naming the pattern", name, err)
		}
	}
}

// TestRefusalsNeedTheControl: on an endpoint that refuses everything (a
// wrong path answers 404), the refusal cases prove nothing. They are
// inconclusive, not passed, and the run fails, with the control saying
// why in one line.
func TestRefusalsNeedTheControl(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/wechat/payfeedback", newRaw(mistakes{})(conformance.APIEnv{AppID: testAppID, PaySignKey: testKey}))
	pattern := `^security/(signature|appid|signmethod|timestamp)`
	for _, tc := range []struct {
		name string
		path string
		want conformance.Status
	}{
		{"wrong path", "", conformance.Inconclusive}, // the default /payfeedback
		{"right path", "/wechat/payfeedback", conformance.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := conformance.Run(context.Background(), conformance.Options{
				Handler: mux, Path: tc.path, AppID: testAppID, PaySignKey: testKey, Run: pattern,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Results) != 8 {
				t.Fatalf("%d results, want the 8 cases of %s", len(rep.Results), pattern)
			}
			for _, r := range rep.Results {
				if r.Status != tc.want {
					t.Errorf("%s: %s %s, want %s", r.ID, r.Status, r.Message, tc.want)
				}
			}
			if rep.Control == nil {
				t.Fatal("no control in the report")
			}
			if got := rep.Failed(); got != (tc.want != conformance.Pass) {
				t.Errorf("Failed() = %v", got)
			}
			if tc.want == conformance.Pass {
				return
			}
			if rep.Control.Status != conformance.Fail || !strings.Contains(rep.Control.Message, "HTTP 404") {
				t.Errorf("control = %s %q, want a failure naming the 404", rep.Control.Status, rep.Control.Message)
			}
			if want := "8 cases, 0 passed, 0 skipped, 0 failed, 8 inconclusive"; rep.Summary() != want {
				t.Errorf("Summary = %q, want %q", rep.Summary(), want)
			}
		})
	}
}

// TestTimeLimitNeedsAnAcceptance: a merchant that refuses quickly (a
// wrong key) has not shown how long it takes to handle a notification.
func TestTimeLimitNeedsAnAcceptance(t *testing.T) {
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Merchant: newRaw(mistakes{otherKey: true}), AppID: testAppID, PaySignKey: testKey, Run: `^notify/time-limit$`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Status != conformance.Inconclusive || !strings.Contains(r.Message, "HTTP 401") {
		t.Errorf("notify/time-limit: %s %q, want inconclusive naming the refusal", r.Status, r.Message)
	}
	if !rep.Failed() {
		t.Error("Failed() = false for an inconclusive run")
	}
}

func TestAPICasesSkippedUnlessAsked(t *testing.T) {
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Merchant: reference, AppID: testAppID, PaySignKey: testKey, Run: `^api/`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(withPrefix("api/")); len(rep.Results) != n {
		t.Fatalf("%d results, want the %d api cases", len(rep.Results), n)
	}
	for _, r := range rep.Results {
		if r.Status != conformance.Skip || !strings.Contains(r.Message, "--api") {
			t.Errorf("%s: %s %q, want skipped with a reason naming --api", r.ID, r.Status, r.Message)
		}
	}
	// Every selected case skipped: nothing was checked, and that is no pass.
	if !rep.Failed() || !rep.NothingChecked() || !strings.Contains(rep.Summary(), "nothing was checked") {
		t.Errorf("all skipped: Failed() = %v, summary %q; want a failed run that says nothing was checked", rep.Failed(), rep.Summary())
	}
	rep, err = conformance.Run(context.Background(), conformance.Options{
		Merchant: reference, AppID: testAppID, PaySignKey: testKey, Run: `^api/`, AllowSkip: true,
	})
	if err != nil || rep.Failed() {
		t.Errorf("with AllowSkip: err %v, Failed() = %v, want a passing run", err, rep.Failed())
	}
}

func TestExpectedFailures(t *testing.T) {
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Merchant: newRaw(mistakes{trustsReplay: true}), AppID: testAppID, PaySignKey: testKey,
		Run:        `^security/(replay|signature/wrong)`,
		ExpectFail: []string{"security/replay/feedbackid", "security/replay/msgtype", "security/signature/wrong"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]conformance.Status{
		"security/signature/wrong":   conformance.Pass,
		"security/replay/feedbackid": conformance.ExpectedFail,
		"security/replay/msgtype":    conformance.ExpectedFail,
	}
	for _, r := range rep.Results {
		if r.Status != want[r.ID] || !r.Listed {
			t.Errorf("%s: status %s listed %v, want %s listed", r.ID, r.Status, r.Listed, want[r.ID])
		}
	}
	if rep.Failed() {
		t.Error("Failed() = true: expected failures must not fail the run")
	}
	if c := rep.Counts(); c.ExpectedFailures != 2 || c.ListedPassed != 1 || c.Failed != 0 {
		t.Errorf("counts %+v, want 2 expected failures, 1 listed pass, no failure", c)
	}
}

func TestParseExpectFail(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"empty", "", nil, ""},
		{"ids, comments, blanks", "# gradual adoption\n\nsecurity/replay/feedbackid\n  security/replay/msgtype  # next sprint\n", []string{"security/replay/feedbackid", "security/replay/msgtype"}, ""},
		{"CRLF", "notify/confirm\r\nnotify/reject\r\n", []string{"notify/confirm", "notify/reject"}, ""},
		{"unknown", "security/replay/feedbackid\nsecurity/replay/typo\n", nil, `line 2: no case is named "security/replay/typo"`},
		{"twice", "notify/confirm\nnotify/confirm\n", nil, "listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := conformance.ParseExpectFail(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseExpectFail(f *testing.F) {
	f.Add("security/replay/feedbackid\n# comment\n")
	f.Add("notify/confirm # x\r\n\n")
	f.Add("unknown/case")
	known := map[string]bool{}
	for _, c := range conformance.Cases() {
		known[c.ID] = true
	}
	f.Fuzz(func(t *testing.T, in string) {
		ids, err := conformance.ParseExpectFail(strings.NewReader(in))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if !known[id] || seen[id] {
				t.Fatalf("ParseExpectFail(%q) returned %q: unknown or repeated", in, id)
			}
			seen[id] = true
		}
	})
}

func TestCancelledRunSkipsTheRest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	rep, err := conformance.Run(ctx, conformance.Options{
		Merchant: reference, AppID: testAppID, PaySignKey: testKey,
		Progress: func(conformance.Result) {
			n++
			if n == 3 {
				cancel()
			}
		},
	})
	if err != context.Canceled {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	if len(rep.Results) != len(conformance.Cases()) {
		t.Fatalf("%d results, want one per case", len(rep.Results))
	}
	for _, r := range rep.Results[3:] {
		if r.Status != conformance.Skip {
			t.Errorf("%s after the cancellation: %s, want skipped", r.ID, r.Status)
		}
	}
}

// TestInGoTest runs the whole suite, API cases included, the way a
// merchant's own go test would (conformancetest).
func TestInGoTest(t *testing.T) {
	var seen []string
	conformancetest.Run(t, nil, conformance.Options{
		Merchant: reference, AppID: testAppID, PaySignKey: testKey, API: true,
		Progress: func(r conformance.Result) { seen = append(seen, r.ID) },
	})
	if len(seen) != len(conformance.Cases())+1 || seen[0] != conformance.ControlID {
		t.Errorf("%d subtests, first %q; want the control, then one per case (%d)", len(seen), seen[0], len(conformance.Cases()))
	}
}

// TestPreflight: when nothing listens at the URL, Run says so once, at
// once, instead of failing every case with "connection refused"; with
// Wait it waits for the merchant to start.
func TestPreflight(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "http://" + addr + "/payfeedback"
	opts := conformance.Options{URL: url, AppID: testAppID, PaySignKey: testKey, Run: `^notify/request/cdata$`}

	rep, err := conformance.Run(context.Background(), opts)
	if !errors.Is(err, conformance.ErrUnreachable) || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Run error = %v, want ErrUnreachable naming the URL and the refusal", err)
	}
	if len(rep.Results) != 0 {
		t.Errorf("%d results: no case may run when nothing listens", len(rep.Results))
	}

	opts.Wait = 150 * time.Millisecond
	var waits []string
	opts.OnWait = func(what string) { waits = append(waits, what) }
	if _, err := conformance.Run(context.Background(), opts); !errors.Is(err, conformance.ErrUnreachable) || !strings.Contains(err.Error(), "waited 150ms") {
		t.Fatalf("with Wait and nothing starting: %v", err)
	}
	if len(waits) != 2 || !strings.Contains(waits[0], addr) || waits[1] != "" {
		t.Errorf("OnWait got %q, want what is awaited, then \"\"", waits)
	}

	// The merchant starts once the suite waits for it (OnWait says so).
	opts.Wait = 10 * time.Second
	waiting := make(chan struct{})
	var once sync.Once
	opts.OnWait = func(what string) {
		if what != "" {
			once.Do(func() { close(waiting) })
		}
	}
	srv := &http.Server{Handler: newRaw(mistakes{})(conformance.APIEnv{AppID: testAppID, PaySignKey: testKey})}
	defer srv.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		<-waiting
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		srv.Serve(ln)
	}()
	defer func() { srv.Close(); <-served }()
	rep, err = conformance.Run(context.Background(), opts)
	if err != nil || rep.Failed() {
		t.Fatalf("with Wait: %v, %s", err, rep.Summary())
	}
}

// TestFixLinesCiteWhatShips: every case says how to fix a failure, and
// cites only documentation that ships with the module: headings of
// docs/protocol.md that exist, and package docs.
func TestFixLinesCiteWhatShips(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			a := strings.ToLower(strings.TrimSpace(h))
			a = strings.Map(func(r rune) rune {
				switch {
				case r == ' ':
					return '-'
				case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
					return r
				}
				return -1
			}, a)
			anchors[a] = true
		}
	}
	cite := regexp.MustCompile(`docs/protocol\.md#([a-z0-9_-]+)`)
	for _, c := range conformance.Cases() {
		if c.Fix == "" {
			t.Errorf("%s has no Fix", c.ID)
			continue
		}
		if !strings.Contains(c.Fix, "(see ") {
			t.Errorf("%s: Fix %q cites nothing", c.ID, c.Fix)
		}
		for _, m := range cite.FindAllStringSubmatch(c.Fix, -1) {
			if !anchors[m[1]] {
				t.Errorf("%s: Fix cites docs/protocol.md#%s, which is no heading of it", c.ID, m[1])
			}
		}
		if strings.Contains(c.Fix, "PROTOCOL") || strings.Contains(c.Fix, "../shared") || strings.Contains(c.Fix, "shared/") {
			t.Errorf("%s: Fix %q cites notes that do not ship", c.ID, c.Fix)
		}
	}
}

// TestRetriesMarkedAsTheKitsAssumption: WeChat's document does not say
// that it delivers a complaint notification again; every case text that
// counts on it says it is the kit's assumption.
func TestRetriesMarkedAsTheKitsAssumption(t *testing.T) {
	retry := regexp.MustCompile(`(?i)delivers? (it )?again|delivered again|WeChat retries|WeChat's retries`)
	n := 0
	for _, c := range conformance.Cases() {
		for what, text := range map[string]string{"Fix": c.Fix, "Requirement": c.Requirement} {
			if !retry.MatchString(text) {
				continue
			}
			n++
			if !strings.Contains(text, "assumption") && !strings.Contains(text, "assumes") {
				t.Errorf("%s: %s counts on WeChat's retries without saying it is the kit's assumption: %q", c.ID, what, text)
			}
		}
	}
	if n < 2 {
		t.Errorf("%d case texts speak of retries: this test would prove nothing", n)
	}
}

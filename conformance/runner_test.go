package conformance_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/conformance"
)

func TestCasesHaveStableWellFormedIDs(t *testing.T) {
	idShape := regexp.MustCompile(`^(notify|security|delivery|api)(/[a-z0-9-]+)+$`)
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
	if len(seen) != 38 {
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
		{`^nothing$`, nil},
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

func TestAPICasesSkippedUnlessAsked(t *testing.T) {
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Merchant: reference, AppID: testAppID, PaySignKey: testKey, Run: `^api/`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 7 {
		t.Fatalf("%d results, want the 7 api cases", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Status != conformance.Skip || !strings.Contains(r.Message, "--api") {
			t.Errorf("%s: %s %q, want skipped with a reason naming --api", r.ID, r.Status, r.Message)
		}
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

// TestTest runs the suite the way a merchant's own go test would.
func TestTest(t *testing.T) {
	var seen []string
	conformance.Test(t, nil, conformance.Options{
		Merchant: reference, AppID: testAppID, PaySignKey: testKey, API: true,
		Progress: func(r conformance.Result) { seen = append(seen, r.ID) },
	})
	if len(seen) != len(conformance.Cases()) {
		t.Errorf("%d subtests, want one per case (%d)", len(seen), len(conformance.Cases()))
	}
}

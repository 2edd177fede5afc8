package conformance_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/conformance"
)

// testOversize is the oversized body of the tests: well over the 64 KiB a
// sound merchant reads, and a quarter of a second less per case under
// the race detector than the 4 MiB default.
const testOversize = 256 << 10

// run runs the whole suite, API cases included, against a merchant built
// by build, in-process; the chaos campaign is skipped unless opts.Chaos
// (chaos_test.go runs it against each merchant).
func run(t *testing.T, build func(conformance.APIEnv) http.Handler, opts conformance.Options) conformance.Report {
	t.Helper()
	opts.Merchant, opts.Oversize = build, testOversize
	opts.AppID, opts.PaySignKey, opts.API = testAppID, testKey, true
	rep, err := conformance.Run(t.Context(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// runWithoutAPI is run with the api cases skipped.
func runWithoutAPI(t *testing.T, build func(conformance.APIEnv) http.Handler, opts conformance.Options) conformance.Report {
	t.Helper()
	opts.Merchant, opts.Oversize = build, testOversize
	opts.AppID, opts.PaySignKey = testAppID, testKey
	rep, err := conformance.Run(t.Context(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if c, n := rep.Counts(), len(withPrefix("api/", "chaos/")); c.Skipped != n {
		t.Errorf("%d cases skipped, want the %d api cases and the chaos campaign", c.Skipped, n)
	}
	return rep
}

func sorted(ids []string) []string {
	out := append([]string{}, ids...)
	sort.Strings(out)
	return out
}

func TestReferenceMerchantPassesEveryCase(t *testing.T) {
	rep := run(t, reference, conformance.Options{Chaos: 200})
	c := rep.Counts()
	if c.Total != len(conformance.Cases()) || c.Passed != c.Total || c.Warned != 0 {
		var buf strings.Builder
		rep.WriteText(&buf)
		t.Fatalf("counts %+v, want every one of %d cases passed without warning:\n%s", c, len(conformance.Cases()), buf.String())
	}
	if rep.Failed() {
		t.Error("Failed() = true for a report without failures")
	}
}

// withPrefix lists the ids of the cases that start with one of prefixes.
func withPrefix(prefixes ...string) []string {
	var ids []string
	for _, c := range conformance.Cases() {
		for _, p := range prefixes {
			if strings.HasPrefix(c.ID, p) {
				ids = append(ids, c.ID)
				break
			}
		}
	}
	return ids
}

// allBut lists the ids of every case but those given.
func allBut(lists ...[]string) []string {
	drop := map[string]bool{}
	for _, l := range lists {
		for _, id := range l {
			drop[id] = true
		}
	}
	var ids []string
	for _, c := range conformance.Cases() {
		if !drop[c.ID] {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// refusesAll is what an endpoint that refuses every notification fails:
// each case whose own valid notification must be accepted, and the API
// scenario's first complaint. Every other case rests on one of these, or
// on the control, and is inconclusive: none passes.
var refusesAll = append(withPrefix("notify/request/", "notify/optional/"), "delivery/retry-after-cut", "api/update/called")

// brokenMerchants are the merchants with one mistake each and the exact
// sets of cases each must fail and leave inconclusive.
var brokenMerchants = []struct {
	name         string
	m            mistakes
	opts         conformance.Options
	noAPI        bool
	fail         []string
	inconclusive []string
}{
	{name: "no mistakes"},
	// The two that fooled the suite into a green run: every refusal case
	// passed against them.
	{name: "answers 404 to everything", m: mistakes{notFound: true}, opts: conformance.Options{APITimeout: 300 * time.Millisecond},
		fail: refusesAll, inconclusive: allBut(refusesAll, []string{"chaos/campaign"})},
	{name: "verifies with another key", m: mistakes{otherKey: true}, opts: conformance.Options{APITimeout: 300 * time.Millisecond},
		fail: refusesAll, inconclusive: allBut(refusesAll, []string{"chaos/campaign"})},
	{name: "accepts any signature", m: mistakes{anySignature: true},
		fail: []string{"security/signature/wrong", "security/signature/other-key", "security/signmethod/unknown"}},
	{name: "accepts any AppId", m: mistakes{anyAppID: true}, fail: []string{"security/appid/wrong"}},
	{name: "ignores the timestamp", m: mistakes{anyTimestamp: true},
		fail: []string{"security/timestamp/stale", "security/timestamp/future"}},
	{name: "trusts a replayed signature", m: mistakes{trustsReplay: true},
		fail: []string{"security/replay/feedbackid", "security/replay/msgtype"}},
	{name: "answers too slowly", m: mistakes{slow: 12 * time.Millisecond}, opts: conformance.Options{Timeout: 2 * time.Millisecond},
		fail: []string{"notify/time-limit"}},
	{name: "accepts any method", m: mistakes{anyMethod: true}, fail: []string{"security/method/get", "security/method/put"}},
	{name: "parses XML leniently", m: mistakes{lenientXML: true},
		fail: []string{"security/xml/doctype-entities", "security/xml/external-entity"}},
	{name: "reads any body size", m: mistakes{noSizeLimit: true},
		fail: []string{"security/size/oversized", "security/size/oversized-chunked"}},
	{name: "bounds by Content-Length only", m: mistakes{contentLengthOnly: true}, fail: []string{"security/size/oversized-chunked"}},
	{name: "refuses duplicates", m: mistakes{refusesDuplicates: true}, fail: []string{"delivery/duplicate"}},
	{name: "remembers a failed attempt", m: mistakes{recordsEarly: true}, fail: []string{"delivery/retry-after-cut"}},
	// The fake's own ids are random and often beyond int64, as real ones
	// are: this merchant also fails the API cases whenever the scenario's
	// complaint gets such an id, so they are not judged here.
	{name: "parses FeedBackId as int64", m: mistakes{int64FeedBackID: true}, noAPI: true, fail: []string{"notify/request/feedbackid-beyond-int64"}},
	{name: "refuses unknown elements", m: mistakes{refusesUnknownElement: true}, fail: []string{"notify/request/unknown-elements"}},
	// The four that passed every notification and security case before
	// the field-rule cases.
	{name: "invents a missing FeedBackId", m: mistakes{inventsFeedBackID: true}, fail: []string{"security/required/feedbackid"}},
	{name: "requires Reason, Solution and ExtInfo", m: mistakes{requiresRequestFields: true},
		fail: []string{"notify/optional/reason", "notify/optional/solution", "notify/optional/extinfo"}},
	{name: "requires SignMethod", m: mistakes{requiresSignMethod: true}, fail: []string{"notify/optional/signmethod"}},
	{name: "handles an unknown MsgType as a request", m: mistakes{unknownAsRequest: true}, fail: []string{"security/msgtype/unknown"}},
	{name: "answers OK instead of success", m: mistakes{answersOK: true}},
	{name: "answers OK instead of success, strict", m: mistakes{answersOK: true}, opts: conformance.Options{Strict: true},
		fail: []string{
			"notify/request/cdata", "notify/request/plain-text", "notify/request/whitespace", "notify/request/element-order",
			"notify/request/unicode", "notify/request/pictures", "notify/request/unknown-elements",
			"notify/request/feedbackid-beyond-int64", "notify/optional/transid", "notify/optional/reason", "notify/optional/solution",
			"notify/optional/extinfo", "notify/optional/picinfo", "notify/optional/signmethod", "notify/confirm", "notify/reject",
			"delivery/duplicate", "delivery/retry-after-cut",
		}},
	{name: "fetches a token per call", m: mistakes{tokenPerCall: true}, fail: []string{"api/token/reuse"}},
	{name: "never calls update", m: mistakes{neverUpdates: true}, opts: conformance.Options{APITimeout: 300 * time.Millisecond},
		fail: []string{"api/update/called"}, inconclusive: append(withPrefix("api/deadline/"), "api/token/reuse", "api/token/expired")},
	// Deadlines on the fake's virtual clock: 36 hours is past the one-day
	// cell only.
	{name: "updates 36 hours later", m: mistakes{updatesAfter: 36 * time.Hour}, opts: conformance.Options{APITimeout: 300 * time.Millisecond},
		fail: []string{"api/deadline/virtual-unshipped-overdue"}},
	{name: "sends 11 news articles", m: mistakes{elevenArticles: true}, fail: []string{"api/message/limit"}},
	{name: "messages outside the window", m: mistakes{remindsEarlier: true}, fail: []string{"api/message/window"}},
	{name: "retries with the expired token", m: mistakes{keepsToken: true}, opts: conformance.Options{APITimeout: 300 * time.Millisecond},
		fail: []string{"api/token/expired"}, inconclusive: withPrefix("api/deadline/")},
}

func TestBrokenMerchantsFailExactlyTheirCases(t *testing.T) {
	t.Parallel()
	for _, tc := range brokenMerchants {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rep conformance.Report
			if tc.noAPI {
				rep = runWithoutAPI(t, newRaw(tc.m), tc.opts)
			} else {
				rep = run(t, newRaw(tc.m), tc.opts)
			}
			if diff := cmp.Diff(sorted(tc.fail), sorted(rep.FailedIDs())); diff != "" {
				var buf strings.Builder
				rep.WriteText(&buf)
				t.Errorf("failed cases (-want +got):\n%s\n%s", diff, buf.String())
			}
			if diff := cmp.Diff(sorted(tc.inconclusive), sorted(rep.IDs(conformance.Inconclusive))); diff != "" {
				t.Errorf("inconclusive cases (-want +got):\n%s", diff)
			}
			if got, want := rep.Failed(), len(tc.fail) > 0; got != want {
				t.Errorf("Failed() = %v, want %v", got, want)
			}
			if got, want := rep.Control != nil && rep.Control.Status != conformance.Pass && rep.Control.Status != conformance.Warn, tc.m.notFound || tc.m.otherKey; got != want {
				t.Errorf("control failed = %v, want %v (control: %+v)", got, want, rep.Control)
			}
		})
	}
}

func TestWarningsWithoutStrict(t *testing.T) {
	rep := run(t, newRaw(mistakes{answersOK: true}), conformance.Options{})
	res, ok := rep.Result("notify/request/cdata")
	if !ok || res.Status != conformance.Warn {
		t.Fatalf("notify/request/cdata = %+v, want a warning", res)
	}
	if c := rep.Counts(); c.Warned != 18 || c.Failed != 0 || c.Passed != c.Total-1 {
		t.Errorf("counts %+v, want 18 warnings counted as passes and no failure (the chaos campaign skipped)", c)
	}
}

// lazyHandler serves a handler that is set later: a live merchant wired to
// the fake once the suite says where it is.
type lazyHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lazyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := l.h.Load()
	if h == nil {
		http.Error(w, "not wired yet", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// TestLiveEndpoint runs the suite over loopback HTTP, as the CLI does: real
// time, the token expired by a 42001, the failed attempt cut on a socket.
func TestLiveEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func(conformance.APIEnv) http.Handler
		opts  conformance.Options
		fail  []string
	}{
		{name: "reference", build: reference, opts: conformance.Options{Chaos: 200}},
		{name: "raw without mistakes", build: newRaw(mistakes{})},
		// A cut copy over a socket, then the full one.
		{name: "remembers a failed attempt, chaos", build: newRaw(mistakes{recordsEarly: true}), opts: conformance.Options{Chaos: 100, Seed: 3, Run: "^chaos/"},
			fail: []string{"chaos/campaign"}},
		{name: "remembers a failed attempt", build: newRaw(mistakes{recordsEarly: true}), fail: []string{"delivery/retry-after-cut"}},
		{name: "bounds by Content-Length only", build: newRaw(mistakes{contentLengthOnly: true}), fail: []string{"security/size/oversized-chunked"}},
		{name: "reads any body size", build: newRaw(mistakes{noSizeLimit: true}), fail: []string{"security/size/oversized", "security/size/oversized-chunked"}},
		{name: "retries with the same token", build: newRaw(mistakes{keepsToken: true}), fail: []string{"api/token/expired"}},
		{name: "answers too slowly", build: newRaw(mistakes{slow: 12 * time.Millisecond}), opts: conformance.Options{Timeout: 2 * time.Millisecond},
			fail: []string{"notify/time-limit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lazy := new(lazyHandler)
			srv := httptest.NewServer(lazy)
			defer func() {
				// Skip the server's lingering on connections whose body
				// the merchant did not read (the oversized cases).
				srv.CloseClientConnections()
				srv.Close()
			}()
			opts := tc.opts
			opts.URL, opts.Oversize = srv.URL+"/wechat/payfeedback", testOversize
			opts.AppID, opts.PaySignKey, opts.API = testAppID, testKey, true
			var ready atomic.Int32
			opts.APIReady = func(env conformance.APIEnv) {
				ready.Add(1)
				h := tc.build(env)
				lazy.h.Store(&h)
			}
			rep, err := conformance.Run(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if ready.Load() != 1 {
				t.Errorf("APIReady called %d times, want once", ready.Load())
			}
			if diff := cmp.Diff(sorted(tc.fail), sorted(rep.FailedIDs())); diff != "" {
				var buf strings.Builder
				rep.WriteText(&buf)
				t.Errorf("failed cases (-want +got):\n%s\n%s", diff, buf.String())
			}
			if rep.Target != opts.URL {
				t.Errorf("Target = %q, want %q", rep.Target, opts.URL)
			}
		})
	}
}

// TestHandlerWiredToAPIAddr: an in-process Handler configured beforehand
// with the fake's fixed address (Options.APIAddr) runs the API cases in
// real time, as a live merchant would.
func TestHandlerWiredToAPIAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	const secret = "handler-secret-0123456789abcdef0"
	h := reference(conformance.APIEnv{BaseURL: "http://" + addr, AppID: testAppID, Secret: secret, PaySignKey: testKey})
	var env conformance.APIEnv
	rep, err := conformance.Run(t.Context(), conformance.Options{
		Handler: h, AppID: testAppID, PaySignKey: testKey, Secret: secret, Chaos: 100,
		API: true, APIAddr: addr, APIReady: func(e conformance.APIEnv) { env = e },
	})
	if err != nil {
		t.Fatal(err)
	}
	if env.BaseURL != "http://"+addr || env.Secret != secret {
		t.Errorf("APIReady got %s with secret %q, want http://%s and the given secret", env.BaseURL, env.Secret, addr)
	}
	if c := rep.Counts(); c.Passed != c.Total || c.Total != len(conformance.Cases()) {
		var buf strings.Builder
		rep.WriteText(&buf)
		t.Errorf("counts %+v, want every case passed:\n%s", c, buf.String())
	}
	res, _ := rep.Result("api/token/expired")
	if res.Status != conformance.Pass {
		t.Errorf("api/token/expired: %s %s", res.Status, res.Message)
	}
}

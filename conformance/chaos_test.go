package conformance_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/conformance"
)

// chaos runs the chaos campaign alone, API cases on, in-process.
func chaos(t *testing.T, m mistakes, opts conformance.Options, n int, seed uint64) conformance.Result {
	t.Helper()
	opts.Merchant, opts.AppID, opts.PaySignKey, opts.API = newRaw(m), testAppID, testKey, true
	opts.Chaos, opts.Seed, opts.Run = n, seed, "^chaos/campaign$"
	rep, err := conformance.Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Results[0]
}

// failsChaos names the broken merchants of the suite's tests that the
// chaos campaign catches; it must pass every other one (no false alarm).
// Two mistakes only the campaign catches come last.
var failsChaos = map[string]bool{
	"answers 404 to everything":             true, // never acknowledges
	"verifies with another key":             true,
	"ignores the timestamp":                 true, // acknowledges stale copies
	"trusts a replayed signature":           true, // acknowledges forged copies
	"refuses duplicates":                    true, // a copy that came first makes it refuse WeChat's delivery
	"remembers a failed attempt":            true, // a cut copy makes it refuse the full one
	"parses FeedBackId as int64":            true, // real ids exceed int64: never acknowledged
	"refuses unknown elements":              true, // one form WeChat writes is never acknowledged
	"answers OK instead of success, strict": true,
	"fails every fifth, then calls it seen": true,
	"handles a duplicate again":             true,
}

var chaosOnly = []struct {
	name string
	m    mistakes
}{
	{"fails every fifth, then calls it seen", mistakes{failsEveryFifth: true}},
	{"handles a duplicate again", mistakes{actsOnDuplicates: true}},
}

// TestChaosCatchesBrokenMerchants: the campaign fails each merchant that
// breaks one of its invariants, with the seed that reproduces the
// failure, fails it again with that seed, and passes every other one.
func TestChaosCatchesBrokenMerchants(t *testing.T) {
	t.Parallel()
	type merchant struct {
		name string
		m    mistakes
		opts conformance.Options
	}
	var all []merchant
	for _, tc := range brokenMerchants {
		all = append(all, merchant{tc.name, tc.m, conformance.Options{Strict: tc.opts.Strict}})
	}
	for _, tc := range chaosOnly {
		all = append(all, merchant{name: tc.name, m: tc.m})
	}
	const seed = 20251127
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := chaos(t, tc.m, tc.opts, 30, seed)
			if !failsChaos[tc.name] {
				if r.Status != conformance.Pass && !(tc.m.answersOK && r.Status == conformance.Warn) {
					t.Fatalf("%s %s\n%s", r.Status, r.Message, r.Actual)
				}
				return
			}
			if r.Status != conformance.Fail || !strings.Contains(r.Message, "--chaos 30 --seed 20251127") {
				t.Fatalf("%s %q, want a failure naming the seed that reproduces it", r.Status, r.Message)
			}
			if r.Actual == "" || len(r.Exchanges) == 0 {
				t.Errorf("the failure lists no violation or no exchange: %+v", r)
			}
			if again := chaos(t, tc.m, tc.opts, 30, seed); again.Status != conformance.Fail {
				t.Errorf("the same seed passed the second time: %s", again.Message)
			}
		})
	}
}

// TestChaosSkippedUnlessAsked: without Options.Chaos the campaign is
// skipped with the flag that runs it.
func TestChaosSkippedUnlessAsked(t *testing.T) {
	r := chaos(t, mistakes{}, conformance.Options{}, 0, 0)
	if r.Status != conformance.Skip || !strings.Contains(r.Message, "--chaos") {
		t.Errorf("%s %q, want skipped naming --chaos", r.Status, r.Message)
	}
}

// TestChaosBackPressure: a merchant that sheds load (503 with Retry-After,
// or 500 "queue full", to a notification that comes while it handles
// another) and handles every notification once passes: each refused
// delivery comes again on WeChat's retry schedule, after the burst. With
// five immediate retries and no Retry-After such a merchant failed with
// 170 broken invariants and a Fix line about idempotency.
func TestChaosBackPressure(t *testing.T) {
	r := chaos(t, mistakes{shedsLoad: true}, conformance.Options{}, 300, 20251127)
	if r.Status != conformance.Pass {
		t.Fatalf("%s %s\n%s\nFix: %s", r.Status, r.Message, r.Actual, r.Fix)
	}
	m := regexp.MustCompile(`(\d+) retries \((\d+) after back-pressure\)`).FindStringSubmatch(r.Message)
	if m == nil || m[1] == "0" || m[2] == "0" {
		t.Fatalf("no delivery was refused under load, so this test proves nothing: %s", r.Message)
	}
	if !strings.Contains(r.Message, "of WeChat's retries on the campaign's clock") {
		t.Errorf("the message does not say how long the retries took on the campaign's clock: %s", r.Message)
	}
}

// TestChaosNamesTheCause: a failure names its cause and gives that
// cause's Fix: back-pressure that never clears is not double processing,
// nor a forgery accepted.
func TestChaosNamesTheCause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		m          mistakes
		cause, fix string
		notFix     string
	}{
		{"handles a duplicate again", mistakes{actsOnDuplicates: true},
			"(double processing)", "handle each notification once", "Retry-After"},
		{"always busy", mistakes{alwaysBusy: true},
			"refused under load until WeChat's retries ran out", "answer 503 with Retry-After", "handle each notification once"},
		{"trusts a replayed signature", mistakes{trustsReplay: true},
			"forged or stale cop", "refuse a captured signature", "Retry-After"},
		{"refuses duplicates", mistakes{refusesDuplicates: true},
			"refused as invalid at every delivery", "acknowledge every genuine notification", "handle each notification once"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := chaos(t, tc.m, conformance.Options{}, 30, 20251127)
			if r.Status != conformance.Fail || !strings.Contains(r.Message, tc.cause) {
				t.Fatalf("%s %q, want a failure naming %q", r.Status, r.Message, tc.cause)
			}
			if !strings.Contains(r.Fix, tc.fix) || strings.Contains(r.Fix, tc.notFix) || !strings.Contains(r.Fix, "(see docs/protocol.md#") {
				t.Errorf("Fix %q, want one with %q, not %q, citing docs/protocol.md (message %q)", r.Fix, tc.fix, tc.notFix, r.Message)
			}
		})
	}
}

package conformance_test

import (
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

package conformance_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/conformance"
)

// payChaos runs the Complaints 2.0 chaos campaign alone, n complaints of
// seed, against the merchant build makes.
func payChaos(t *testing.T, build func(*payAPI) http.Handler, n int, seed uint64, noObserver bool) conformance.Result {
	t.Helper()
	rep := payRun(t, build, conformance.Options{Run: "^chaos/", Chaos: n, Seed: seed, APITimeout: 200 * time.Millisecond}, noObserver)
	r, ok := rep.Result("chaos/callbacks")
	if !ok {
		t.Fatalf("no chaos/callbacks in the report:\n%s", report(rep))
	}
	return r
}

// TestPayChaosBrokenMerchants: the reference passes the campaign, with
// and without the Observer; each broken merchant fails it with the cause
// its mistake makes, named with its Fix line, and a merchant whose mistake
// only the Observer shows passes without one.
func TestPayChaosBrokenMerchants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		m     payMistakes
		cause string // "": passes
		// blind: without the Observer the campaign cannot see the mistake.
		blind bool
		// observed is a cause the Observer shows beside cause.
		observed string
	}{
		{name: "no mistakes"},
		{name: "accepts anything", m: payMistakes{acceptsAnything: true}, cause: "probes, forged or stale copies acknowledged or acted on"},
		{name: "accepts probes", m: payMistakes{acceptsProbes: true}, cause: "signature probe (WECHATPAY/SIGNTEST/…) of complaint"},
		{name: "no window", m: payMistakes{noWindow: true}, cause: "a copy stamped 6m0s ago of complaint"},
		{name: "no dedupe", m: payMistakes{noDedupe: true}, cause: "processed more than once", blind: true},
		{name: "records an id before verifying", m: payMistakes{recordsEarly: true}, cause: "forged or stale copies acknowledged", observed: "acknowledged but not processed"},
		{name: "acts on the action type, not the detail", m: payMistakes{trustsActionType: true}, cause: "late state change", blind: true},
	} {
		for _, noObserver := range []bool{false, true} {
			name := tc.name
			if noObserver {
				name += ", without an Observer"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r := payChaos(t, func(api *payAPI) http.Handler { return newPayRaw(tc.m, api, time.Now) }, 30, 4711, noObserver)
				if tc.cause == "" || noObserver && tc.blind {
					if r.Status != conformance.Pass {
						t.Fatalf("%s: %s\n%s\n%s", r.Status, r.Message, r.Actual, r.Fix)
					}
					if !strings.Contains(r.Message, "30 complaints, ") || !strings.Contains(r.Message, "reproduce with --chaos 30 --seed 4711") ||
						noObserver != strings.Contains(r.Message, "judged on the answers alone") {
						t.Errorf("message %q", r.Message)
					}
					return
				}
				if r.Status != conformance.Fail || !strings.Contains(r.Message+r.Actual, tc.cause) || r.Fix == "" {
					t.Errorf("%s, want a failure naming %q with a Fix line:\n%s\n%s\nFix: %s", r.Status, tc.cause, r.Message, r.Actual, r.Fix)
				}
				if !noObserver && !strings.Contains(r.Message, tc.observed) {
					t.Errorf("with the Observer the failure does not name %q: %s", tc.observed, r.Message)
				}
			})
		}
	}
}

// TestPayChaosRetries: a merchant that refuses each notification's first
// two genuine deliveries (503, as under load) passes once WeChat's retries
// come, on the campaign's clock (5 s, then a minute later).
func TestPayChaosRetries(t *testing.T) {
	build := func(api *payAPI) http.Handler {
		ref := payReference(api, time.Now)
		var mu sync.Mutex
		tries := map[string]int{}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := readCallbackOf(r)
			busy := false
			if c.genuine() {
				mu.Lock()
				tries[c.id]++
				busy = tries[c.id] <= 2
				mu.Unlock()
			}
			if busy {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`{"code":"FAIL","message":"busy"}`))
				return
			}
			ref.ServeHTTP(w, r)
		})
	}
	r := payChaos(t, build, 20, 9, false)
	if r.Status != conformance.Pass || !regexp.MustCompile(`[1-9]\d* retries \([1-9]\d* after back-pressure\)`).MatchString(r.Message) ||
		!strings.Contains(r.Message, "of WeChat's retries on the campaign's clock") {
		t.Errorf("%s: %s\n%s", r.Status, r.Message, r.Actual)
	}
}

func TestPayChaosRefusedEveryTime(t *testing.T) {
	t.Parallel()
	// Refuses every USER_RESPONSE with a 4xx: complaint by complaint,
	// each is delivered again on the whole 2.0 schedule, and never
	// acknowledged.
	build := func(api *payAPI) http.Handler {
		ref := payReference(api, time.Now)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := readCallbackOf(r)
			if c.action() == "USER_RESPONSE" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"code":"FAIL","message":"unknown"}`))
				return
			}
			ref.ServeHTTP(w, r)
		})
	}
	r := payChaos(t, build, 4, 2, true)
	if r.Status != conformance.Fail || !strings.Contains(r.Message, "genuine callback") || !strings.Contains(r.Actual, "was never acknowledged (1000 deliveries over ") {
		t.Errorf("%s: %s\n%s", r.Status, r.Message, r.Actual)
	}
}

// TestPayChaosSameSeedSameCampaign: a seed replays its campaign: the
// same notification ids, the same kinds of copies in the same numbers;
// another seed plays another.
func TestPayChaosSameSeedSameCampaign(t *testing.T) {
	t.Parallel()
	play := func(seed uint64) (ids []string, counts string) {
		rec := &callbackRecorder{}
		api := newPayAPI()
		rec.next = payReference(api, time.Now)
		r := payChaos(t, func(*payAPI) http.Handler { return rec }, 50, seed, true)
		if r.Status != conformance.Pass {
			t.Fatalf("%s: %s", r.Status, r.Message)
		}
		for _, c := range rec.take() {
			kind := "genuine"
			switch {
			case strings.HasPrefix(c.header.Get(apiv3.HeaderSignature), apiv3.ProbeSignaturePrefix):
				kind = "probe"
			case !c.genuine():
				kind = "hostile"
			}
			ids = append(ids, c.id+" "+c.complaintID()+" "+c.action()+" "+kind)
		}
		slices.Sort(ids)
		counts, _, _ = strings.Cut(r.Message, "; ")
		counts = regexp.MustCompile(` in [0-9.]+m?s`).ReplaceAllString(counts, "")
		return ids, counts
	}
	a, ca := play(77)
	b, cb := play(77)
	if !slices.Equal(a, b) || ca != cb {
		t.Errorf("seed 77 played two campaigns:\n%s\n%s", ca, cb)
	}
	if c, cc := play(78); slices.Equal(a, c) || ca == cc && slices.Equal(a, c) {
		t.Errorf("seeds 77 and 78 played the same campaign: %s", cc)
	}
	if len(a) < 50 {
		t.Errorf("%d callbacks for 50 complaints", len(a))
	}
}

// readCallbackOf reads a request's callback and puts its body back.
func readCallbackOf(r *http.Request) callbackSent {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return readCallback(r, body)
}

package conformance_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/conformance"
)

// payRun runs the Complaints 2.0 plan in-process against the merchant
// build makes, with the tests' keys, in key mode switch unless opts says,
// and with api as the Observer unless noObserver. Unless opts.Run says,
// it runs the cases of the plan but the chaos campaign (payCaseIDs), which
// the tests of complaints_chaos_test.go run.
func payRun(t *testing.T, build func(*payAPI) http.Handler, opts conformance.Options, noObserver bool) conformance.Report {
	t.Helper()
	if opts.Run == "" {
		opts.Run = "^(accept|refuse|once)/"
	}
	api := newPayAPI()
	opts.Plan, opts.PayKeys, opts.Handler = conformance.PlanComplaints, payKeys(), build(api)
	if !noObserver {
		opts.Observer = api
	}
	rep, err := conformance.Run(t.Context(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// payIDs lists the ids of the Complaints 2.0 cases that start with one of
// prefixes.
func payIDs(prefixes ...string) []string {
	var ids []string
	for _, c := range conformance.PlanComplaints.Cases() {
		for _, p := range prefixes {
			if strings.HasPrefix(c.ID, p) {
				ids = append(ids, c.ID)
				break
			}
		}
	}
	return ids
}

// payAllBut lists the ids of every Complaints 2.0 case but those given,
// the api cases (complaints_api_test.go runs them, against the embedded
// fake) and the chaos campaign.
func payAllBut(lists ...[]string) []string {
	drop := map[string]bool{}
	for _, l := range lists {
		for _, id := range l {
			drop[id] = true
		}
	}
	var ids []string
	for _, c := range conformance.PlanComplaints.Cases() {
		if !drop[c.ID] && c.Section() != "chaos" && c.Section() != "api" {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// payAPICases are the cases that need the Observer (the api section
// aside, which needs Options.API).
func payAPICases() []string {
	var ids []string
	for _, c := range conformance.PlanComplaints.Cases() {
		if c.API && c.Section() != "api" {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func report(rep conformance.Report) string {
	var b strings.Builder
	rep.WriteText(&b)
	return b.String()
}

func TestPayReferencePassesEveryCase(t *testing.T) {
	ref := func(api *payAPI) http.Handler { return payReference(api, time.Now) }
	for _, noObserver := range []bool{false, true} {
		rep := payRun(t, ref, conformance.Options{}, noObserver)
		c := rep.Counts()
		n := len(payAllBut())
		want := conformance.Counts{Total: n, Passed: n}
		if noObserver {
			want.Passed, want.Skipped = want.Total-len(payAPICases()), len(payAPICases())
		}
		if diff := cmp.Diff(want, c); diff != "" || rep.Failed() {
			t.Errorf("without an Observer %v: counts (-want +got):\n%s\n%s", noObserver, diff, report(rep))
		}
		if rep.Control == nil || rep.Control.Status != conformance.Pass {
			t.Errorf("control: %+v", rep.Control)
		}
	}
}

// payBroken are the merchants with one mistake each and the exact sets of
// cases each must fail and leave inconclusive, with the Observer, in key
// mode switch.
var payBroken = []struct {
	name         string
	m            payMistakes
	opts         conformance.Options
	fail         []string
	inconclusive []string
	warn         []string
}{
	{name: "no mistakes"},
	// The merchants of the issue.
	{name: "accepts anything", m: payMistakes{acceptsAnything: true},
		fail: []string{"refuse/probe", "refuse/signature/tampered-body", "refuse/signature/other-key", "refuse/serial/unknown",
			"refuse/timestamp/stale", "refuse/timestamp/future", "refuse/missing/wechatpay-timestamp", "refuse/missing/wechatpay-nonce",
			"refuse/missing/wechatpay-signature", "refuse/missing/wechatpay-serial"}},
	{name: "accepts probes", m: payMistakes{acceptsProbes: true}, fail: []string{"refuse/probe"}},
	{name: "no window", m: payMistakes{noWindow: true}, fail: []string{"refuse/timestamp/stale", "refuse/timestamp/future"}},
	{name: "no dedupe", m: payMistakes{noDedupe: true}, fail: []string{"once/retry/processed-once", "once/concurrent/processed-once"}},
	{name: "answers 500 to unknown action types", m: payMistakes{fails500OnUnknown: true}, fail: []string{"accept/action/unknown"}},
	{name: "only trusts the platform certificate", m: payMistakes{platformOnly: true},
		fail: append([]string{"accept/key/public-key"}, payIDs("accept/switch/")...)},
	{name: "slow", m: payMistakes{slow: 20 * time.Millisecond}, opts: conformance.Options{Timeout: 5 * time.Millisecond},
		fail: []string{"accept/time-limit"}},
	// More mistakes, each caught by its cases.
	{name: "records an id before verifying", m: payMistakes{recordsEarly: true}, opts: conformance.Options{APITimeout: 100 * time.Millisecond},
		fail: payAllBut(payIDs("accept/", "once/"), []string{"refuse/size/oversized", "refuse/size/oversized-chunked"})}, // refused by size before it reads an id
	{name: "refuses a late state change", m: payMistakes{refusesLate: true},
		fail: []string{"once/out-of-order/acknowledged"}, inconclusive: []string{"once/out-of-order/view"}},
	{name: "acts on the action type, not the detail", m: payMistakes{trustsActionType: true}, fail: []string{"once/out-of-order/view"}},
	{name: "requires summary", m: payMistakes{requiresSummary: true}, fail: []string{"accept/envelope/no-summary"}},
	{name: "refuses milliseconds", m: payMistakes{refusesMillis: true}, fail: []string{"accept/envelope/create-time-millis"}},
	{name: "refuses unknown envelope members", m: payMistakes{strictEnvelope: true}, fail: []string{"accept/envelope/unknown-fields"}},
	{name: "refuses unknown event members", m: payMistakes{strictEvent: true}, fail: []string{"accept/event/unknown-fields"}},
	{name: "ignores associated data", m: payMistakes{ignoresAAD: true}, fail: []string{"accept/resource/associated-data"}},
	{name: "skips the GCM tag", m: payMistakes{skipsTag: true}, fail: []string{"refuse/resource/broken-tag"}},
	{name: "acknowledges what it cannot decrypt", m: payMistakes{acksUndecryptable: true},
		fail: []string{"refuse/resource/other-apiv3-key", "refuse/resource/broken-tag"}},
	{name: "reads any body", m: payMistakes{noSizeLimit: true}, fail: []string{"refuse/size/oversized", "refuse/size/oversized-chunked"}},
	{name: "bounds by Content-Length only", m: payMistakes{contentLengthOnly: true}, fail: []string{"refuse/size/oversized-chunked"}},
	// Warnings: they fail a run only with Strict.
	{name: "refuses without the FAIL body", m: payMistakes{plainRefusals: true},
		warn: payIDs("refuse/")},
	{name: "accepts with 202", m: payMistakes{answers202: true},
		warn: append(payIDs("accept/action/", "accept/envelope/", "accept/event/", "accept/resource/", "accept/key/", "accept/switch/"),
			"once/retry/acknowledged", "once/concurrent/acknowledged")},
}

func TestPayBrokenMerchantsFailExactlyTheirCases(t *testing.T) {
	t.Parallel()
	for _, tc := range payBroken {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := payRun(t, func(api *payAPI) http.Handler { return newPayRaw(tc.m, api, time.Now) }, tc.opts, false)
			if diff := cmp.Diff(sorted(tc.fail), sorted(rep.FailedIDs())); diff != "" {
				t.Errorf("failed cases (-want +got):\n%s\n%s", diff, report(rep))
			}
			if diff := cmp.Diff(sorted(tc.inconclusive), sorted(rep.IDs(conformance.Inconclusive))); diff != "" {
				t.Errorf("inconclusive cases (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sorted(tc.warn), sorted(rep.IDs(conformance.Warn))); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%s", diff, report(rep))
			}
			if got, want := rep.Failed(), len(tc.fail)+len(tc.inconclusive) > 0; got != want {
				t.Errorf("Failed() = %v, want %v", got, want)
			}
			if rep.Control == nil || rep.Control.Failed() {
				t.Errorf("the control failed: %+v", rep.Control)
			}
		})
	}
}

// TestPayWithoutObserver: without an Observer the cases that need one are
// skipped, and what the answers alone show is still judged: the merchant
// that handles every copy passes (its mistake needs the Observer), the
// one that records ids before verifying passes too (it acknowledges the
// genuine callback, unprocessed), and the others fail as with it.
func TestPayWithoutObserver(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		m    payMistakes
		fail []string
	}{
		{"no dedupe", payMistakes{noDedupe: true}, nil},
		{"records an id before verifying", payMistakes{recordsEarly: true}, nil},
		{"acts on the action type, not the detail", payMistakes{trustsActionType: true}, nil},
		{"accepts probes", payMistakes{acceptsProbes: true}, []string{"refuse/probe"}},
		{"refuses a late state change", payMistakes{refusesLate: true}, []string{"once/out-of-order/acknowledged"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := payRun(t, func(api *payAPI) http.Handler { return newPayRaw(tc.m, api, time.Now) }, conformance.Options{}, true)
			if diff := cmp.Diff(sorted(tc.fail), sorted(rep.FailedIDs())); diff != "" {
				t.Errorf("failed cases (-want +got):\n%s\n%s", diff, report(rep))
			}
			if diff := cmp.Diff(sorted(payAPICases()), sorted(rep.IDs(conformance.Skip))); diff != "" {
				t.Errorf("skipped cases (-want +got):\n%s", diff)
			}
			for _, id := range payAPICases() {
				if r, _ := rep.Result(id); !strings.Contains(r.Message, "Options.Observer") {
					t.Errorf("%s skipped as %q, which does not say what it needs", id, r.Message)
				}
			}
		})
	}
}

// TestPayOneCauseSaidOnce: a merchant that refuses every genuine callback
// the same way fails the control, the cases whose own genuine callback
// must be accepted fail with it, the refusal and once cases are left
// inconclusive, and the report gives one group with the likely cause.
func TestPayOneCauseSaidOnce(t *testing.T) {
	// accept/time-limit measures the time to handle an accepted callback:
	// inconclusive when it is refused.
	acceptOwn := payAllBut(payIDs("refuse/", "once/"), []string{"accept/time-limit"})
	for _, tc := range []struct {
		name  string
		m     payMistakes
		cause string
	}{
		{"wrong APIv3 key", payMistakes{wrongAPIv3Key: true}, "APIv3 key"},
		{"only trusts the public key, in the switch", payMistakes{publicKeyOnly: true}, "--pay-mode public-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := payRun(t, func(api *payAPI) http.Handler { return newPayRaw(tc.m, api, time.Now) }, conformance.Options{}, false)
			if rep.Control == nil || rep.Control.Status != conformance.Fail || !strings.Contains(rep.Control.Cause, tc.cause) {
				t.Fatalf("control %+v, want a failure whose cause names %q", rep.Control, tc.cause)
			}
			fail := acceptOwn
			if tc.m.publicKeyOnly {
				// The public key's own callbacks pass, and every day of
				// the switch refuses its certificate's callbacks.
				fail = payAllBut(payIDs("refuse/", "once/"), []string{"accept/time-limit", "accept/key/public-key", "accept/switch/day-7"})
			}
			if diff := cmp.Diff(sorted(fail), sorted(rep.FailedIDs())); diff != "" {
				t.Errorf("failed cases (-want +got):\n%s\n%s", diff, report(rep))
			}
			passed := sorted(append(rep.IDs(conformance.Pass), rep.IDs(conformance.Warn)...))
			wantPassed := []string{}
			if tc.m.publicKeyOnly {
				wantPassed = []string{"accept/key/public-key", "accept/switch/day-7"}
			}
			if diff := cmp.Diff(wantPassed, passed); diff != "" {
				t.Errorf("passed cases (-want +got):\n%s", diff)
			}
			groups := rep.Groups()
			if len(groups) != 1 || !groups[0].Control || groups[0].Cause != rep.Control.Cause || groups[0].Exchange == nil {
				t.Errorf("groups %+v, want one, with the control, its cause and an exchange", groups)
			}
		})
	}
}

// TestPayKeyModes: in the other modes the cases of a key WeChat does not
// sign with are skipped, and a merchant that trusts only the key of its
// mode passes.
func TestPayKeyModes(t *testing.T) {
	for _, tc := range []struct {
		mode conformance.KeyMode
		m    payMistakes
		skip []string
	}{
		{conformance.KeyModePublicKey, payMistakes{publicKeyOnly: true}, append(payIDs("accept/switch/"), "accept/key/platform-certificate")},
		{conformance.KeyModePlatformCertificate, payMistakes{platformOnly: true}, append(payIDs("accept/switch/"), "accept/key/public-key")},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			rep := payRun(t, func(api *payAPI) http.Handler { return newPayRaw(tc.m, api, time.Now) }, conformance.Options{KeyMode: tc.mode}, false)
			if rep.Failed() {
				t.Errorf("the run failed:\n%s", report(rep))
			}
			if diff := cmp.Diff(sorted(tc.skip), sorted(rep.IDs(conformance.Skip))); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
			if rep.Config.KeyMode != tc.mode {
				t.Errorf("Config.KeyMode = %q", rep.Config.KeyMode)
			}
		})
	}
}

// TestPayStrict: a warning fails the run with Strict.
func TestPayStrict(t *testing.T) {
	rep := payRun(t, func(api *payAPI) http.Handler { return newPayRaw(payMistakes{plainRefusals: true}, api, time.Now) },
		conformance.Options{Strict: true, Run: "^refuse/probe$"}, false)
	if got := rep.FailedIDs(); len(got) != 1 || got[0] != "refuse/probe" {
		t.Errorf("failed %v, want refuse/probe (a warning, strict)", got)
	}
}

// TestPayLiveEndpoint runs the plan over loopback against the reference.
func TestPayLiveEndpoint(t *testing.T) {
	t.Parallel()
	api := newPayAPI()
	srv := httptest.NewServer(payReference(api, time.Now))
	defer srv.Close()
	rep, err := conformance.Run(t.Context(), conformance.Options{Plan: conformance.PlanComplaints, URL: srv.URL + "/wechat/complaints",
		PayKeys: payKeys(), Observer: api, Chaos: 100, Seed: 11, Run: "^(accept|refuse|once|chaos)/"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || rep.Counts().Passed != rep.Counts().Total {
		t.Errorf("over loopback:\n%s", report(rep))
	}
	if rep.Target != srv.URL+"/wechat/complaints" {
		t.Errorf("Target = %q", rep.Target)
	}
}

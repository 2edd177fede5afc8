package conformance_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
	"github.com/payfeedback/payfeedback/internal/golden"
)

// payGoldenReport is a deterministic run of the Complaints 2.0 plan: a
// fixed clock and seed, a merchant that answers probes 200 and never
// checks the timestamp's age, a selection of cases, an expected-failure
// list with one failing entry (stale) and one passing (other-key), the
// case that needs an Observer skipped; timings zeroed.
func payGoldenReport(t *testing.T) conformance.Report {
	t.Helper()
	h := newPayRaw(payMistakes{acceptsProbes: true, noWindow: true}, newPayAPI(), fixedNow)
	rep, err := conformance.Run(t.Context(), conformance.Options{
		Plan: conformance.PlanComplaints, Handler: h, PayKeys: payKeys(), Path: "/wechat/complaints",
		Now: fixedNow, Seed: 4711,
		Run:        `^(accept/action/create-complaint|accept/envelope/no-summary|accept/key/|accept/switch/day-1|refuse/probe|refuse/signature/other-key|refuse/timestamp/stale|refuse/missing/wechatpay-serial|once/retry/)`,
		ExpectFail: []string{"refuse/timestamp/stale", "refuse/signature/other-key"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return zeroTimes(rep)
}

func TestPayReportGolden(t *testing.T) {
	rep := payGoldenReport(t)
	for _, w := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"complaints-report.txt", func(b *bytes.Buffer) error { return rep.WriteText(b) }},
		{"complaints-report.json", func(b *bytes.Buffer) error { return rep.WriteJSON(b) }},
		{"complaints-report.junit.xml", func(b *bytes.Buffer) error { return rep.WriteJUnit(b) }},
	} {
		t.Run(w.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", w.file), b.Bytes())
		})
	}
	want := conformance.Counts{Total: 11, Passed: 8, Skipped: 1, Failed: 1, ExpectedFailures: 1, ListedPassed: 1}
	if diff := cmp.Diff(want, rep.Counts()); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	if rep.Config.Plan != conformance.PlanComplaints || rep.Config.MchID != payMchID || rep.Config.Seed != 4711 || rep.Config.AppID != "" {
		t.Errorf("Config = %+v", rep.Config)
	}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := conformance.ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, back); diff != "" {
		t.Errorf("after a JSON round trip (-want +got):\n%s", diff)
	}
}

// TestPaySameSeedSameCallbacks: a seed and a clock make the same run, byte
// for byte; another seed, other nonces.
func TestPaySameSeedSameCallbacks(t *testing.T) {
	a, b := payGoldenReport(t), payGoldenReport(t)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two runs with one seed differ (-first +second):\n%s", diff)
	}
	h := newPayRaw(payMistakes{}, newPayAPI(), fixedNow)
	c, err := conformance.Run(t.Context(), conformance.Options{Plan: conformance.PlanComplaints, Handler: h, PayKeys: payKeys(),
		Now: fixedNow, Seed: 4712, Run: "^accept/action/create-complaint$"})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := a.Result("accept/action/create-complaint")
	other, _ := c.Result("accept/action/create-complaint")
	if first.Exchanges[0].Request.Header[apiv3.HeaderNonce] == other.Exchanges[0].Request.Header[apiv3.HeaderNonce] {
		t.Error("another seed drew the same nonce")
	}
}

// TestPayFixLinesCiteWhatShips: every case says how to fix a failure and
// cites headings of docs/apiv3.md and docs/complaints-v3.md that exist.
func TestPayFixLinesCiteWhatShips(t *testing.T) {
	anchors := map[string]bool{}
	for _, doc := range []string{"apiv3.md", "complaints-v3.md"} {
		b, err := os.ReadFile(filepath.Join("..", "docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			h := strings.TrimLeft(line, "#")
			if h == line || !strings.HasPrefix(h, " ") {
				continue
			}
			a := strings.Map(func(r rune) rune {
				switch {
				case r == ' ':
					return '-'
				case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
					return r
				}
				return -1
			}, strings.ToLower(strings.TrimSpace(h)))
			anchors["docs/"+doc+"#"+a] = true
		}
	}
	cite := regexp.MustCompile(`docs/[a-z0-9-]+\.md#[a-z0-9_-]+`)
	for _, c := range conformance.PlanComplaints.Cases() {
		if !strings.Contains(c.Fix, "(see ") {
			t.Errorf("%s: Fix %q cites nothing", c.ID, c.Fix)
		}
		for _, m := range cite.FindAllString(c.Fix, -1) {
			if !anchors[m] {
				t.Errorf("%s: Fix cites %s, which is no heading", c.ID, m)
			}
		}
	}
}

func TestPayCasesHaveStableWellFormedIDs(t *testing.T) {
	idShape := regexp.MustCompile(`^(accept|refuse|once|api|chaos)(/[a-z0-9-]+)+$`)
	seen := map[string]bool{}
	sections := map[string]bool{}
	for _, c := range conformance.PlanComplaints.Cases() {
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
		if c.API != (strings.HasPrefix(c.ID, "api/") || strings.HasPrefix(c.ID, "once/") && !strings.HasSuffix(c.ID, "/acknowledged")) {
			t.Errorf("%s: API = %v, want it set exactly for the api cases and the once cases that count the merchant's work", c.ID, c.API)
		}
	}
	if got := conformance.PlanComplaints.Sections(); !cmp.Equal(got, []string{"accept", "refuse", "once", "api", "chaos"}) {
		t.Errorf("Sections = %v", got)
	}
	for _, s := range conformance.PlanComplaints.Sections() {
		if !sections[s] {
			t.Errorf("section %q has no case", s)
		}
	}
	for _, c := range conformance.Cases() {
		if seen[c.ID] {
			t.Errorf("%s is a case of both plans", c.ID)
		}
	}
	if len(seen) != 60 {
		t.Errorf("%d cases; update this count and the documentation when adding one", len(seen))
	}
}

// noObserver is an Observer that observes nothing, for option checks.
type noObserver struct{}

func (noObserver) NewComplaint(context.Context) (string, error) { return "", nil }
func (noObserver) Resolve(context.Context, string) error        { return nil }
func (noObserver) Work(context.Context, string) (conformance.MerchantWork, error) {
	return conformance.MerchantWork{}, nil
}

func TestPayOptionsRefused(t *testing.T) {
	h := http.NotFoundHandler()
	k := payKeys()
	noPlatform := *k
	noPlatform.Platform, noPlatform.PlatformKey = nil, nil
	noPublic := *k
	noPublic.PublicKey = nil
	mismatched := *k
	mismatched.PublicKey = k.PlatformKey
	for _, tc := range []struct {
		name string
		opts conformance.Options
		want string
	}{
		{"unknown plan", conformance.Options{Plan: "v2", Handler: h}, `plan "v2"`},
		{"no keys", conformance.Options{Handler: h}, "PayKeys is required"},
		{"merchant and handler", conformance.Options{Merchant: func(conformance.APIEnv) http.Handler { return h }, Handler: h, PayKeys: k}, "leave Options.Handler empty"},
		{"API and an Observer", conformance.Options{Handler: h, PayKeys: k, API: true, Observer: noObserver{}}, "leave Options.Observer empty"},
		{"API address without API", conformance.Options{Handler: h, PayKeys: k, APIAddr: "127.0.0.1:0"}, "runs only with Options.API"},
		{"negative respond-within", conformance.Options{Handler: h, PayKeys: k, API: true, RespondWithin: -time.Hour}, "RespondWithin must not be negative"},
		{"negative chaos", conformance.Options{Handler: h, PayKeys: k, Chaos: -1}, "must not be negative"},
		{"unknown key mode", conformance.Options{Handler: h, PayKeys: k, KeyMode: "both"}, `key mode "both"`},
		{"switch without a certificate", conformance.Options{Handler: h, PayKeys: &noPlatform}, "key mode public-key"},
		{"public key mode without it", conformance.Options{Handler: h, PayKeys: &noPublic, KeyMode: conformance.KeyModePublicKey}, "key mode platform-certificate"},
		{"keys that do not match", conformance.Options{Handler: h, PayKeys: &mismatched}, "not the public half"},
		{"V1.5 case expected to fail", conformance.Options{Handler: h, PayKeys: k, ExpectFail: []string{"security/signature/wrong"}}, "which is no case"},
		{"small oversize", conformance.Options{Handler: h, PayKeys: k, Oversize: 1000}, "not oversized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Plan == "" {
				tc.opts.Plan = conformance.PlanComplaints
			}
			err := tc.opts.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error saying %q", err, tc.want)
			}
		})
	}
	// The public-key mode needs no certificate, and no AppID.
	if err := (conformance.Options{Plan: conformance.PlanComplaints, Handler: h, PayKeys: &noPlatform, KeyMode: conformance.KeyModePublicKey}).Validate(); err != nil {
		t.Errorf("public-key mode without a certificate: %v", err)
	}
}

// writePayKeys writes k as the fake WeChat lays out its keys directory.
func writePayKeys(t *testing.T, dir string, k *conformance.PayKeys) {
	t.Helper()
	if err := apiv3.WriteMerchantKeys(dir, k.Merchant); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if k.PublicKey != nil {
		b, err := apiv3.EncodePrivateKey(k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		write(conformance.FileWeChatPayPrivateKey, b)
	}
	if k.Platform != nil {
		b, err := apiv3.EncodePrivateKey(k.PlatformKey)
		if err != nil {
			t.Fatal(err)
		}
		write(conformance.FilePlatformKey, b)
		write(conformance.FilePlatformCertificate, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.Platform.Raw}))
	}
}

func TestLoadPayKeys(t *testing.T) {
	k := payKeys()
	dir := t.TempDir()
	writePayKeys(t, dir, k)
	got, err := conformance.LoadPayKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Merchant.MchID != payMchID || got.Merchant.APIv3Key != payAPIv3Key || !got.PublicKey.Equal(k.PublicKey) ||
		!got.PlatformKey.Equal(k.PlatformKey) || !got.Platform.Equal(k.Platform) {
		t.Errorf("LoadPayKeys read other keys")
	}
	for _, tc := range []struct {
		name  string
		alter func(dir string)
		want  string
	}{
		{"the merchant's files only", func(dir string) {
			os.Remove(filepath.Join(dir, conformance.FileWeChatPayPrivateKey))
			os.Remove(filepath.Join(dir, conformance.FilePlatformKey))
		}, "payfeedback mock --pay-keys"},
		{"a certificate's key without it", func(dir string) { os.Remove(filepath.Join(dir, conformance.FilePlatformCertificate)) }, conformance.FilePlatformCertificate},
		{"pub_key.pem of another identity", func(dir string) {
			b, _ := apiv3.EncodePublicKey(&k.PlatformKey.PublicKey)
			os.WriteFile(filepath.Join(dir, apiv3.FilePublicKey), b, 0o600)
		}, "not the public half"},
		{"a certificate of another key", func(dir string) {
			b, _ := apiv3.EncodePrivateKey(k.PublicKey)
			os.WriteFile(filepath.Join(dir, conformance.FilePlatformKey), b, 0o600)
		}, "is not the key of"},
		{"no merchant.json", func(dir string) { os.Remove(filepath.Join(dir, apiv3.FileMerchant)) }, apiv3.FileMerchant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writePayKeys(t, dir, k)
			tc.alter(dir)
			_, err := conformance.LoadPayKeys(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadPayKeys = %v, want an error saying %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("the error shows a key: %v", err)
			}
		})
	}
	// Only the public key's private half: enough for key mode public-key.
	dir = t.TempDir()
	pubOnly := *k
	pubOnly.Platform, pubOnly.PlatformKey = nil, nil
	writePayKeys(t, dir, &pubOnly)
	if got, err := conformance.LoadPayKeys(dir); err != nil || got.Platform != nil {
		t.Errorf("LoadPayKeys of a public-key identity: %v", err)
	}
}

func TestPayParseExpectFail(t *testing.T) {
	ids, err := conformance.PlanComplaints.ParseExpectFail(strings.NewReader("# known\nrefuse/probe\n\nonce/retry/processed-once # later\n"))
	if err != nil || !cmp.Equal(ids, []string{"refuse/probe", "once/retry/processed-once"}) {
		t.Errorf("ParseExpectFail = %v, %v", ids, err)
	}
	if _, err := conformance.PlanComplaints.ParseExpectFail(strings.NewReader("security/signature/wrong\n")); err == nil {
		t.Error("a V1.5 case id is no Complaints 2.0 case")
	}
	if _, err := conformance.ParseExpectFail(strings.NewReader("refuse/probe\n")); err == nil {
		t.Error("ParseExpectFail (the V1.5 plan's) took a Complaints 2.0 case id")
	}
}

func TestPayParsePlan(t *testing.T) {
	for s, want := range map[string]conformance.Plan{"": conformance.PlanV15, "v1.5": conformance.PlanV15, "complaints": conformance.PlanComplaints} {
		if got, err := conformance.ParsePlan(s); err != nil || got != want {
			t.Errorf("ParsePlan(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := conformance.ParsePlan("2.0"); err == nil {
		t.Error("ParsePlan(2.0) took it")
	}
	if m, err := conformance.ParseKeyMode(""); err != nil || m != conformance.KeyModeSwitch {
		t.Errorf("ParseKeyMode(\"\") = %q, %v", m, err)
	}
	if _, err := conformance.ParseKeyMode("cert"); err == nil {
		t.Error("ParseKeyMode(cert) took it")
	}
}

// TestPayInGoTest runs the plan through conformancetest, each case a
// subtest.
func TestPayInGoTest(t *testing.T) {
	api := newPayAPI()
	conformancetest.Run(t, payReference(api, nil), conformance.Options{Plan: conformance.PlanComplaints, PayKeys: payKeys(), Observer: api,
		Run: "^(accept/action/unknown|refuse/probe|once/retry/)"})
}

// TestPayCasesDocumented: docs/conformance.md lists every case of the
// Complaints 2.0 plan with its requirement, word for word, and marks
// those that need the Observer, and those that need --api.
func TestPayCasesDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "conformance.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range conformance.PlanComplaints.Cases() {
		row := "| `" + c.ID + "`"
		switch {
		case c.Section() == "api":
			row += " *(--api)*"
		case c.API:
			row += " *(Observer)*"
		}
		row += " | " + c.Requirement + " |\n"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/conformance.md lacks the row of %s as the case says it:\n%s", c.ID, row)
		}
	}
}

package conformance_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/conformance"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixedNow is the clock of the deterministic runs.
func fixedNow() time.Time { return time.Date(2025, 11, 27, 12, 0, 0, 0, time.UTC) }

// goldenReport is a deterministic run: a fixed clock and openid, a merchant
// that accepts any signature and answers "OK", a selection of cases, an
// expected-failure list with one failing entry (other-key) and one passing
// (stale), the api case skipped; timings zeroed.
func goldenReport(t *testing.T) conformance.Report {
	t.Helper()
	h := newRaw(mistakes{anySignature: true, answersOK: true})(conformance.APIEnv{AppID: testAppID, PaySignKey: testKey, Now: fixedNow})
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Handler: h, AppID: testAppID, PaySignKey: testKey,
		OpenID:     "oDF3iY9P32sK_5GgYiRkjsCo45bk",
		Now:        fixedNow,
		Run:        `^(notify/request/cdata|security/signature/|security/timestamp/stale|delivery/duplicate|api/token/reuse)`,
		ExpectFail: []string{"security/signature/other-key", "security/timestamp/stale"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return zeroTimes(rep)
}

// zeroTimes removes what changes from run to run.
func zeroTimes(rep conformance.Report) conformance.Report {
	rep.Started, rep.Duration = time.Time{}, 0
	for i := range rep.Results {
		rep.Results[i].Duration = 0
		for j := range rep.Results[i].Exchanges {
			rep.Results[i].Exchanges[j].Duration = 0
		}
	}
	return rep
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func TestReportGolden(t *testing.T) {
	rep := goldenReport(t)
	for _, w := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"report.txt", func(b *bytes.Buffer) error { return rep.WriteText(b) }},
		{"report.json", func(b *bytes.Buffer) error { return rep.WriteJSON(b) }},
		{"report.junit.xml", func(b *bytes.Buffer) error { return rep.WriteJUnit(b) }},
	} {
		t.Run(w.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, w.file, b.Bytes())
		})
	}
}

func TestReportCountsAndSummary(t *testing.T) {
	rep := goldenReport(t)
	want := conformance.Counts{Total: 8, Passed: 5, Warned: 2, Skipped: 1, Failed: 1, ExpectedFailures: 1, ListedPassed: 1}
	if diff := cmp.Diff(want, rep.Counts()); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	if got, want := rep.Summary(), "8 cases, 5 passed, 1 skipped, 1 failed (1 expected failure, 2 passed with warnings, 1 listed as expected to fail but passed)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if !rep.Failed() {
		t.Error("Failed() = false with security/signature/wrong failing")
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(text.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != rep.Summary() {
		t.Errorf("the text report ends with %q, want the summary", last)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rep := goldenReport(t)
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := conformance.ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, back); diff != "" {
		t.Errorf("report after a JSON round trip (-want +got):\n%s", diff)
	}
}

func TestJUnitIsWellFormed(t *testing.T) {
	rep := goldenReport(t)
	var b bytes.Buffer
	if err := rep.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit report is not well-formed XML: %v", err)
	}
	if doc.Tests != 8 || doc.Failures != 1 || doc.Skipped != 2 {
		t.Errorf("testsuites tests=%d failures=%d skipped=%d, want 8, 1, 2 (an expected failure is skipped)", doc.Tests, doc.Failures, doc.Skipped)
	}
	var names []string
	cases, failures := 0, 0
	for _, s := range doc.Suites {
		names = append(names, s.Name)
		for _, c := range s.Cases {
			cases++
			if c.Failure != nil {
				failures++
			}
		}
	}
	if cases != 8 || failures != 1 {
		t.Errorf("%d testcases with %d failures, want 8 with 1", cases, failures)
	}
	if diff := cmp.Diff([]string{"notify", "security", "delivery", "api"}, names); diff != "" {
		t.Errorf("suites (-want +got):\n%s", diff)
	}
}

// TestReportsHoldNoSecret: neither the paySignKey nor the appSecret appear
// in any report, even with the API cases run.
func TestReportsHoldNoSecret(t *testing.T) {
	const secret = "s3cr3t-app-secret-value-0123456789"
	rep, err := conformance.Run(t.Context(), conformance.Options{
		Merchant: newRaw(mistakes{anySignature: true, tokenPerCall: true}),
		AppID:    testAppID, PaySignKey: testKey, Secret: secret, API: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Failed() {
		t.Fatal("the run should have failures, so that their details are in the reports")
	}
	var all bytes.Buffer
	for _, write := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return rep.WriteText(b) },
		func(b *bytes.Buffer) error { return rep.WriteJSON(b) },
		func(b *bytes.Buffer) error { return rep.WriteJUnit(b) },
	} {
		if err := write(&all); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{testKey, secret} {
		if strings.Contains(all.String(), s) {
			t.Errorf("a report contains a secret (%.8s…)", s)
		}
	}
	if !strings.Contains(all.String(), "/cgi-bin/token") {
		t.Error("the reports do not show the token calls, so this test proves nothing")
	}
}

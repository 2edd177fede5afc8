package conformance_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/internal/golden"
)

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
	if rep.Control != nil {
		c := *rep.Control
		c.Duration = 0
		c.Exchanges = append([]conformance.Exchange(nil), c.Exchanges...)
		for j := range c.Exchanges {
			c.Exchanges[j].Duration = 0
		}
		rep.Control = &c
	}
	for i := range rep.Results {
		rep.Results[i].Duration = 0
		for j := range rep.Results[i].Exchanges {
			rep.Results[i].Exchanges[j].Duration = 0
		}
	}
	return rep
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
			golden.Check(t, filepath.Join("testdata", w.file), b.Bytes())
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
	if doc.Tests != 9 || doc.Failures != 1 || doc.Skipped != 2 {
		t.Errorf("testsuites tests=%d failures=%d skipped=%d, want 9 (the control too), 1, 2 (an expected failure is skipped)", doc.Tests, doc.Failures, doc.Skipped)
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
	if cases != 9 || failures != 1 {
		t.Errorf("%d testcases with %d failures, want 9 with 1", cases, failures)
	}
	if diff := cmp.Diff([]string{"control", "notify", "security", "delivery", "api"}, names); diff != "" {
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

// wrongKeyReport is a deterministic run against a merchant configured
// with another key: every valid notification refused the same way.
func wrongKeyReport(t *testing.T) conformance.Report {
	t.Helper()
	h := newRaw(mistakes{otherKey: true})(conformance.APIEnv{AppID: testAppID, PaySignKey: testKey, Now: fixedNow})
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Handler: h, AppID: testAppID, PaySignKey: testKey,
		OpenID: "oDF3iY9P32sK_5GgYiRkjsCo45bk", Now: fixedNow, Run: `^(notify|security|delivery)/`,
	})
	if err != nil {
		t.Fatal(err)
	}
	return zeroTimes(rep)
}

// TestWrongKeyReportIsShort: a wrong key gives the cause first, once,
// with one exchange, not one failure report per case.
func TestWrongKeyReportIsShort(t *testing.T) {
	rep := wrongKeyReport(t)
	groups := rep.Groups()
	if len(groups) != 1 {
		t.Fatalf("%d groups, want 1: %+v", len(groups), groups)
	}
	g := groups[0]
	if !g.Control || !strings.Contains(g.Cause, "--paysignkey") || g.Exchange == nil || g.Exchange.Response.Status != http.StatusUnauthorized {
		t.Errorf("group %+v, want the control's 401 and a cause naming --paysignkey", g)
	}
	if got, want := len(g.Failed)+len(g.Inconclusive), len(rep.Results); got != want {
		t.Errorf("group holds %d of the %d cases, want all of them", got, want)
	}
	var b bytes.Buffer
	if err := rep.WriteDetails(&b); err != nil {
		t.Fatal(err)
	}
	details := b.String()
	if n := strings.Count(details, "\n"); n > 40 {
		t.Errorf("the details after the case lines take %d lines, want one screen (40 at most):\n%s", n, details)
	}
	if n := strings.Count(details, "> POST /payfeedback"); n != 1 {
		t.Errorf("%d exchanges printed, want 1", n)
	}
	if !strings.HasPrefix(details, "\nCause first: ") {
		t.Errorf("details do not start with the cause:\n%s", details)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "report-wrong-key.txt"), text.Bytes())
}

// TestLikelyCause: the guess the report gives for a group, by what a
// valid notification was answered.
func TestLikelyCause(t *testing.T) {
	tests := []struct {
		name        string
		h           http.HandlerFunc
		path, cause string
	}{
		{"404 in-process", http.NotFound, "/payfeedback", "Options.Path defaults to /payfeedback"},
		{"405", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusMethodNotAllowed) }, "", "take POST"},
		{"bad signature", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "AppSignature does not match", http.StatusUnauthorized)
		}, "", "--paysignkey"},
		{"unknown AppId", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "unknown AppId", http.StatusForbidden) }, "", "--appid"},
		{"stale", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "TimeStamp too old: check the sender's clock", http.StatusUnauthorized)
		}, "", "clocks"},
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, "", "--api"},
		{"400", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad", http.StatusBadRequest) }, "", "leave out"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := conformance.Run(context.Background(), conformance.Options{
				Handler: tc.h, Path: tc.path, AppID: testAppID, PaySignKey: testKey, Run: `^(notify/request|security/signature)/`,
			})
			if err != nil {
				t.Fatal(err)
			}
			groups := rep.Groups()
			if len(groups) == 0 || !strings.Contains(groups[0].Cause, tc.cause) {
				t.Errorf("groups %+v, want the first with a cause naming %q", groups, tc.cause)
			}
		})
	}
}

// hostileAnswer is what a merchant under an attacker's control (or a
// broken one) answers: a terminal title, a screen clear, a bell, a NUL,
// a C1 control and a right-to-left override.
const hostileAnswer = "s\x1b]0;owned\x07\x00\x1b[2Ju\u009bc\u202ecess"

// TestReportsEscapePeerText: a merchant's answer with escape sequences and
// a NUL reaches neither the terminal nor the JUnit document as it is: the
// text report holds no control character but its line breaks, and the
// JUnit report is well-formed XML that shows the escapes.
func TestReportsEscapePeerText(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1\x1b[2J")
		io.WriteString(w, hostileAnswer)
	})
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Handler: h, AppID: testAppID, PaySignKey: testKey, Run: `^(notify/request/cdata|security/signature/wrong)$`,
	})
	if err != nil {
		t.Fatal(err)
	}
	var text, junit bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), `s\x1b]0;owned\a\x00\x1b[2Ju\u009bc\u202ecess`) {
		t.Fatalf("the text report does not show the answer, escaped:\n%s", text.String())
	}
	for i, r := range text.String() {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e) {
			t.Fatalf("the text report holds %U at byte %d:\n%q", r, i, text.String())
		}
	}
	for _, r := range rep.Results {
		if line := conformance.FormatLine(r); strings.ContainsAny(line, "\x1b\x00\a") {
			t.Errorf("FormatLine holds a control character: %q", line)
		}
	}
	doc := junit.String()
	dec := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the JUnit report is not well-formed XML: %v\n%s", err, doc)
		}
	}
	if !strings.Contains(doc, `\x1b]0;owned`) {
		t.Errorf("the JUnit report does not show the answer, escaped:\n%s", doc)
	}
}

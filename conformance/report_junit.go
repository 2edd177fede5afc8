package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
)

// The JUnit XML schema, as CI servers read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML: one testsuite per section,
// one testcase per case (classname "conformance.<section>"), the control
// first in a suite of its own. A failure, an inconclusive and an
// interrupted case are <failure> (type fail, inconclusive, interrupted)
// carrying the requirement, Expected vs Actual, the diff, the Fix line and
// the exchanges; a skipped case and an expected failure are <skipped> with
// the reason; a warning is a pass whose <system-out> says why.
func (r Report) WriteJUnit(w io.Writer) error {
	c := r.Counts()
	doc := junitSuites{
		Name:     "payfeedback conformance",
		Tests:    c.Total,
		Failures: c.Failed + c.Inconclusive + c.Interrupted,
		Skipped:  c.Skipped + c.ExpectedFailures,
		Time:     seconds(r.Duration),
	}
	results := r.Results
	if r.Control != nil {
		results = append([]Result{*r.Control}, results...)
		doc.Tests++
		if r.Control.Failed() {
			doc.Failures++
		}
	}
	index := map[string]int{}
	for _, res := range results {
		i, ok := index[res.Section]
		if !ok {
			i = len(doc.Suites)
			index[res.Section] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: res.Section})
		}
		s := &doc.Suites[i]
		s.Tests++
		// What a merchant sent may hold characters XML forbids (a NUL,
		// an ESC): text.XML writes them out, so the document stays
		// well-formed (encoding/xml escapes attributes and text, but not
		// a CDATA section).
		msg := text.XML(res.Message)
		tc := junitCase{Name: res.ID, ClassName: "conformance." + res.Section, Time: seconds(res.Duration)}
		switch res.Status {
		case Fail, Inconclusive, Interrupted:
			s.Failures++
			tc.Failure = &junitMessage{Message: msg, Type: string(res.Status), Text: text.XML(failureText(res))}
		case Skip:
			s.Skipped++
			tc.Skipped = &junitMessage{Message: msg}
		case ExpectedFail:
			s.Skipped++
			tc.Skipped = &junitMessage{Message: "expected failure: " + msg}
		case Warn:
			tc.SystemOut = "warning: " + msg
		}
		if res.Listed && (res.Status == Pass || res.Status == Warn) {
			tc.SystemOut = strings.TrimSpace(tc.SystemOut + "\nlisted as an expected failure, but passed: remove it from the list")
		}
		s.Cases = append(s.Cases, tc)
	}
	for i := range doc.Suites {
		var d time.Duration
		for _, res := range results {
			if res.Section == doc.Suites[i].Name {
				d += res.Duration
			}
		}
		doc.Suites[i].Time = seconds(d)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// failureText is the body of a <failure>: what WriteDetails prints, as
// escaped.
func failureText(r Result) string {
	var b strings.Builder
	writeFailure(&b, r)
	return terminalLines(strings.TrimLeft(b.String(), "\n"))
}

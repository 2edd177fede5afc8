package conformancetest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/conformance"
)

// Run runs the suite against h in-process, each case as a subtest named by
// its id (select some with go test -run 'TestX/security/'), after the
// control's (conformance.ControlID) when the run has one.
//
// A failed, inconclusive or interrupted case fails its subtest with its
// line; a failed control adds its likely cause, and a case that failed the
// way the control did says so instead of repeating it. A skipped case is
// skipped with its reason; a warning and an expected failure are logged.
// When the run failed (a run whose cases were all skipped fails unless
// opts.AllowSkip), t fails with the report's details, the cause first.
//
// h may be nil when opts.Merchant builds the handler (see
// conformance.Options.Merchant and the API cases). Options that make the
// run impossible fail t at once.
func Run(t *testing.T, h http.Handler, opts conformance.Options) {
	t.Helper()
	if h != nil {
		opts.Handler = h
	}
	progress := opts.Progress
	var control conformance.Result
	opts.Progress = func(r conformance.Result) {
		if progress != nil {
			progress(r)
		}
		t.Run(r.ID, func(t *testing.T) { subtest(t, r, control) })
		if r.ID == conformance.ControlID {
			control = r
		}
	}
	rep, err := conformance.Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		var b strings.Builder
		_ = rep.WriteDetails(&b) // a strings.Builder takes every write
		t.Error("the conformance report, the cause first:\n" + strings.TrimLeft(b.String(), "\n"))
	}
}

// subtest reports r in its subtest; control is the control's result, when
// it came first.
func subtest(t *testing.T, r, control conformance.Result) {
	line := conformance.FormatLine(r)
	switch r.Status {
	case conformance.Fail, conformance.Inconclusive, conformance.Interrupted:
		switch {
		case r.ID == conformance.ControlID && r.Cause != "":
			line += "\n    likely cause: " + r.Cause
		case control.Failed() && r.Symptom != "" && r.Symptom == control.Symptom:
			line += " (the same as the control: its likely cause is under its line)"
		default:
			line += " (the details are in the report at the end)"
		}
		t.Error(line)
	case conformance.Skip:
		t.Skip(r.Message)
	case conformance.Warn, conformance.ExpectedFail:
		t.Log(line)
	}
	if r.Listed && (r.Status == conformance.Pass || r.Status == conformance.Warn) {
		t.Log("listed as an expected failure, but passed: remove it from the list")
	}
}

package conformance

import (
	"net/http"
	"testing"
)

// Test runs the suite against h in-process, inside the merchant's own go
// test, each case as a subtest named by its id (select some with
// go test -run 'TestX/security/'), after the control's (ControlID) when
// the run has one. A failed, inconclusive or interrupted case fails its
// subtest with the details; a skipped case is skipped with its reason; a
// warning and an expected failure are logged. A run whose cases were all
// skipped fails t unless opts.AllowSkip.
//
// h may be nil when opts.Merchant builds the handler (see Options.Merchant
// and the API cases). Options that make the run impossible fail t at once.
func Test(t *testing.T, h http.Handler, opts Options) {
	t.Helper()
	if h != nil {
		opts.Handler = h
	}
	progress := opts.Progress
	opts.Progress = func(r Result) {
		if progress != nil {
			progress(r)
		}
		t.Run(r.ID, func(t *testing.T) {
			switch r.Status {
			case Fail, Inconclusive, Interrupted:
				t.Error(failureText(r))
			case Skip:
				t.Skip(r.Message)
			case Warn:
				t.Log("warning: " + r.Message)
			case ExpectedFail:
				t.Log("expected failure: " + r.Message)
			}
			if r.Listed && (r.Status == Pass || r.Status == Warn) {
				t.Log("listed as an expected failure, but passed: remove it from the list")
			}
		})
	}
	rep, err := Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NothingChecked() {
		t.Error("conformance: every selected case was skipped, so nothing was checked (set Options.AllowSkip to accept that)")
	}
}

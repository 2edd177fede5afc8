package conformance

import (
	"context"

	"github.com/payfeedback/payfeedback"
)

// ControlID is the id of the control's result: Report.Control, and the
// first result Options.Progress receives when the run has one.
const ControlID = "control"

// controlRequirement is what the control checks.
const controlRequirement = "A valid request notification is accepted at the endpoint under test, with the merchant's key, in this run: without that, a refusal proves nothing."

// needsControl reports whether a case among cases passes on a refusal.
func needsControl(cases []Case) bool {
	for _, c := range cases {
		if c.refusal {
			return true
		}
	}
	return false
}

// control sends a valid request notification before the cases and judges
// it accepted. When it is not, the refusal cases that pass are reported
// Inconclusive: an endpoint that refuses everything (a wrong path, a wrong
// key) refuses the hostile notifications too, for the wrong reason.
func (e *env) control(ctx context.Context) Result {
	if e.pay != nil {
		r := e.pay.control(ctx)
		r.ID, r.Section = ControlID, ControlID
		return r
	}
	ex := e.post(ctx, encode(e.forge.next(payfeedback.MsgRequest)))
	r := mustAccept(ex)
	r.ID, r.Section, r.Requirement = ControlID, ControlID, controlRequirement
	if !r.passed() {
		r.Message = "no valid notification was accepted at " + e.t.describe() + " in this run (" + answerLine(ex) +
			"): the refusal cases prove nothing"
	}
	return r
}

// passed reports whether r is a pass, with or without a warning.
func (r Result) passed() bool { return r.Status == Pass || r.Status == Warn }

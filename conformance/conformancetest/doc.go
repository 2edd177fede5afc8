// Package conformancetest runs the conformance suite inside a merchant's
// own go test, each case as a subtest named by its id:
//
//	func TestConformance(t *testing.T) {
//		conformancetest.Run(t, myHandler, conformance.Options{AppID: appID, PaySignKey: key})
//	}
//
// It reports what "payfeedback check" reports, in the same words: a line
// per case (conformance.FormatLine), the control's likely cause right
// under its line when the control failed, and, when the run failed, the
// report's details at the end of the test (conformance.Report.WriteDetails:
// each group of cases that failed for one reason first, once, with its
// likely cause and one exchange, then the other failures with their
// exchanges and Fix lines, the summary last). A merchant on a wrong path
// or key reads one cause, not a failure report per case.
//
// It is a package of its own so that only tests import it: it links the
// testing package, which the conformance package (and the CLI built on
// it) does not.
package conformancetest

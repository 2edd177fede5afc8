package conformance

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// statusLabels are the text report's labels, padded to one width.
func statusLabel(st Status) string {
	switch st {
	case Pass:
		return "PASS "
	case Warn:
		return "WARN "
	case Fail:
		return "FAIL "
	case Skip:
		return "SKIP "
	case ExpectedFail:
		return "XFAIL"
	case Inconclusive:
		return "INCONCLUSIVE"
	case Interrupted:
		return "INTERRUPTED"
	}
	return strings.ToUpper(string(st))
}

// FormatLine is the one line the text report gives a result:
// "FAIL  security/signature/wrong: accepted a notification with a wrong AppSignature".
func FormatLine(r Result) string {
	line := statusLabel(r.Status) + " " + r.ID
	if r.Message != "" {
		line += ": " + r.Message
	}
	if r.Listed && (r.Status == Pass || r.Status == Warn) {
		line += " (listed as an expected failure, but passed: remove it from the list)"
	}
	return line
}

// WriteText writes the whole text report: one line per case, then the
// details (see WriteDetails).
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, res := range r.Results {
		fmt.Fprintln(bw, FormatLine(res))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return r.WriteDetails(w)
}

// WriteDetails writes what follows the per-case lines: each failure with
// its requirement, Expected vs Actual, the diff and the exchanges on the
// wire; the warnings and expected failures in short; the summary last.
// A caller that printed the lines as the cases ran (Options.Progress and
// FormatLine) ends with it.
func (r Report) WriteDetails(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var failed, warned, xfailed []Result
	for _, res := range r.Results {
		switch res.Status {
		case Fail:
			failed = append(failed, res)
		case Warn:
			warned = append(warned, res)
		case ExpectedFail:
			xfailed = append(xfailed, res)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(bw, "\nFailures:\n")
		for _, res := range failed {
			writeFailure(bw, res)
		}
	}
	if len(warned) > 0 {
		fmt.Fprintf(bw, "\nWarnings (they fail the run with --strict):\n")
		for _, res := range warned {
			fmt.Fprintf(bw, "  %s: %s\n", res.ID, res.Message)
		}
	}
	if len(xfailed) > 0 {
		fmt.Fprintf(bw, "\nExpected failures (listed; they do not fail the run):\n")
		for _, res := range xfailed {
			fmt.Fprintf(bw, "  %s: %s\n", res.ID, res.Message)
		}
	}
	fmt.Fprintf(bw, "\n%s\n", r.Summary())
	return bw.Flush()
}

func writeFailure(w io.Writer, r Result) {
	fmt.Fprintf(w, "\n--- FAIL %s\n", r.ID)
	fmt.Fprintf(w, "    Requirement: %s\n", r.Requirement)
	if r.Message != "" {
		fmt.Fprintf(w, "    Problem:     %s\n", r.Message)
	}
	if r.Expected != "" {
		fmt.Fprintf(w, "    Expected:    %s\n", r.Expected)
	}
	if r.Actual != "" {
		fmt.Fprintf(w, "    Actual:      %s\n", indentAfterFirst(r.Actual, "                 "))
	}
	if r.Diff != "" {
		fmt.Fprintf(w, "    Diff (-expected +actual):\n%s", indent(r.Diff, "      "))
	}
	for i, ex := range r.Exchanges {
		fmt.Fprintf(w, "    Exchange %d of %d:\n%s", i+1, len(r.Exchanges), indent(ex.String(), "      "))
	}
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}

// indentAfterFirst prefixes every line of s but the first.
func indentAfterFirst(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

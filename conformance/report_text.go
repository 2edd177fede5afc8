package conformance

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
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
// What a merchant answered, quoted in the message, is escaped for a
// terminal (text.Terminal): the line holds no control character.
func FormatLine(r Result) string {
	line := statusLabel(r.Status) + " " + r.ID
	if r.Message != "" {
		line += ": " + r.Message
	}
	line = text.Terminal(line)
	if r.Listed && (r.Status == Pass || r.Status == Warn) {
		line += " (listed as an expected failure, but passed: remove it from the list)"
	}
	return line
}

// WriteText writes the whole text report: the control's line and one line
// per case, then the details (see WriteDetails).
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if r.Control != nil {
		fmt.Fprintln(bw, FormatLine(*r.Control))
	}
	for _, res := range r.Results {
		fmt.Fprintln(bw, FormatLine(res))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return r.WriteDetails(w)
}

// WriteDetails writes what follows the per-case lines: first each group
// of cases that failed for one reason (Groups), once, with the likely
// cause and one exchange; then each other failure with its requirement,
// Expected vs Actual, the diff, the Fix line and the exchanges on the
// wire; the other inconclusive and interrupted cases, the warnings and
// the expected failures in short; the summary last. A caller that
// printed the lines as the cases ran (Options.Progress and FormatLine)
// ends with it. What a merchant sent is escaped for a terminal
// (text.Terminal): no line holds a control character.
func (r Report) WriteDetails(w io.Writer) error {
	var bw strings.Builder
	groups := r.Groups()
	in := r.grouped()
	var failed, unsure, cut, warned, xfailed []Result
	if r.Control != nil && r.Control.Failed() && !in[ControlID] {
		failed = append(failed, *r.Control)
	}
	for _, res := range r.Results {
		switch {
		case in[res.ID]:
		case res.Status == Fail:
			failed = append(failed, res)
		case res.Status == Inconclusive:
			unsure = append(unsure, res)
		case res.Status == Interrupted:
			cut = append(cut, res)
		case res.Status == Warn:
			warned = append(warned, res)
		case res.Status == ExpectedFail:
			xfailed = append(xfailed, res)
		}
	}
	for _, g := range groups {
		writeGroup(&bw, g)
	}
	if len(failed) > 0 {
		fmt.Fprintf(&bw, "\nFailures:\n")
		for _, res := range failed {
			writeFailure(&bw, res)
		}
	}
	for _, list := range []struct {
		title string
		rs    []Result
	}{
		{"Inconclusive (each rests on something that failed in this run):", unsure},
		{"Interrupted:", cut},
		{"Warnings (they fail the run with --strict):", warned},
		{"Expected failures (listed; they do not fail the run):", xfailed},
	} {
		if len(list.rs) == 0 {
			continue
		}
		fmt.Fprintf(&bw, "\n%s\n", list.title)
		for _, res := range list.rs {
			fmt.Fprintf(&bw, "  %s: %s\n", res.ID, res.Message)
		}
	}
	fmt.Fprintf(&bw, "\n%s\n", r.Summary())
	_, err := io.WriteString(w, terminalLines(bw.String()))
	return err
}

// terminalLines escapes each line of s for a terminal, keeping the line
// breaks.
func terminalLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = text.Terminal(l)
	}
	return strings.Join(lines, "\n")
}

// writeGroup writes a group: the symptom and the likely cause first, the
// cases, and the one exchange.
func writeGroup(w io.Writer, g Group) {
	var parts []string
	if n := len(g.Failed); n > 0 {
		parts = append(parts, plural(n, "failure", "failures"))
	}
	if n := len(g.Inconclusive); n > 0 {
		parts = append(parts, plural(n, "inconclusive case", "inconclusive cases"))
	}
	if g.Control {
		parts = append(parts, "the control")
	}
	fmt.Fprintf(w, "\nCause first: one reason behind %s\n", joinAnd(parts))
	fmt.Fprintf(w, "    Symptom:      %s\n", g.Symptom)
	if g.Cause != "" {
		fmt.Fprintf(w, "    Likely cause: %s\n", g.Cause)
	}
	const pad = "                  "
	if len(g.Failed) > 0 {
		fmt.Fprintf(w, "    Failed:       %s\n", wrap(compactIDs(g.Failed), pad))
	}
	if len(g.Inconclusive) > 0 {
		fmt.Fprintf(w, "    Inconclusive: %s\n", wrap(compactIDs(g.Inconclusive), pad))
	}
	if g.Exchange != nil {
		whose := "one of them; the others are alike"
		if g.Control {
			whose = "the control's; the others are alike"
		}
		fmt.Fprintf(w, "    Exchange (%s):\n%s", whose, indent(g.Exchange.String(), "      "))
	}
}

func writeFailure(w io.Writer, r Result) {
	fmt.Fprintf(w, "\n--- %s %s\n", strings.TrimSpace(statusLabel(r.Status)), r.ID)
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
	if r.Fix != "" {
		fmt.Fprintf(w, "    Fix:         %s\n", r.Fix)
	}
	for i, ex := range r.Exchanges {
		fmt.Fprintf(w, "    Exchange %d of %d:\n%s", i+1, len(r.Exchanges), indent(ex.String(), "      "))
	}
}

// compactIDs joins ids, writing those that share a parent once:
// "notify/request/{cdata, plain-text}, delivery/duplicate".
func compactIDs(ids []string) string {
	var out []string
	for i := 0; i < len(ids); {
		parent := ids[i][:strings.LastIndexByte(ids[i], '/')+1]
		j := i + 1
		for j < len(ids) && strings.HasPrefix(ids[j], parent) && !strings.Contains(ids[j][len(parent):], "/") {
			j++
		}
		if j-i == 1 {
			out = append(out, ids[i])
		} else {
			leaves := make([]string, 0, j-i)
			for _, id := range ids[i:j] {
				leaves = append(leaves, id[len(parent):])
			}
			out = append(out, parent+"{"+strings.Join(leaves, ", ")+"}")
		}
		i = j
	}
	return strings.Join(out, ", ")
}

// wrap breaks s at spaces into lines of at most 100 terminal columns
// (text.Width: a Chinese character takes two) after the first, each
// continuation prefixed with pad; the first line starts at column
// len(pad), after its label.
func wrap(s, pad string) string {
	const width = 100
	var b strings.Builder
	col := text.Width(pad)
	for i, word := range strings.Split(s, " ") {
		w := text.Width(word)
		if i > 0 {
			if col+1+w > width {
				b.WriteString("\n" + pad)
				col = text.Width(pad)
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(word)
		col += w
	}
	return b.String()
}

// joinAnd joins words as a sentence does: "a, b and c".
func joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
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

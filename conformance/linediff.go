package conformance

import "strings"

// maxDiffLines bounds the lines lineDiff aligns on each side: its table
// grows with the product of the two lengths, and a report's Expected and
// Actual are a few lines.
const maxDiffLines = 200

// lineDiff returns a diff of want against got, line by line: a line both
// hold once, prefixed "  ", a line only want holds "- ", a line only got
// holds "+ " (the longest common subsequence of the lines stays in
// place). It returns "" when they are equal. Beyond maxDiffLines lines on
// a side, it lists every line of want as removed and every line of got as
// added, without aligning them.
//
// It is the report's own diff, for values a report shows as text (go-cmp
// is meant for tests, and the CLI must not link test-only code).
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	a, b := splitLines(want), splitLines(got)
	var out strings.Builder
	emit := func(prefix, line string) {
		out.WriteString(prefix)
		out.WriteString(line)
		out.WriteByte('\n')
	}
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		for _, l := range a {
			emit("- ", l)
		}
		for _, l := range b {
			emit("+ ", l)
		}
		return out.String()
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			emit("  ", a[i])
			i, j = i+1, j+1
		case j == len(b) || i < len(a) && lcs[i+1][j] >= lcs[i][j+1]:
			emit("- ", a[i])
			i++
		default:
			emit("+ ", b[j])
			j++
		}
	}
	return out.String()
}

// splitLines splits s into lines without their line breaks; "" has none.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

package conformance

import "testing"

func TestLineDiff(t *testing.T) {
	tests := []struct {
		name, want, got, diff string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one changed", "a\nb\nc", "a\nx\nc", "  a\n- b\n+ x\n  c\n"},
		{"added at the end", "a", "a\nb", "  a\n+ b\n"},
		{"removed at the start", "a\nb", "b", "- a\n  b\n"},
		{"from nothing", "", "a\nb", "+ a\n+ b\n"},
		{"to nothing", "a", "", "- a\n"},
		{"moved", "a\nb\nc", "c\na\nb", "+ c\n  a\n  b\n- c\n"},
		{"Chinese", "商品质量有问题", "商品质量没问题", "- 商品质量有问题\n+ 商品质量没问题\n"},
	}
	for _, tc := range tests {
		if got := lineDiff(tc.want, tc.got); got != tc.diff {
			t.Errorf("%s: lineDiff(%q, %q) =\n%q\nwant\n%q", tc.name, tc.want, tc.got, got, tc.diff)
		}
	}
}

// TestLineDiffUnaligned: beyond maxDiffLines lines a side, the lines are
// listed, not aligned, so the table stays small.
func TestLineDiffUnaligned(t *testing.T) {
	var a, b string
	for range maxDiffLines + 1 {
		a += "x\n"
		b += "x\n"
	}
	b += "y\n"
	d := lineDiff(a, b)
	if n := len(splitLines(d)); n != 2*maxDiffLines+3 {
		t.Errorf("%d lines, want every line of both sides (%d)", n, 2*maxDiffLines+3)
	}
}

package conformance

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/payfeedback/payfeedback/internal/text"
)

// TestExcerptsCutAtARuneBoundary: a merchant's answer in Chinese longer
// than an excerpt, or than a report line, is cut between characters, so
// the reports stay valid UTF-8.
func TestExcerptsCutAtARuneBoundary(t *testing.T) {
	long := strings.Repeat("商品质量有问题", 200) // 21 bytes each: no cut lands on a boundary by chance
	for name, s := range map[string]string{
		"excerpt":    excerpt([]byte(long)),
		"first line": firstLine(long),
		"answer":     answerLine(Exchange{Response: &WireResponse{Status: 500, Body: long}}),
	} {
		if !utf8.ValidString(s) || !strings.HasSuffix(s, "…") || len(s) >= len(long) {
			t.Errorf("%s: %q… is not valid UTF-8 cut short with an ellipsis", name, s[:min(len(s), 40)])
		}
	}
}

// TestWrapByDisplayWidth: wrap fills lines up to 100 terminal columns,
// counting a Chinese character as two, so a list holding Chinese text
// lines up with its label and does not run past the edge.
func TestWrapByDisplayWidth(t *testing.T) {
	pad := strings.Repeat(" ", 18)
	words := strings.Fields(strings.Repeat("投诉处理 ", 60))
	lines := strings.Split(wrap(strings.Join(words, " "), pad), "\n")
	if len(lines) < 2 {
		t.Fatalf("one line for %d words", len(words))
	}
	for i, l := range lines {
		w := text.Width(l)
		if i == 0 {
			w += len(pad) // the first line follows its label
		}
		if w > 100 {
			t.Errorf("line %d takes %d columns: %q", i+1, w, l)
		}
		if i < len(lines)-1 && w+1+text.Width("投诉处理") <= 100 {
			t.Errorf("line %d wraps at %d columns, with room for another word", i+1, w)
		}
	}
}

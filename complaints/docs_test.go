package complaints

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestDocLinks: every relative link of docs/complaints-v3.md names a file
// that ships, and every #anchor a heading of its page (GitHub's anchors).
func TestDocLinks(t *testing.T) {
	const doc = "../docs/complaints-v3.md"
	text := string(readFile(t, doc))
	links := regexp.MustCompile(`\]\(([^)\s]+)\)`).FindAllStringSubmatch(text, -1)
	if len(links) < 20 {
		t.Fatalf("only %d links found", len(links))
	}
	for _, m := range links {
		target := m[1]
		if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
			continue
		}
		path, anchor, _ := strings.Cut(target, "#")
		file := doc
		if path != "" {
			file = filepath.Join(filepath.Dir(doc), path)
			if _, err := os.Stat(file); err != nil {
				t.Errorf("link %s: %v", target, err)
				continue
			}
		}
		if anchor != "" && !anchors(t, file)[anchor] {
			t.Errorf("link %s: no heading with that anchor in %s", target, file)
		}
	}
}

// anchors returns the anchors GitHub gives the headings of a Markdown file:
// lower case, punctuation dropped, spaces as hyphens, repeats numbered.
func anchors(t *testing.T, file string) map[string]bool {
	out := map[string]bool{}
	count := map[string]int{}
	inCode := false
	for _, line := range strings.Split(string(readFile(t, file)), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := count[a]; n > 0 {
			out[a+"-"+string(rune('0'+n))] = true
		} else {
			out[a] = true
		}
		count[a]++
	}
	return out
}

package readme

import (
	"bufio"
	"bytes"
	"strings"
)

// Block is one fenced code block.
type Block struct {
	// Line is the line of its opening fence, from 1.
	Line int
	// Lang is the info string's first word: "sh", "go", "".
	Lang string
	// Note is the text of a "<!-- readme: … -->" comment on the line
	// before the fence, "" without one.
	Note string
	// Text is the block's content, each line ending with a newline.
	Text string
}

// NotRun returns why a shell block is not run, from its first line
// "# not run by the README test: why"; "" when it is run.
func (b Block) NotRun() string {
	first, _, _ := strings.Cut(b.Text, "\n")
	_, why, ok := strings.Cut(first, "# not run by the README test:")
	if !ok {
		return ""
	}
	return strings.TrimSpace(why)
}

// Blocks returns the fenced code blocks of a Markdown document, in order.
func Blocks(md []byte) []Block {
	var out []Block
	var cur *Block
	var text strings.Builder
	prev := ""
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			lang, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), " ")
			cur = &Block{Line: n, Lang: lang}
			if note, ok := strings.CutPrefix(strings.TrimSpace(prev), "<!-- readme:"); ok {
				cur.Note = strings.TrimSpace(strings.TrimSuffix(note, "-->"))
			}
			text.Reset()
		case cur != nil && trimmed == "```":
			cur.Text = text.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			text.WriteString(line + "\n")
		}
		prev = line
	}
	return out
}

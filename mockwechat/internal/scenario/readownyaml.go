package scenario

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// readOwnYAML reads YAML as Marshal writes it — block mappings and lists
// indented two spaces a level, texts plain (when plain says YAML reads
// them so) or double-quoted with Marshal's escapes, times, integers, true,
// false and null unquoted, "{}" and "[]" for empty ones, EndMarker last —
// into the values readYAML gives for it, in one pass over the bytes and
// without a node tree. A snapshot or a --state file of 10,000 complaints
// is read about five times faster than by go.yaml.in/yaml/v3 (docs/
// performance.md, "Scenario and state loading").
//
// It reports false for anything else: any line, scalar or escape outside
// that form, and every case readYAML refuses (a key given twice, too many
// entries, too deep). The caller then reads the file with readYAML, which
// reads any YAML and words the errors. FuzzReadOwnYAML holds the two to
// the same values on every input, and on every scenario Marshal writes.
func readOwnYAML(data []byte, items int) (map[string]any, bool) {
	if !utf8.Valid(data) {
		return nil, false
	}
	r := ownReader{s: data, items: items}
	top, ok := r.mapping(0, 1)
	if !ok || string(r.s[r.i:]) != EndMarker+"\n" {
		return nil, false
	}
	return top, true
}

// ownReader walks Marshal's YAML. i is at the start of a line (or, for a
// list item's first entry, just after its "- ").
type ownReader struct {
	s     []byte
	i     int
	items int
}

// block reads the mapping or list at the cursor, whose lines are indented
// by indent.
func (r *ownReader) block(indent, depth int) (any, bool) {
	if r.i+1 < len(r.s) && r.s[r.i] == '-' && r.s[r.i+1] == ' ' {
		return r.list(indent, depth)
	}
	return r.mapping(indent, depth)
}

// mapping reads a mapping: its first key at the cursor, every next one on
// a line indented by indent.
func (r *ownReader) mapping(indent, depth int) (map[string]any, bool) {
	if depth > MaxDepth {
		return nil, false
	}
	if r.i == 0 && bytes.HasPrefix(r.s, []byte("{}\n")) {
		r.i = 3
		return map[string]any{}, true
	}
	m := map[string]any{}
	for {
		key, ok := r.scalarText(true)
		if !ok || r.i >= len(r.s) || r.s[r.i] != ':' {
			return nil, false
		}
		if _, dup := m[key]; dup || len(m) == r.items {
			return nil, false
		}
		r.i++
		var v any
		switch {
		case r.i < len(r.s) && r.s[r.i] == '\n':
			r.i++
			if !r.indented(indent + 2) {
				return nil, false
			}
			if v, ok = r.block(indent+2, depth+1); !ok {
				return nil, false
			}
		case r.i < len(r.s) && r.s[r.i] == ' ':
			r.i++
			if v, ok = r.scalarLine(); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
		m[key] = v
		if !r.next(indent) {
			return m, true
		}
	}
}

// list reads a list: its first "- " at the cursor, every next one on a
// line indented by indent.
func (r *ownReader) list(indent, depth int) ([]any, bool) {
	if depth > MaxDepth {
		return nil, false
	}
	var s []any
	for {
		if len(s) == r.items || !bytes.HasPrefix(r.s[r.i:], []byte("- ")) {
			return nil, false
		}
		r.i += 2
		var v any
		var ok bool
		switch c := r.peek(); {
		case c == '-' && r.i+1 < len(r.s) && r.s[r.i+1] == ' ', c != '"' && r.keyOnLine():
			v, ok = r.block(indent+2, depth+1)
		default:
			v, ok = r.scalarLine()
		}
		if !ok {
			return nil, false
		}
		s = append(s, v)
		if !r.next(indent) {
			return s, true
		}
	}
}

// keyOnLine reports whether the line from the cursor is a mapping entry
// ("key: …" or "key:" at its end) rather than a scalar: a plain key, or
// a quoted one, followed by a colon. A plain text never holds ": " and
// never ends with ':' (plain), so the colon can only end a key.
func (r *ownReader) keyOnLine() bool {
	end := bytes.IndexByte(r.s[r.i:], '\n')
	if end < 0 {
		return false
	}
	line := r.s[r.i : r.i+end]
	return bytes.Contains(line, []byte(": ")) || bytes.HasSuffix(line, []byte(":"))
}

// next moves to the next line and reports whether it continues the block
// indented by indent; false leaves the cursor at the start of the line
// for an outer block (or the end marker).
func (r *ownReader) next(indent int) bool {
	start := r.i
	n := 0
	for r.i < len(r.s) && r.s[r.i] == ' ' {
		r.i++
		n++
	}
	if n == indent && r.i < len(r.s) && !r.atEndMarker() {
		return true
	}
	r.i = start
	return false
}

// indented consumes exactly indent spaces at the start of a line.
func (r *ownReader) indented(indent int) bool {
	for range indent {
		if r.i >= len(r.s) || r.s[r.i] != ' ' {
			return false
		}
		r.i++
	}
	return r.i < len(r.s) && r.s[r.i] != ' '
}

func (r *ownReader) atEndMarker() bool {
	return bytes.HasPrefix(r.s[r.i:], []byte(EndMarker+"\n"))
}

func (r *ownReader) peek() byte {
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// scalarLine reads the scalar that ends the line, and the line's end.
func (r *ownReader) scalarLine() (any, bool) {
	end := bytes.IndexByte(r.s[r.i:], '\n')
	if end <= 0 {
		return nil, false
	}
	var v any
	var ok bool
	switch line := r.s[r.i : r.i+end]; {
	case line[0] == '"':
		var text string
		text, ok = r.scalarText(false)
		v = text
	case string(line) == "{}":
		v, ok = map[string]any{}, true
		r.i += end
	case string(line) == "[]":
		v, ok = []any{}, true
		r.i += end
	default:
		v, ok = unquoted(string(line))
		r.i += end
	}
	if !ok || r.i >= len(r.s) || r.s[r.i] != '\n' {
		return nil, false
	}
	r.i++
	return v, true
}

// unquoted is what readYAML gives for an unquoted scalar Marshal writes:
// a plain text, a time (YAML's timestamp, given as its text), an integer
// as JSON writes it, true, false or null.
func unquoted(s string) (any, bool) {
	switch {
	case plain(s):
		return s, true
	case s == "true":
		return true, true
	case s == "false":
		return false, true
	case s == "null":
		return nil, true
	case decimal(s):
		// yaml.v3 takes an integer beyond int64 for a float, and readYAML
		// writes it back in the float's form.
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return nil, false
		}
		return json.Number(s), true
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil && strings.IndexByte(s, ' ') < 0 {
		return s, true
	}
	return nil, false
}

// scalarText reads a text at the cursor: double-quoted, or plain (a key
// ends at its colon, a value at the line's end).
func (r *ownReader) scalarText(key bool) (string, bool) {
	if r.peek() != '"' {
		end := bytes.IndexByte(r.s[r.i:], '\n')
		if end < 0 {
			return "", false
		}
		line := r.s[r.i : r.i+end]
		if key {
			colon := bytes.LastIndexByte(line, ':')
			if c := bytes.Index(line, []byte(": ")); c >= 0 {
				colon = c
			}
			if colon < 0 {
				return "", false
			}
			line = line[:colon]
		}
		if !plain(string(line)) {
			return "", false
		}
		r.i += len(line)
		return string(line), true
	}
	// Double-quoted, with the escapes appendYAMLQuoted writes.
	var b []byte
	i := r.i + 1
	start := i
	for ; i < len(r.s); i++ {
		c := r.s[i]
		switch {
		case c == '"':
			if !printable(r.s[start:i]) {
				return "", false
			}
			if b == nil {
				b = r.s[start:i]
			} else {
				b = append(b, r.s[start:i]...)
			}
			r.i = i + 1
			return string(b), true
		case c == '\n', c < 0x20 && c != '\t':
			return "", false
		case c == '\\':
			if !printable(r.s[start:i]) {
				return "", false
			}
			b = append(b, r.s[start:i]...)
			if i+1 >= len(r.s) {
				return "", false
			}
			i++
			switch r.s[i] {
			case '"', '\\':
				b = append(b, r.s[i])
			case 'n':
				b = append(b, '\n')
			case 't':
				b = append(b, '\t')
			case 'r':
				b = append(b, '\r')
			case 'u':
				if i+4 >= len(r.s) {
					return "", false
				}
				var cp rune
				for _, h := range r.s[i+1 : i+5] {
					d, ok := hexDigit(h)
					if !ok {
						return "", false
					}
					cp = cp<<4 | d
				}
				if cp >= 0xD800 && cp <= 0xDFFF {
					return "", false
				}
				b = utf8.AppendRune(b, cp)
				i += 4
			default:
				return "", false
			}
			start = i + 1
		}
	}
	return "", false
}

// printable reports whether b is valid UTF-8 holding only what YAML takes
// unescaped in a double-quoted text, as appendYAMLQuoted writes it: tab,
// and printable characters but the line and paragraph separators and the
// byte order mark.
func printable(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			return false
		case r == '\t', r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xD7FF && r != 0x2028 && r != 0x2029,
			r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF, r >= 0x10000:
		default:
			return false
		}
		b = b[size:]
	}
	return true
}

func hexDigit(c byte) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case 'a' <= c && c <= 'f':
		return rune(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

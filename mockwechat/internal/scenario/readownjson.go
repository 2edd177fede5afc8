package scenario

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// readOwnJSON reads a valid JSON document into the values readJSON gives
// for it (map[string]any, []any, string, json.Number, bool, nil) in one
// pass, without encoding/json's token stream, which allocates for every
// token. It reports false for a document that is not valid JSON or not a
// mapping at the top, and for every case readJSON refuses (a key given
// twice, too many entries, too deep): the caller then reads it with
// readJSON, which words the errors. Strings with escapes are unquoted by
// encoding/json itself. FuzzReadOwnJSON holds the two to the same values.
func readOwnJSON(data []byte, items int) (map[string]any, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	r := ownJSON{s: data, items: items}
	r.space()
	if r.peek() != '{' {
		return nil, false
	}
	v, ok := r.value(1)
	if !ok {
		return nil, false
	}
	return v.(map[string]any), true
}

// ownJSON walks JSON known to be valid.
type ownJSON struct {
	s     []byte
	i     int
	items int
}

func (r *ownJSON) peek() byte {
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

func (r *ownJSON) space() {
	for r.i < len(r.s) && (r.s[r.i] == ' ' || r.s[r.i] == '\t' || r.s[r.i] == '\n' || r.s[r.i] == '\r') {
		r.i++
	}
}

// value reads the value at the cursor, at depth, and the space after it.
func (r *ownJSON) value(depth int) (any, bool) {
	var v any
	switch c := r.peek(); {
	case c == '{':
		if depth > MaxDepth {
			return nil, false
		}
		r.i++
		r.space()
		m := map[string]any{}
		for r.peek() != '}' {
			key, ok := r.str()
			if !ok {
				return nil, false
			}
			if _, dup := m[key]; dup || len(m) == r.items {
				return nil, false
			}
			r.space()
			r.i++ // ':'
			r.space()
			if m[key], ok = r.value(depth + 1); !ok {
				return nil, false
			}
			if r.peek() == ',' {
				r.i++
				r.space()
			}
		}
		r.i++
		v = m
	case c == '[':
		if depth > MaxDepth {
			return nil, false
		}
		r.i++
		r.space()
		s := []any{}
		for r.peek() != ']' {
			if len(s) == r.items {
				return nil, false
			}
			e, ok := r.value(depth + 1)
			if !ok {
				return nil, false
			}
			s = append(s, e)
			if r.peek() == ',' {
				r.i++
				r.space()
			}
		}
		r.i++
		v = s
	case c == '"':
		s, ok := r.str()
		if !ok {
			return nil, false
		}
		v = s
	case c == 't':
		r.i += 4
		v = true
	case c == 'f':
		r.i += 5
		v = false
	case c == 'n':
		r.i += 4
	default: // a number
		start := r.i
		for r.i < len(r.s) && strings.IndexByte("+-.0123456789eE", r.s[r.i]) >= 0 {
			r.i++
		}
		v = json.Number(r.s[start:r.i])
	}
	r.space()
	return v, true
}

// str reads the string at the cursor: as it is when it holds no escape
// and is valid UTF-8, else unquoted by encoding/json (which also turns
// invalid bytes into U+FFFD, as readJSON's decoder does).
func (r *ownJSON) str() (string, bool) {
	start := r.i
	plainText := true
	r.i++
	for r.s[r.i] != '"' {
		c := r.s[r.i]
		switch {
		case c == '\\':
			plainText = false
			r.i++
		case c >= utf8.RuneSelf:
			plainText = false
		}
		r.i++
	}
	r.i++
	raw := r.s[start:r.i]
	if plainText || utf8.Valid(raw) && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// readJSON reads a JSON file, checking the limits and that no key is
// given twice (encoding/json would take the last). notJSON says the bytes
// are not JSON at all (for a file that may be YAML). A valid document
// within the limits is read by readOwnJSON in one pass; any other, token
// by token, which places and words what is wrong.
func readJSON(name string, data []byte, items int) (v any, loc locator, notJSON bool, err error) {
	body := bytes.TrimPrefix(data, bom)
	if skipSpace(body, 0) == len(body) {
		return nil, nil, false, &Error{File: name, Msg: "the file is empty: want a mapping such as {accounts: [...], complaints: [...]}"}
	}
	if top, ok := readOwnJSON(body, items); ok {
		return top, jsonLocator{body}, false, nil
	}
	return readJSONTokens(name, body, items)
}

// readJSONTokens is readJSON token by token.
func readJSONTokens(name string, body []byte, items int) (v any, loc locator, notJSON bool, err error) {
	r := jsonReader{name: name, data: body, items: items, dec: json.NewDecoder(bytes.NewReader(body))}
	r.dec.UseNumber()
	if v, err = r.value(1); err != nil {
		return nil, nil, r.syntax, err
	}
	end := int(r.dec.InputOffset())
	if _, err := r.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, true, r.errorAt(skipSpace(body, end), "more after the JSON document: want one document")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, nil, false, r.errorAt(skipSpace(body, 0), "want a mapping such as {accounts: [...], complaints: [...]} at the top")
	}
	return v, jsonLocator{body}, false, nil
}

// jsonReader reads a JSON document into plain values.
type jsonReader struct {
	name   string
	data   []byte
	items  int // MaxItems, but in tests
	dec    *json.Decoder
	syntax bool // the error is the file's JSON syntax
}

func (r *jsonReader) errorAt(off int, format string, args ...any) error {
	line, col := lineColumn(r.data, off)
	return &Error{File: r.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// next is the offset where the next token starts.
func (r *jsonReader) next() int {
	off := int(r.dec.InputOffset())
	for off < len(r.data) && strings.IndexByte(" \t\r\n,:", r.data[off]) >= 0 {
		off++
	}
	return off
}

// token reads the next token; an error is the file's syntax.
func (r *jsonReader) token() (json.Token, error) {
	tok, err := r.dec.Token()
	if err == nil {
		return tok, nil
	}
	r.syntax = true
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, r.errorAt(len(r.data), "the file ends inside its JSON document: it was cut short")
	case errors.As(err, &se):
		// The decoder's offsets count from where its buffer starts: the
		// whole file, checked again, places the error exactly.
		if err := json.Unmarshal(r.data, new(json.RawMessage)); errors.As(err, &se) {
			return nil, r.errorAt(int(se.Offset)-1, "not valid JSON: %v", err)
		}
		return nil, r.errorAt(r.next(), "not valid JSON: %v", err)
	}
	return nil, r.errorAt(r.next(), "not valid JSON: %v", err)
}

// value reads the value that starts next, at depth.
func (r *jsonReader) value(depth int) (any, error) {
	at := r.next()
	tok, err := r.token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		if depth > MaxDepth {
			return nil, r.errorAt(at, "%s", depthMsg)
		}
		m := map[string]any{}
		for r.dec.More() {
			kat := r.next()
			k, err := r.token()
			if err != nil {
				return nil, err
			}
			key := k.(string)
			if _, ok := m[key]; ok {
				return nil, r.errorAt(kat, "key %q is given twice", key)
			}
			if len(m) == r.items {
				return nil, r.errorAt(at, "more than %[1]d entries: %s", r.items, itemsMsg(r.items))
			}
			if m[key], err = r.value(depth + 1); err != nil {
				return nil, err
			}
		}
		_, err := r.token()
		return m, err
	case json.Delim('['):
		if depth > MaxDepth {
			return nil, r.errorAt(at, "%s", depthMsg)
		}
		s := []any{}
		for r.dec.More() {
			if len(s) == r.items {
				return nil, r.errorAt(at, "more than %[1]d entries: %s", r.items, itemsMsg(r.items))
			}
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		_, err := r.token()
		return s, err
	}
	return tok, nil
}

// jsonLocator finds paths in a JSON file by reading its tokens again
// (only for errors).
type jsonLocator struct{ data []byte }

func (l jsonLocator) locate(path []string, key string) (int, int) {
	dec := json.NewDecoder(bytes.NewReader(l.data))
	off, ok := l.find(dec, path, key)
	if !ok {
		return 0, 0
	}
	return lineColumn(l.data, off)
}

// find reads the value that starts next in dec and returns the offset of
// what path and key name inside it.
func (l jsonLocator) find(dec *json.Decoder, path []string, key string) (int, bool) {
	next := func() int {
		off := int(dec.InputOffset())
		for off < len(l.data) && strings.IndexByte(" \t\r\n,:", l.data[off]) >= 0 {
			off++
		}
		return off
	}
	start := next()
	if len(path) == 0 && key == "" {
		return start, true
	}
	tok, err := dec.Token()
	if err != nil {
		return 0, false
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			at := next()
			k, err := dec.Token()
			if err != nil {
				return 0, false
			}
			switch {
			case len(path) == 0 && k == key:
				return at, true
			case len(path) > 0 && k == path[0]:
				return l.find(dec, path[1:], key)
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0, false
			}
		}
	case json.Delim('['):
		if len(path) == 0 {
			return 0, false
		}
		want, err := strconv.Atoi(path[0])
		if err != nil {
			return 0, false
		}
		for i := 0; dec.More(); i++ {
			if i == want {
				return l.find(dec, path[1:], key)
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0, false
			}
		}
	}
	return 0, false
}

package complaints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Extra holds the members of a JSON object that its Go type does not
// declare, keyed by name, each value compacted JSON as WeChat sent it.
// WeChat adds fields to its answers without notice ("新的API版本可能在请求
// 或应答中加入新的参数"): Extra lets a program read a new field before
// this package names it, and encoding an object writes its Extra members
// back after the declared ones, so nothing is lost on the way through.
//
// A key that names a declared field (in any case encoding/json accepts) is
// never kept in Extra, and is skipped when encoding.
type Extra map[string]json.RawMessage

// decodeKeeping decodes data into v, a pointer to the "plain" twin of a
// type (the same fields, no JSON methods), and sets *extra to the members of
// the object that no field of v names. "null" changes nothing, as
// encoding/json does for a value that decodes itself.
func decodeKeeping(data []byte, v any, extra *Extra) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	// json.Unmarshal checks all of data before decoding, and decodes only
	// an object into a struct: past it, data is a valid JSON object.
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	var names fieldNames
	var kept Extra
	var err error
	eachMember(data, func(rawKey []byte, value []byte) bool {
		if names == nil {
			names = jsonNames(reflect.TypeOf(v).Elem())
		}
		key := string(rawKey)
		if bytes.IndexByte(rawKey, '\\') >= 0 || !utf8.Valid(rawKey) {
			// Undo escapes and replace invalid UTF-8 as encoding/json does.
			if err = json.Unmarshal(append(append([]byte{'"'}, rawKey...), '"'), &key); err != nil {
				return false
			}
		}
		if names.declares(key) {
			return true
		}
		var compact bytes.Buffer
		if err = json.Compact(&compact, value); err != nil {
			return false
		}
		if kept == nil {
			kept = make(Extra)
		}
		kept[key] = compact.Bytes()
		return true
	})
	if err != nil {
		return err
	}
	*extra = kept
	return nil
}

// eachMember calls fn with the key (between its quotes, escapes left as
// they are) and the raw value of each member of the JSON object data, in
// order, until fn returns false. data must be valid JSON (json.Unmarshal
// checked it); eachMember reads nothing beyond it in any case.
func eachMember(data []byte, fn func(key, value []byte) bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return // '}': the end
		}
		end := skipString(data, i)
		key := data[min(i+1, end):max(i+1, end-1)]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return
		}
		i = skipSpace(data, i+1)
		start := i
		i = skipValue(data, i)
		if !fn(key, data[start:i]) {
			return
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return
		}
		i++
	}
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at i (a
// quote).
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// skipValue returns the index just past the value starting at i.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for ; i < len(data); i++ { // a number, true, false or null
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}

// encodeKeeping encodes v, a pointer to the plain twin of a type, then
// extra's members in key order.
func encodeKeeping(v any, extra Extra) ([]byte, error) {
	out, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return out, err
	}
	names := jsonNames(reflect.TypeOf(v).Elem())
	keys := make([]string, 0, len(extra))
	for key := range extra {
		if !names.declares(key) {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	out = out[:len(out)-1] // the closing brace
	for _, key := range keys {
		value, err := json.Marshal(extra[key]) // checks and compacts it
		if err != nil {
			return nil, fmt.Errorf("complaints: Extra member %q: %w", key, err)
		}
		name, err := json.Marshal(key)
		if err != nil {
			return nil, err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, name...)
		out = append(out, ':')
		out = append(out, value...)
	}
	return append(out, '}'), nil
}

// orEmpty returns s, or an empty slice for nil: the arrays WeChat always
// sends are written [], never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// fieldNames are the JSON names of a struct's fields.
type fieldNames []string

// jsonNames lists the JSON names of t's exported fields.
func jsonNames(t reflect.Type) fieldNames {
	names := make(fieldNames, 0, t.NumField())
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

// exact reports whether key is one of the names as written.
func (n fieldNames) exact(key string) bool { return slices.Contains(n, key) }

// declares reports whether encoding/json would decode the member key into
// one of the fields: an exact match, or a match after folding case.
func (n fieldNames) declares(key string) bool {
	if n.exact(key) {
		return true
	}
	folded := foldName(key)
	return slices.ContainsFunc(n, func(name string) bool { return foldName(name) == folded })
}

// foldName folds s the way encoding/json does to match an object key with
// a field name: every rune to upper case.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 reads as U+FFFD, as in encoding/json
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

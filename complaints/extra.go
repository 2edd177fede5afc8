package complaints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
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
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	names := jsonNames(reflect.TypeOf(v).Elem())
	var kept Extra
	for key, raw := range members {
		if names.declares(key) {
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return err
		}
		if kept == nil {
			kept = make(Extra)
		}
		kept[key] = compact.Bytes()
	}
	*extra = kept
	return nil
}

// encodeKeeping encodes v, a pointer to the plain twin of a type (a copy:
// encodeKeeping changes it), then extra's members in key order. A nil slice
// in a field without omitempty is written [] (WeChat writes empty arrays,
// never null).
func encodeKeeping(v any, extra Extra) ([]byte, error) {
	emptySlices(reflect.ValueOf(v).Elem())
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

// fieldNames are the JSON names of a struct's fields, folded as
// encoding/json folds them to match keys regardless of case.
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
		names = append(names, foldName(name))
	}
	return names
}

// declares reports whether encoding/json would decode the member key into
// one of the fields: an exact match, or a match after folding case.
func (n fieldNames) declares(key string) bool {
	return slices.Contains(n, foldName(key))
}

// foldName folds s the way encoding/json does to match an object key with
// a field name: ASCII letters and then every rune to upper case.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 reads as U+FFFD, as in encoding/json
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// emptySlices sets the nil slices of struct value v whose fields have no
// omitempty to empty ones.
func emptySlices(v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Slice || f.Type == reflect.TypeFor[json.RawMessage]() {
			continue
		}
		if tag := f.Tag.Get("json"); tag == "-" || strings.Contains(tag, ",omitempty") {
			continue
		}
		if fv := v.Field(i); fv.IsNil() {
			fv.Set(reflect.MakeSlice(f.Type, 0, 0))
		}
	}
}

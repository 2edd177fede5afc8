package scenario

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Format is a scenario file's format.
type Format string

// The formats.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// EndMarker ends every YAML file Marshal writes: YAML's end of document,
// so that a file cut short, which may still be YAML, can be told from a
// whole one (Complete). JSON needs none: a JSON document cut short does
// not parse.
const EndMarker = "..."

// Marshal writes the scenario in the format: keys in the order of the
// types' fields, as encoding/json names them (omitempty and omitzero
// honoured, lists never null); times in RFC 3339 (UTC as given),
// durations as Go durations, a message's raw body as its text; texts as
// valid UTF-8 (U+FFFD for invalid bytes, as encoding/json writes them).
// YAML ends with EndMarker.
func Marshal(sc *Scenario, f Format) ([]byte, error) {
	if f != YAML && f != JSON {
		return nil, fmt.Errorf("mockwechat: scenario: unknown format %q: want yaml or json", f)
	}
	var e encoder
	n, err := e.value(reflect.ValueOf(sc).Elem())
	if err != nil {
		return nil, fmt.Errorf("mockwechat: scenario: %w", err)
	}
	w := writer{buf: make([]byte, 0, e.size)}
	if f == JSON {
		w.json(n, 0)
		w.buf = append(w.buf, '\n')
		return w.buf, nil
	}
	if len(n.items) == 0 {
		w.buf = append(w.buf, "{}\n"...)
	} else {
		w.yaml(n, 0, false)
	}
	w.buf = append(w.buf, EndMarker+"\n"...)
	return w.buf, nil
}

// node is a value as a file writes it.
type node struct {
	kind  nodeKind
	text  string   // nodeText, nodeStamp, nodeLiteral
	keys  []string // nodeMapping
	items []node   // nodeMapping (the keys' values), nodeList
}

type nodeKind uint8

const (
	nodeText    nodeKind = iota // a string
	nodeStamp                   // a time: quoted in JSON, plain in YAML
	nodeLiteral                 // a number, true or false: as it is in both
	nodeMapping
	nodeList
)

// encoder turns Go values into nodes.
type encoder struct {
	fields map[reflect.Type][]encField
	size   int // about how many bytes the file takes
}

type encField struct {
	name                string
	index               []int
	omitEmpty, omitZero bool
}

var (
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
)

func (e *encoder) textNode(s string) node {
	e.size += len(s) + 8
	return node{kind: nodeText, text: strings.ToValidUTF8(s, "\uFFFD")}
}

func (e *encoder) value(v reflect.Value) (node, error) {
	t := v.Type()
	switch t {
	case timeType:
		e.size += 40
		return node{kind: nodeStamp, text: v.Interface().(time.Time).Format(time.RFC3339Nano)}, nil
	case durationType:
		return e.textNode(time.Duration(v.Int()).String()), nil
	case rawType:
		return e.textNode(string(v.Bytes())), nil
	}
	if t.Implements(textMarshaler) && t.Kind() != reflect.Pointer {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return node{}, err
		}
		return e.textNode(string(b)), nil
	}
	if t.Kind() == reflect.Struct && t.Implements(jsonMarshaler) {
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return node{}, err
		}
		return e.jsonNode(b)
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return e.textNode(base64.StdEncoding.EncodeToString(v.Bytes())), nil
	}
	switch t.Kind() {
	case reflect.String:
		return e.textNode(v.String()), nil
	case reflect.Bool:
		e.size += 8
		return node{kind: nodeLiteral, text: strconv.FormatBool(v.Bool())}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.size += 16
		return node{kind: nodeLiteral, text: strconv.FormatInt(v.Int(), 10)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.size += 16
		return node{kind: nodeLiteral, text: strconv.FormatUint(v.Uint(), 10)}, nil
	case reflect.Float32, reflect.Float64:
		e.size += 16
		return node{kind: nodeLiteral, text: strconv.FormatFloat(v.Float(), 'g', -1, t.Bits())}, nil
	case reflect.Slice:
		n := node{kind: nodeList, items: make([]node, v.Len())}
		for i := range v.Len() {
			var err error
			if n.items[i], err = e.value(v.Index(i)); err != nil {
				return node{}, err
			}
		}
		return n, nil
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		n := node{kind: nodeMapping, keys: make([]string, len(keys)), items: make([]node, len(keys))}
		for i, k := range keys {
			var err error
			n.keys[i] = k.String()
			e.size += len(n.keys[i]) + 8
			if t.Elem() == rawType {
				n.items[i], err = e.jsonNode(v.MapIndex(k).Bytes())
			} else {
				n.items[i], err = e.value(v.MapIndex(k))
			}
			if err != nil {
				return node{}, err
			}
		}
		return n, nil
	case reflect.Pointer:
		if v.IsNil() {
			return node{kind: nodeLiteral, text: "null"}, nil
		}
		return e.value(v.Elem())
	case reflect.Struct:
		fields := e.fieldsOf(t)
		n := node{kind: nodeMapping, keys: make([]string, 0, len(fields)), items: make([]node, 0, len(fields))}
		for _, f := range fields {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && empty(fv) || f.omitZero && fv.IsZero() {
				continue
			}
			item, err := e.value(fv)
			if err != nil {
				return node{}, err
			}
			e.size += len(f.name) + 8
			n.keys = append(n.keys, f.name)
			n.items = append(n.items, item)
		}
		return n, nil
	}
	return node{}, fmt.Errorf("cannot write a %s", t)
}

// jsonNode is a JSON document as a node, its members in their order.
func (e *encoder) jsonNode(b []byte) (node, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return e.jsonValue(dec)
}

func (e *encoder) jsonValue(dec *json.Decoder) (node, error) {
	tok, err := dec.Token()
	if err != nil {
		return node{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := node{kind: nodeList}
		if t == '{' {
			n.kind = nodeMapping
		}
		for dec.More() {
			if n.kind == nodeMapping {
				k, err := dec.Token()
				if err != nil {
					return node{}, err
				}
				n.keys = append(n.keys, k.(string))
				e.size += len(k.(string)) + 8
			}
			item, err := e.jsonValue(dec)
			if err != nil {
				return node{}, err
			}
			n.items = append(n.items, item)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case string:
		return e.textNode(t), nil
	case json.Number:
		e.size += len(t) + 8
		return node{kind: nodeLiteral, text: string(t)}, nil
	case bool:
		return node{kind: nodeLiteral, text: strconv.FormatBool(t)}, nil
	}
	return node{kind: nodeLiteral, text: "null"}, nil
}

// empty is encoding/json's omitempty.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// fieldsOf lists a struct's fields as encoding/json writes them, in
// order, embedded structs inline.
func (e *encoder) fieldsOf(t reflect.Type) []encField {
	if f, ok := e.fields[t]; ok {
		return f
	}
	var out []encField
	for _, sf := range reflect.VisibleFields(t) {
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case !sf.IsExported() || name == "-":
		case sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct:
		default:
			if name == "" {
				name = sf.Name
			}
			o := "," + opts + ","
			out = append(out, encField{name: name, index: sf.Index,
				omitEmpty: strings.Contains(o, ",omitempty,"), omitZero: strings.Contains(o, ",omitzero,")})
		}
	}
	if e.fields == nil {
		e.fields = map[reflect.Type][]encField{}
	}
	e.fields[t] = out
	return out
}

// writer writes nodes as JSON or YAML.
type writer struct{ buf []byte }

func (w *writer) indent(n int) {
	for range n {
		w.buf = append(w.buf, ' ')
	}
}

// json writes n as indented JSON, two spaces a level (as json.Indent).
func (w *writer) json(n node, depth int) {
	switch n.kind {
	case nodeText, nodeStamp:
		w.buf = appendJSONString(w.buf, n.text)
	case nodeLiteral:
		w.buf = append(w.buf, n.text...)
	case nodeMapping, nodeList:
		open, close := byte('{'), byte('}')
		if n.kind == nodeList {
			open, close = '[', ']'
		}
		w.buf = append(w.buf, open)
		for i, item := range n.items {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.buf = append(w.buf, '\n')
			w.indent(2 * (depth + 1))
			if n.kind == nodeMapping {
				w.buf = appendJSONString(w.buf, n.keys[i])
				w.buf = append(w.buf, ": "...)
			}
			w.json(item, depth+1)
		}
		if len(n.items) > 0 {
			w.buf = append(w.buf, '\n')
			w.indent(2 * depth)
		}
		w.buf = append(w.buf, close)
	}
}

// appendJSONString quotes s as encoding/json does, HTML characters
// unescaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// yaml writes a mapping or a list in block style at indent; inline: its
// first line goes on the current one (after "- ").
func (w *writer) yaml(n node, indent int, inline bool) {
	for i, item := range n.items {
		if i > 0 || !inline {
			w.indent(indent)
		}
		if n.kind == nodeMapping {
			w.yamlScalar(node{kind: nodeText, text: n.keys[i]})
			w.buf = append(w.buf, ':')
		} else {
			w.buf = append(w.buf, '-')
		}
		switch {
		case (item.kind == nodeMapping || item.kind == nodeList) && len(item.items) > 0 && n.kind == nodeMapping:
			w.buf = append(w.buf, '\n')
			w.yaml(item, indent+2, false)
		case (item.kind == nodeMapping || item.kind == nodeList) && len(item.items) > 0:
			w.buf = append(w.buf, ' ')
			w.yaml(item, indent+2, true)
		default:
			w.buf = append(w.buf, ' ')
			w.yamlScalar(item)
			w.buf = append(w.buf, '\n')
		}
	}
}

// yamlScalar writes a scalar, or an empty mapping or list, on one line:
// a text plain when YAML reads it back as that text, double-quoted
// otherwise.
func (w *writer) yamlScalar(n node) {
	switch {
	case n.kind == nodeMapping:
		w.buf = append(w.buf, "{}"...)
	case n.kind == nodeList:
		w.buf = append(w.buf, "[]"...)
	case n.kind != nodeText || plain(n.text):
		w.buf = append(w.buf, n.text...)
	default:
		w.buf = appendYAMLQuoted(w.buf, n.text)
	}
}

// plain says YAML reads s unquoted as the text s: it starts with a
// letter, holds letters, digits, single inner spaces and "-_./@+,", and
// colons not followed by a space, and is no word YAML takes for true,
// false or null.
func plain(s string) bool {
	if s == "" || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	for i, r := range s {
		switch {
		case r >= utf8.RuneSelf:
			if !unicode.IsPrint(r) || r == '\uFEFF' || i == 0 && !unicode.IsLetter(r) {
				return false
			}
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case i == 0:
			return false
		case '0' <= r && r <= '9', strings.ContainsRune("-_./@+,", r):
		case r == ' ':
			if s[i-1] == ' ' {
				return false
			}
		case r == ':':
			if s[i+1] == ' ' {
				return false
			}
		default:
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "true", "false", "on", "off", "null":
		return false
	}
	return true
}

// appendYAMLQuoted quotes s for YAML: double quotes, with escapes for
// what YAML does not take as it is (control characters, line and
// paragraph separators, the byte order mark, noncharacters).
func appendYAMLQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xD7FF && r != 0x2028 && r != 0x2029,
			r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF, r >= 0x10000:
			b = utf8.AppendRune(b, r)
		default:
			b = fmt.Appendf(b, `\u%04x`, r)
		}
	}
	return append(b, '"')
}

package scenario

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/message"
)

// This file finds what is wrong with a document the quick check is in
// doubt of: every problem, said as a general JSON Schema validator
// (santhosh-tekuri/jsonschema, draft 2020-12) says it, for the keywords
// Schema uses. It is ours so that the fake does not link a general
// validator: that library compiles every draft's meta-schemas when the
// program starts (9 ms and 1.7 MB on a 2-core machine, paid by every start
// of the CLI and every test binary that imports mockwechat). The library
// stays the reference in the tests: TestQuickSchemaAgrees and
// FuzzQuickSchema hold this file to it, problem for problem.

// problemKind is the keyword a problem breaks.
type problemKind uint8

const (
	problemType problemKind = iota + 1
	problemEnum
	problemRequired
	problemAdditional
	problemMaxItems
	problemMinLength
	problemMaxLength
	problemPattern
	problemMinimum
	problemMaximum
)

// problem is one thing wrong with a document.
type problem struct {
	at   []string // where, in the document: keys and indexes
	kind problemKind
	msg  string // what, in jsonschema's words
	// def is the schema's definition ($defs) the problem was found in,
	// the innermost one; "" outside every definition.
	def string
	// keys are the keys missing (problemRequired) or not allowed
	// (problemAdditional), in the schema's order or the document's map's.
	keys []string
}

// problemFinder walks a document against a quickSchema, keeping every
// problem.
type problemFinder struct {
	p        *message.Printer
	problems []problem
}

// schemaProblems returns every problem of doc against q, in the order a
// depth-first walk meets them (the keys of a mapping in sorted order).
func schemaProblems(q *quickSchema, doc any, p *message.Printer) []problem {
	f := problemFinder{p: p}
	f.walk(q, doc, nil, "")
	return f.problems
}

func (f *problemFinder) add(at []string, def string, kind problemKind, keys []string, format string, args ...any) {
	f.problems = append(f.problems, problem{at: slices.Clone(at), kind: kind, msg: f.p.Sprintf(format, args...), def: def, keys: keys})
}

// walk checks x, found at at, against q, found in the definition def. As
// the general validator does: a value of the wrong type or outside the
// enumeration is that problem alone; otherwise $ref's problems come first,
// then the schema's own.
func (f *problemFinder) walk(q *quickSchema, x any, at []string, def string) {
	if q.types != nil && !schemaType(q.types, x) {
		f.add(at, def, problemType, nil, "got %s, want %s", typeName(x), strings.Join(typeNames(q.types), " or "))
		return
	}
	if q.enum != nil {
		if s, ok := x.(string); !ok || !slices.Contains(q.enum, s) {
			want := make([]string, len(q.enum))
			for i, e := range q.enum {
				want[i] = schemaQuote(e)
			}
			if len(want) == 1 {
				f.add(at, def, problemEnum, nil, "value must be %s", want[0])
			} else {
				f.add(at, def, problemEnum, nil, "value must be one of %s", strings.Join(want, ", "))
			}
			return
		}
	}
	if q.ref != nil {
		f.walk(q.ref, x, at, q.refName)
	}
	switch v := x.(type) {
	case map[string]any:
		var missing []string
		for _, k := range q.required {
			if _, ok := v[k]; !ok {
				missing = append(missing, k)
			}
		}
		if missing != nil {
			if len(missing) == 1 {
				f.add(at, def, problemRequired, missing, "missing property %s", schemaQuote(missing[0]))
			} else {
				f.add(at, def, problemRequired, missing, "missing properties %s", joinSchemaQuoted(missing))
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var others []string
		for _, k := range keys {
			p := q.props[k]
			switch {
			case p != nil:
			case q.noOthers:
				others = append(others, k)
				continue
			case q.others != nil:
				p = q.others
			default:
				continue
			}
			f.walk(p, v[k], append(at, k), def)
		}
		if others != nil {
			f.add(at, def, problemAdditional, others, "additional properties %s not allowed", joinSchemaQuoted(others))
		}
	case []any:
		if q.maxItems >= 0 && len(v) > q.maxItems {
			f.add(at, def, problemMaxItems, nil, "maxItems: got %d, want %d", len(v), q.maxItems)
		}
		if q.items != nil {
			for i, e := range v {
				f.walk(q.items, e, append(at, strconv.Itoa(i)), def)
			}
		}
	case string:
		n := utf8.RuneCountInString(v)
		if q.minLength >= 0 && n < q.minLength {
			f.add(at, def, problemMinLength, nil, "minLength: got %d, want %d", n, q.minLength)
		}
		if q.maxLength >= 0 && n > q.maxLength {
			f.add(at, def, problemMaxLength, nil, "maxLength: got %d, want %d", n, q.maxLength)
		}
		if q.pattern != nil && !q.pattern.re.MatchString(v) {
			f.add(at, def, problemPattern, nil, "%s does not match pattern %s", schemaQuote(v), schemaQuote(q.pattern.re.String()))
		}
	case json.Number:
		if q.minimum == nil && q.maximum == nil {
			return
		}
		n, ok := new(big.Rat).SetString(string(v))
		if !ok {
			return // not a number the readers make
		}
		got, _ := n.Float64()
		if q.minimum != nil && n.Cmp(new(big.Rat).SetInt64(*q.minimum)) < 0 {
			f.add(at, def, problemMinimum, nil, "minimum: got %v, want %v", got, float64(*q.minimum))
		}
		if q.maximum != nil && n.Cmp(new(big.Rat).SetInt64(*q.maximum)) > 0 {
			f.add(at, def, problemMaximum, nil, "maximum: got %v, want %v", got, float64(*q.maximum))
		}
	}
}

// schemaType reports whether x is of one of types, as JSON Schema says:
// a number is an integer when its value is whole (1.0 and 1e2 are).
func schemaType(types []string, x any) bool {
	name := typeName(x)
	for _, t := range types {
		if t == name {
			return true
		}
		if t == "integer" && name == "number" {
			if n, ok := new(big.Rat).SetString(string(x.(json.Number))); ok && n.IsInt() {
				return true
			}
		}
	}
	return false
}

// typeName is the JSON type of a value the readers make.
func typeName(x any) string {
	switch x.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", x)
}

// typeNames returns types in the order the general validator names them.
func typeNames(types []string) []string {
	var out []string
	for _, t := range [...]string{"null", "boolean", "number", "integer", "string", "array", "object"} {
		if slices.Contains(types, t) {
			out = append(out, t)
		}
	}
	return out
}

// schemaQuote quotes s as the general validator does: Go's %q, with
// single quotes around it instead of double.
func schemaQuote(s string) string {
	s = strconv.Quote(s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}

func joinSchemaQuoted(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = schemaQuote(s)
	}
	return strings.Join(q, ", ")
}

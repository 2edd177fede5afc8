package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// quickSchema is Schema compiled for the package's own checks. The first
// is a question asked of every file: is it surely valid? (A general
// validator took a quarter of the CPU time of resuming a saved world of
// 10,000 Complaints 2.0 complaints.) quickValid walks the document once
// with the schema's few keywords, and remembers what each pattern said of
// a text (a saved world's times repeat). It answers yes only when the
// document is valid; when in doubt (a number such as 1.0 for an integer, a
// value of another type) it answers no, and validate asks schemaProblems
// (schemaproblems.go), which finds every problem and says it as a general
// validator does. It knows the keywords Schema uses; compiling a schema
// with another fails, and a test compiles Schema.
type quickSchema struct {
	ref       *quickSchema // $ref, checked beside the rest
	refName   string
	types     []string // nil: any
	props     map[string]*quickSchema
	noOthers  bool         // additionalProperties: false
	others    *quickSchema // additionalProperties: a schema
	required  []string
	items     *quickSchema
	maxItems  int // -1: none
	enum      []string
	pattern   *quickPattern
	minLength int // -1: none
	maxLength int // -1: none
	minimum   *int64
	maximum   *int64
}

// quickPattern is a pattern of the schema.
type quickPattern struct {
	re *regexp.Regexp
}

var compiledQuick = sync.OnceValues(func() (*quickSchema, error) { return compileQuick(Schema) })

// compileQuick compiles a schema for quickSchema, refusing a keyword it
// does not know.
func compileQuick(schema []byte) (*quickSchema, error) {
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	defs, _ := root["$defs"].(map[string]any)
	c := quickCompiler{defs: defs, named: map[string]*quickSchema{}}
	return c.compile(root, "#")
}

type quickCompiler struct {
	defs  map[string]any
	named map[string]*quickSchema
}

func (c *quickCompiler) compile(s map[string]any, at string) (*quickSchema, error) {
	q := &quickSchema{maxItems: -1, minLength: -1, maxLength: -1}
	return q, c.fill(q, s, at)
}

func (c *quickCompiler) fill(q *quickSchema, s map[string]any, at string) error {
	for k, v := range s {
		var err error
		switch k {
		case "$schema", "$id", "title", "description", "$defs":
		case "$ref":
			q.ref, q.refName, err = c.def(v)
		case "type":
			switch t := v.(type) {
			case string:
				q.types = []string{t}
			case []any:
				for _, e := range t {
					s, ok := e.(string)
					if !ok {
						return fmt.Errorf("%s: type %v", at, v)
					}
					q.types = append(q.types, s)
				}
			default:
				return fmt.Errorf("%s: type %v", at, v)
			}
		case "properties":
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: properties %v", at, v)
			}
			q.props = make(map[string]*quickSchema, len(m))
			for name, p := range m {
				ps, ok := p.(map[string]any)
				if !ok {
					return fmt.Errorf("%s/properties/%s: %v", at, name, p)
				}
				if q.props[name], err = c.compile(ps, at+"/properties/"+name); err != nil {
					return err
				}
			}
		case "additionalProperties":
			switch a := v.(type) {
			case bool:
				q.noOthers = !a
			case map[string]any:
				q.others, err = c.compile(a, at+"/additionalProperties")
			default:
				return fmt.Errorf("%s: additionalProperties %v", at, v)
			}
		case "items":
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: items %v", at, v)
			}
			q.items, err = c.compile(m, at+"/items")
		case "required", "enum":
			l, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: %s %v", at, k, v)
			}
			out := make([]string, 0, len(l))
			for _, e := range l {
				s, ok := e.(string)
				if !ok {
					return fmt.Errorf("%s: %s %v: only texts", at, k, v)
				}
				out = append(out, s)
			}
			if k == "required" {
				q.required = out
			} else {
				q.enum = out
			}
		case "pattern":
			p, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s: pattern %v", at, v)
			}
			re, err := regexp.Compile(p) // as general validators in Go do, by default
			if err != nil {
				return fmt.Errorf("%s: pattern: %w", at, err)
			}
			q.pattern = &quickPattern{re: re}
		case "maxItems", "minLength", "maxLength", "minimum", "maximum":
			n, ok := v.(json.Number)
			i, err := strconv.ParseInt(string(n), 10, 64)
			if !ok || err != nil || i < 0 && k != "minimum" && k != "maximum" {
				return fmt.Errorf("%s: %s %v: only integers", at, k, v)
			}
			switch k {
			case "maxItems":
				q.maxItems = int(i)
			case "minLength":
				q.minLength = int(i)
			case "maxLength":
				q.maxLength = int(i)
			case "minimum":
				q.minimum = &i
			default:
				q.maximum = &i
			}
		default:
			return fmt.Errorf("%s: keyword %q: the quick check does not know it", at, k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// def returns the definition a $ref names (compiled once, recursion
// allowed).
func (c *quickCompiler) def(v any) (*quickSchema, string, error) {
	ref, _ := v.(string)
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	d, found := c.defs[name].(map[string]any)
	if !ok || !found {
		return nil, "", fmt.Errorf("$ref %v: only #/$defs/NAME of a definition", v)
	}
	if q, ok := c.named[name]; ok {
		return q, name, nil
	}
	q := &quickSchema{maxItems: -1, minLength: -1, maxLength: -1}
	c.named[name] = q
	return q, name, c.fill(q, d, "#/$defs/"+name)
}

// quickRun is one document's check: what each pattern said of each text.
type quickRun struct {
	seen map[*quickPattern]map[string]bool
}

// quickValid reports whether doc is surely valid against q.
func quickValid(q *quickSchema, doc any) bool {
	r := quickRun{seen: map[*quickPattern]map[string]bool{}}
	return r.valid(q, doc)
}

func (r *quickRun) valid(q *quickSchema, x any) bool {
	if q.ref != nil && !r.valid(q.ref, x) {
		return false
	}
	if q.types != nil && !quickType(q.types, x) {
		return false
	}
	switch v := x.(type) {
	case map[string]any:
		for _, k := range q.required {
			if _, ok := v[k]; !ok {
				return false
			}
		}
		if q.props == nil && !q.noOthers && q.others == nil {
			return q.enum == nil
		}
		for k, e := range v {
			p := q.props[k]
			switch {
			case p != nil:
			case q.noOthers:
				return false
			case q.others != nil:
				p = q.others
			default:
				continue
			}
			if !r.valid(p, e) {
				return false
			}
		}
		return q.enum == nil
	case []any:
		if q.maxItems >= 0 && len(v) > q.maxItems {
			return false
		}
		if q.items != nil {
			for _, e := range v {
				if !r.valid(q.items, e) {
					return false
				}
			}
		}
		return q.enum == nil
	case string:
		if q.enum != nil && !slices.Contains(q.enum, v) {
			return false
		}
		if q.minLength >= 0 || q.maxLength >= 0 {
			n := utf8.RuneCountInString(v) // as JSON Schema counts
			if n < q.minLength || q.maxLength >= 0 && n > q.maxLength {
				return false
			}
		}
		return q.pattern == nil || r.match(q.pattern, v)
	case json.Number:
		if q.minimum == nil && q.maximum == nil {
			return q.enum == nil
		}
		if !jsonInteger(string(v)) {
			return false // in doubt: schemaProblems compares it
		}
		i, err := strconv.ParseInt(string(v), 10, 64)
		return err == nil && q.enum == nil && (q.minimum == nil || i >= *q.minimum) && (q.maximum == nil || i <= *q.maximum)
	case bool, nil:
		return q.enum == nil
	}
	return false
}

// match is what p says of s, asked once per text and document.
func (r *quickRun) match(p *quickPattern, s string) bool {
	seen := r.seen[p]
	if ok, found := seen[s]; found {
		return ok
	}
	ok := p.re.MatchString(s)
	if seen == nil {
		seen = map[string]bool{}
		r.seen[p] = seen
	}
	if len(seen) < 1<<12 { // the texts that repeat come early enough
		seen[s] = ok
	}
	return ok
}

// quickType reports whether x is surely of one of types.
func quickType(types []string, x any) bool {
	for _, t := range types {
		var ok bool
		switch v := x.(type) {
		case map[string]any:
			ok = t == "object"
		case []any:
			ok = t == "array"
		case string:
			ok = t == "string"
		case json.Number:
			ok = t == "number" || t == "integer" && jsonInteger(string(v))
		case bool:
			ok = t == "boolean"
		case nil:
			ok = t == "null"
		}
		if ok {
			return true
		}
	}
	return false
}

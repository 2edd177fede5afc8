package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Parse reads a scenario file, YAML or JSON; name is the file's name for
// errors. Offsets count from clock.start, or from now when the file gives
// none (Clock.Start is then now). Every error is an *Error naming the
// file, the line and the column, and saying what was expected; unknown
// keys are errors. Parse checks the shape and what refers to what
// (accounts, complaints, faults); Compile checks the rest.
func Parse(name string, data []byte, now time.Time) (*Scenario, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	for _, doc := range file.Docs {
		var f aliasFinder
		ast.Walk(&f, doc)
		if f.found != nil {
			return nil, aliasError(name, f.found)
		}
	}
	src := &source{name: name, file: file}
	if len(file.Docs) != 1 {
		return nil, src.place(errorf("", "want one YAML or JSON document, found %d", len(file.Docs)))
	}
	body := file.Docs[0].Body
	if body == nil {
		return nil, src.place(errorf("", "the file is empty: want a mapping such as {accounts: [...], complaints: [...]}"))
	}
	if _, ok := body.(*ast.MappingNode); !ok {
		if _, ok := body.(*ast.MappingValueNode); !ok {
			return nil, src.place(errorf("", "want a mapping such as {accounts: [...], complaints: [...]} at the top"))
		}
	}
	doc, err := jsonDoc(body)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if err := validate(doc, src); err != nil {
		return nil, err
	}
	start := now
	if c, ok := doc.(map[string]any)["clock"].(map[string]any); ok {
		if s, ok := c["start"].(string); ok {
			if start, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return nil, src.place(errorf("clock.start", "%s", friendly["absoluteTime"]))
			}
		}
	}
	sc := &Scenario{}
	err = yaml.NodeToValue(body, sc, yaml.DisallowUnknownField(),
		yaml.CustomUnmarshaler(func(t *time.Time, b []byte) error { return decodeTime(t, b, start) }),
		yaml.CustomUnmarshaler(decodeRaw))
	if err != nil {
		return nil, yamlError(name, err)
	}
	sc.Clock.Start = start
	sc.src = src
	if err := sc.Check(); err != nil {
		return nil, err
	}
	return sc, nil
}

// jsonDoc returns the document as encoding/json would decode it, for the
// schema.
func jsonDoc(body ast.Node) (any, error) {
	var v any
	if err := yaml.NodeToValue(body, &v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// aliasFinder finds the first YAML alias of a document (ast.FilterFile
// would too, but its walker panics on the empty nodes of some documents).
type aliasFinder struct{ found ast.Node }

func (f *aliasFinder) Visit(n ast.Node) ast.Visitor {
	if n == nil || f.found != nil {
		return nil
	}
	if n.Type() == ast.AliasType {
		f.found = n
		return nil
	}
	return f
}

// aliasError refuses a YAML alias. A few lines of nested aliases expand
// into millions of values (a 400-byte file took 5 s to refuse), and a
// scenario has nothing to repeat that warrants them.
func aliasError(name string, alias ast.Node) error {
	what := "*"
	if a, ok := alias.(*ast.AliasNode); ok && a.Value != nil {
		what += a.Value.String()
	}
	e := &Error{File: name, Msg: fmt.Sprintf("YAML aliases (%s) are not allowed in a scenario file: write the value out", what)}
	if tok := alias.GetToken(); tok != nil && tok.Position != nil {
		e.Line, e.Column = tok.Position.Line, tok.Position.Column
	}
	return e
}

// yamlError turns go-yaml's error into an *Error with its position.
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: name, Msg: ye.GetMessage()}
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			e.Line, e.Column = tok.Position.Line, tok.Position.Column
		}
		return e
	}
	return &Error{File: name, Msg: err.Error()}
}

// decodeTime reads an RFC 3339 time or an offset from start.
func decodeTime(t *time.Time, b []byte, start time.Time) error {
	var s string
	if err := yaml.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseTime(s, start)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// decodeRaw reads a message's raw JSON body, given as text or as YAML.
func decodeRaw(r *json.RawMessage, b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return err
	}
	if s, ok := v.(string); ok {
		*r = json.RawMessage(s)
		return nil
	}
	out, err := json.Marshal(v)
	*r = out
	return err
}

// ParseTime reads an RFC 3339 time, or an offset from start: a sign, then
// days ("2d") and/or a Go duration ("36h", "1d12h", "-30h", "+90m").
func ParseTime(s string, start time.Time) (time.Time, error) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
		}
		return t, nil
	}
	rest := s[1:]
	var d time.Duration
	if days, after, ok := strings.Cut(rest, "d"); ok {
		n := 0
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || days == "" || strings.Trim(days, "0123456789") != "" {
			return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
		}
		d, rest = time.Duration(n)*24*time.Hour, after
	}
	if rest != "" {
		v, err := time.ParseDuration(rest)
		if err != nil || v < 0 || strings.ContainsAny(rest, "+-") {
			return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
		}
		d += v
	} else if d == 0 && !strings.Contains(s, "d") {
		return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
	}
	if s[0] == '-' {
		d = -d
	}
	return start.Add(d), nil
}

package scenario

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"
)

// readYAML reads a YAML file: one document, a mapping at the top, no
// aliases, keys given once.
func readYAML(name string, data []byte, items int) (any, locator, error) {
	if top, ok := readOwnYAML(data, items); ok {
		return top, &lazyYAMLLocator{name: name, data: data}, nil
	}
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, nil, err
	}
	r := yamlReader{name: name, items: items}
	v, err := r.value(root, 1)
	if err != nil {
		return nil, nil, err
	}
	return v, yamlLocator{root}, nil
}

// parseYAML parses a YAML file into its top mapping's node.
func parseYAML(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "the file is empty: want a mapping such as {accounts: [...], complaints: [...]}"}
		}
		return nil, yamlSyntaxError(name, data, err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, yamlSyntaxError(name, data, err)
	default:
		return nil, &Error{File: name, Line: more.Line, Column: more.Column, Msg: "a second YAML document: want one YAML or JSON document"}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Msg: "the file is empty: want a mapping such as {accounts: [...], complaints: [...]}"}
	}
	body := doc.Content[0]
	if body.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: body.Line, Column: body.Column, Msg: "want a mapping such as {accounts: [...], complaints: [...]} at the top"}
	}
	return body, nil
}

// yamlSyntaxError places a YAML syntax error. go.yaml.in/yaml/v3 names
// only the line, in its message's text ("yaml: line 3: …"); for a file
// small enough, go-yaml's parser, slower but exact, says the line and the
// column. It is not given a file nesting brackets deeper than MaxDepth:
// its memory grows with the square of the depth (80 KB of "[" took it to
// 2.49 GB).
func yamlSyntaxError(name string, data []byte, err error) error {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line, col := lineColumn(data, off)
		return &Error{File: name, Line: line, Column: col, Msg: "not valid UTF-8: a YAML file is UTF-8 text"}
	}
	const goccyMax = 1 << 20
	if deepest, _ := bracketNesting(data); len(data) <= goccyMax && deepest <= MaxDepth {
		if _, gerr := goccyparser.ParseBytes(data, 0); gerr != nil {
			var ye goccy.Error
			if errors.As(gerr, &ye) {
				e := &Error{File: name, Msg: "not valid YAML: " + ye.GetMessage()}
				if tok := ye.GetToken(); tok != nil && tok.Position != nil {
					e.Line, e.Column = tok.Position.Line, tok.Position.Column
				}
				return e
			}
		}
	}
	msg, _ := strings.CutPrefix(err.Error(), "yaml: ")
	e := &Error{File: name}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				e.Line, msg = line, after
			}
		}
	}
	e.Msg = "not valid YAML: " + msg
	if deepest, at := bracketNesting(data); e.Line == 0 && deepest > MaxDepth {
		// yaml.v3 refuses beyond 10,000 levels, without saying where.
		e.Line, e.Column = lineColumn(data, at)
		e.Msg = depthMsg
	}
	return e
}

// bracketNesting is how deeply the file's brackets nest, counting every
// bracket, quoted or not: at least the depth of its flow collections; at
// is the offset of the first bracket beyond MaxDepth (the top mapping
// counting 1).
func bracketNesting(data []byte) (deepest, at int) {
	depth := 1
	for i, c := range data {
		switch c {
		case '[', '{':
			if depth++; depth > MaxDepth && deepest <= MaxDepth {
				at = i
			}
			deepest = max(deepest, depth)
		case ']', '}':
			depth = max(depth-1, 1)
		}
	}
	return deepest, at
}

// yamlReader turns YAML nodes into plain values.
type yamlReader struct {
	name  string
	items int // MaxItems, but in tests
}

func (r yamlReader) errorAt(n *yaml.Node, format string, args ...any) error {
	return &Error{File: r.name, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func (r yamlReader) value(n *yaml.Node, depth int) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		if depth > MaxDepth {
			return nil, r.errorAt(n, "%s", depthMsg)
		}
		if len(n.Content)/2 > r.items {
			return nil, r.errorAt(n, "%d entries: %s", len(n.Content)/2, itemsMsg(r.items))
		}
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			switch {
			case k.Kind == yaml.AliasNode:
				return nil, r.aliasError(k)
			case k.Kind != yaml.ScalarNode:
				return nil, r.errorAt(k, "a key must be a text, such as complaints")
			}
			if _, ok := m[k.Value]; ok {
				first := keyNode(n, k.Value)
				return nil, r.errorAt(k, "key %q is given twice (first at line %d)", k.Value, first.Line)
			}
			v, err := r.value(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		if depth > MaxDepth {
			return nil, r.errorAt(n, "%s", depthMsg)
		}
		if len(n.Content) > r.items {
			return nil, r.errorAt(n, "%d entries: %s", len(n.Content), itemsMsg(r.items))
		}
		s := make([]any, len(n.Content))
		for i, e := range n.Content {
			v, err := r.value(e, depth+1)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	case yaml.ScalarNode:
		return r.scalar(n)
	case yaml.AliasNode:
		return nil, r.aliasError(n)
	}
	return nil, r.errorAt(n, "unexpected YAML node")
}

// scalar is a scalar's value as JSON would have it.
func (r yamlReader) scalar(n *yaml.Node) (any, error) {
	switch tag := n.ShortTag(); tag {
	case "!!str", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, r.errorAt(n, "%v", err)
		}
		return b, nil
	case "!!int":
		if decimal(n.Value) {
			return json.Number(n.Value), nil
		}
		var i any
		if err := n.Decode(&i); err != nil {
			return nil, r.errorAt(n, "%v", err)
		}
		return json.Number(fmt.Sprint(i)), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, r.errorAt(n, "%v", err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, r.errorAt(n, "%s: want a finite number", n.Value)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			return nil, r.errorAt(n, "!!binary: %v", err)
		}
		return string(b), nil
	default:
		return nil, r.errorAt(n, "YAML tag %s: a scenario file takes texts, numbers, true or false, lists and mappings", tag)
	}
}

// decimal says s is an integer as JSON writes it.
func decimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// aliasError refuses a YAML alias. A few lines of nested aliases expand
// into millions of values (a 400-byte file took 5 s to refuse), and a
// scenario has nothing to repeat that warrants them.
func (r yamlReader) aliasError(n *yaml.Node) error {
	return r.errorAt(n, "YAML aliases (*%s) are not allowed in a scenario file: write the value out", n.Value)
}

// lazyYAMLLocator finds paths in a YAML file read by readOwnYAML, which
// keeps no node tree: it parses the file with go.yaml.in/yaml/v3 the first
// time it is asked (only ever for an error).
type lazyYAMLLocator struct {
	name string
	data []byte
	root *yaml.Node
}

func (l *lazyYAMLLocator) locate(path []string, key string) (int, int) {
	if l.root == nil {
		root, err := parseYAML(l.name, l.data)
		if err != nil {
			return 0, 0
		}
		l.root = root
	}
	return yamlLocator{l.root}.locate(path, key)
}

// yamlLocator finds paths in a YAML file's node tree.
type yamlLocator struct{ root *yaml.Node }

func (l yamlLocator) locate(path []string, key string) (int, int) {
	n := l.root
	for _, t := range path {
		if n = child(n, t); n == nil {
			return 0, 0
		}
	}
	if key != "" {
		if k := keyNode(n, key); k != nil {
			return k.Line, k.Column
		}
	}
	return n.Line, n.Column
}

// keyNode is the key node named key of a mapping node; nil when none.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// child is the value of a mapping node's key, or a sequence node's entry.
func child(n *yaml.Node, token string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == token {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(token); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

package scenario

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is the JSON Schema of scenario files, published as
// docs/scenario.schema.json (a test keeps the two the same).
//
//go:embed schema.json
var Schema []byte

const schemaURL = "https://github.com/payfeedback/payfeedback/docs/scenario.schema.json"

// compiledSchema is Schema compiled, once, on first use: compiling took
// longer than checking most files. Like the package's other variables it
// never changes once made (a *jsonschema.Schema is safe for concurrent
// use).
var compiledSchema = sync.OnceValues(compileSchema)

// compileSchema compiles Schema, formats asserted.
func compileSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, fmt.Errorf("mockwechat: scenario: the embedded schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("mockwechat: scenario: the embedded schema: %w", err)
	}
	return c.Compile(schemaURL)
}

// friendly says what a value of the schema's named definitions must be,
// in words rather than a pattern.
var friendly = map[string]string{
	"time":         "want an RFC 3339 time such as 2025-03-01T10:00:00Z, or an offset from clock.start such as +36h, -30h, +2d or +1d12h",
	"absoluteTime": "want an RFC 3339 time such as 2025-03-01T10:00:00Z",
	"duration":     "want a Go duration such as 2s, 90m or 36h",
	"feedbackID":   "want 1 to 32 decimal digits, as WeChat's feedback ids are",
}

// validate checks doc (decoded JSON) against the schema and returns the
// first problem in file order, placed in src, with how many others there
// are.
func validate(doc any, src *source) error {
	if q, err := compiledQuick(); err == nil && quickValid(q, doc) {
		return nil // surely valid: jsonschema would say nothing
	}
	sch, err := compiledSchema()
	if err != nil {
		return err
	}
	err = sch.Validate(doc)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil
	}
	if !errors.As(err, &ve) {
		return err
	}
	var leaves []*Error
	p := message.NewPrinter(language.English)
	var walk func(v *jsonschema.ValidationError)
	walk = func(v *jsonschema.ValidationError) {
		if len(v.Causes) > 0 {
			for _, c := range v.Causes {
				walk(c)
			}
			return
		}
		e := &Error{Path: pathOf(v.InstanceLocation), Msg: v.ErrorKind.LocalizedString(p)}
		for def, msg := range friendly {
			if strings.Contains(v.SchemaURL, "/$defs/"+def+"/") || strings.HasSuffix(v.SchemaURL, "/$defs/"+def) {
				if _, isType := v.ErrorKind.(*kind.Type); !isType || def != "feedbackID" {
					e.Msg = msg
				}
			}
		}
		switch k := v.ErrorKind.(type) {
		case *kind.MinLength:
			if secret := strings.HasSuffix(e.Path, ".secret") || strings.HasSuffix(e.Path, ".paysignkey"); secret && strings.HasPrefix(e.Path, "accounts[") {
				e.Msg = "empty: the snapshot was taken without secrets (?secrets=omit, SnapshotWithoutSecrets): give the account's own"
			}
		case *kind.AdditionalProperties:
			// In the order the file gives them (the validator's is random).
			keys := slices.Clone(k.Properties)
			slices.SortStableFunc(keys, func(a, b string) int {
				la, ca := src.position(e.Path, a)
				lb, cb := src.position(e.Path, b)
				return cmp.Or(cmp.Compare(la, lb), cmp.Compare(ca, cb))
			})
			e.Msg = fmt.Sprintf("unknown %s: see docs/scenario.schema.json for the keys allowed here", keyList(keys))
			e.Line, e.Column = src.position(e.Path, keys[0])
		case *kind.Required:
			e.Msg = "missing " + keyList(k.Missing)
		}
		leaves = append(leaves, src.place(e))
	}
	walk(ve)
	sort.SliceStable(leaves, func(i, j int) bool {
		a, b := leaves[i], leaves[j]
		return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
	})
	first := leaves[0]
	if n := len(leaves) - 1; n > 0 {
		first.Msg += fmt.Sprintf(" (and %d more problem%s)", n, map[bool]string{true: "s"}[n > 1])
	}
	return first
}

// keyList names keys for an error: key "a", or keys "a", "b".
func keyList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = strconv.Quote(k)
	}
	if len(q) == 1 {
		return "key " + q[0]
	}
	return "keys " + strings.Join(q, ", ")
}

package scenario

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The reference: Schema compiled by a general JSON Schema validator
// (santhosh-tekuri/jsonschema), which the package used before it had its
// own (schemaproblems.go). The tests hold the two to the same answers.

const schemaURL = "https://github.com/payfeedback/payfeedback/docs/scenario.schema.json"

var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
})

// referenceProblems returns the problems the general validator finds in
// doc, as schemaProblems would say them.
func referenceProblems(t testing.TB, doc any) []problem {
	t.Helper()
	sch, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	err = sch.Validate(doc)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		t.Fatalf("jsonschema: %v", err)
	}
	p := message.NewPrinter(language.English)
	var out []problem
	var walk func(v *jsonschema.ValidationError)
	walk = func(v *jsonschema.ValidationError) {
		if len(v.Causes) > 0 {
			for _, c := range v.Causes {
				walk(c)
			}
			return
		}
		pr := problem{at: v.InstanceLocation, msg: v.ErrorKind.LocalizedString(p)}
		if _, frag, ok := strings.Cut(v.SchemaURL, "#/$defs/"); ok {
			pr.def, _, _ = strings.Cut(frag, "/")
		}
		switch k := v.ErrorKind.(type) {
		case *kind.Type:
			pr.kind = problemType
		case *kind.Enum:
			pr.kind = problemEnum
		case *kind.Required:
			pr.kind, pr.keys = problemRequired, k.Missing
		case *kind.AdditionalProperties:
			pr.kind, pr.keys = problemAdditional, k.Properties
		case *kind.MaxItems:
			pr.kind = problemMaxItems
		case *kind.MinLength:
			pr.kind = problemMinLength
		case *kind.MaxLength:
			pr.kind = problemMaxLength
		case *kind.Pattern:
			pr.kind = problemPattern
		case *kind.Minimum:
			pr.kind = problemMinimum
		case *kind.Maximum:
			pr.kind = problemMaximum
		default:
			t.Fatalf("jsonschema found a %T (%s): schemaProblems does not know that keyword", k, pr.msg)
		}
		out = append(out, pr)
	}
	walk(ve)
	return out
}

// sameProblems reports how two lists of problems differ, in any order
// (the general validator walks a mapping in Go's random order, and lists
// the keys not allowed in that order), or "" when they do not.
func sameProblems(got, want []problem) string {
	key := func(pr problem) string {
		keys := slices.Clone(pr.keys)
		if pr.kind == problemAdditional {
			slices.Sort(keys)
			pr.msg = "" // lists the keys in the walk's order
		}
		return fmt.Sprintf("%q %d %q %q %q", pr.at, pr.kind, pr.msg, pr.def, keys)
	}
	g := make([]string, len(got))
	for i, pr := range got {
		g[i] = key(pr)
	}
	w := make([]string, len(want))
	for i, pr := range want {
		w[i] = key(pr)
	}
	slices.Sort(g)
	slices.Sort(w)
	if slices.Equal(g, w) {
		return ""
	}
	return fmt.Sprintf("schemaProblems:\n  %s\njsonschema:\n  %s", strings.Join(g, "\n  "), strings.Join(w, "\n  "))
}

package scenario

import (
	"cmp"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is the JSON Schema of scenario files, published as
// docs/scenario.schema.json (a test keeps the two the same).
//
//go:embed schema.json
var Schema []byte

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
	q, err := compiledQuick()
	if err != nil {
		return fmt.Errorf("mockwechat: scenario: the embedded schema: %w", err)
	}
	if quickValid(q, doc) {
		return nil
	}
	problems := schemaProblems(q, doc, message.NewPrinter(language.English))
	if len(problems) == 0 {
		return nil // the quick check was in doubt; the document is valid
	}
	leaves := make([]*Error, 0, len(problems))
	for _, pr := range problems {
		e := &Error{Path: pathOf(pr.at), Msg: pr.msg}
		if msg, ok := friendly[pr.def]; ok && (pr.kind != problemType || pr.def != "feedbackID") {
			e.Msg = msg
		}
		switch pr.kind {
		case problemMinLength:
			if secret := strings.HasSuffix(e.Path, ".secret") || strings.HasSuffix(e.Path, ".paysignkey"); secret && strings.HasPrefix(e.Path, "accounts[") {
				e.Msg = "empty: the snapshot was taken without secrets (?secrets=omit, SnapshotWithoutSecrets): give the account's own"
			}
		case problemAdditional:
			// In the order the file gives them.
			keys := slices.Clone(pr.keys)
			slices.SortStableFunc(keys, func(a, b string) int {
				la, ca := src.position(e.Path, a)
				lb, cb := src.position(e.Path, b)
				return cmp.Or(cmp.Compare(la, lb), cmp.Compare(ca, cb))
			})
			e.Msg = fmt.Sprintf("unknown %s: see docs/scenario.schema.json for the keys allowed here", keyList(keys))
			e.Line, e.Column = src.position(e.Path, keys[0])
		case problemRequired:
			e.Msg = "missing " + keyList(pr.keys)
		}
		leaves = append(leaves, src.place(e))
	}
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

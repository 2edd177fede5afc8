package scenario

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// TestSchemaProblemsAgree: schemaProblems finds in each document, and in
// each one changed at each place (a value of each type, too long a text,
// a key removed, a key added), the problems the general validator finds,
// said in the same words, in the same definitions.
func TestSchemaProblemsAgree(t *testing.T) {
	q, err := compiledQuick()
	if err != nil {
		t.Fatal(err)
	}
	p := message.NewPrinter(language.English)
	tried, found := 0, 0
	kinds := map[problemKind]int{}
	for name, data := range quickDocs(t) {
		doc, _, err := read(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := schemaProblems(q, doc, p); len(got) != 0 {
			t.Fatalf("%s is valid; schemaProblems found %+v", name, got)
		}
		for _, changed := range variants(doc) {
			tried++
			got := schemaProblems(q, changed, p)
			if diff := sameProblems(got, referenceProblems(t, changed)); diff != "" {
				b, _ := json.Marshal(changed)
				if len(b) > 2000 {
					b = append(b[:2000], "…"...)
				}
				t.Fatalf("%s changed:\n%s\n%s", name, diff, b)
			}
			if len(got) > 0 {
				found++
			}
			for _, pr := range got {
				kinds[pr.kind]++
			}
		}
	}
	for i, data := range brokenDocs {
		doc, _, err := read("broken.yaml", []byte(data))
		if err != nil {
			t.Fatalf("brokenDocs[%d]: %v", i, err)
		}
		got := schemaProblems(q, doc, p)
		if diff := sameProblems(got, referenceProblems(t, doc)); diff != "" {
			t.Fatalf("brokenDocs[%d]:\n%s", i, diff)
		}
		for _, pr := range got {
			kinds[pr.kind]++
		}
	}
	// Every keyword the schema uses was broken somewhere.
	for k := problemType; k <= problemMaximum; k++ {
		if kinds[k] == 0 {
			t.Errorf("no changed document broke keyword %d: the changes do not test it", k)
		}
	}
	t.Logf("%d changed documents, %d with problems: %v", tried, found, kinds)
}

// brokenDocs break what the changed documents do not reach: numbers
// against bounds, given in every form a number can take.
var brokenDocs = []string{
	"faults:\n  - http_status: 700\n  - http_status: 399.0\n  - http_status: 5.99e2\n  - http_status: 1e3\n  - count: -1e0\n  - count: -0.5\n  - http_status: 450.5\n",
	`{"faults": [{"http_status": 1E400}, {"count": 12345678901234567890}, {"http_status": -0}]}`,
	"accounts: [{appid: wx1, secret: '', paysignkey: k, zeta: 1, alpha: 2, '': 3, \"it's\": 4}]\n",
}

// TestSchemaProblemsSaid: what validate says of a few broken files, placed
// and in words.
func TestSchemaProblemsSaid(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"unknown keys in file order", "accounts:\n  - appid: wx1\n    secret: s\n    paysignkey: k\n    zeta: 1\n    alpha: 2\n",
			`f.yaml:5:5: accounts[0]: unknown keys "zeta", "alpha"`},
		{"a time in words", "clock:\n  start: yesterday\n", `f.yaml:2:10: clock.start: want an RFC 3339 time`},
		{"a type", "accounts: 3\n", `f.yaml:1:11: accounts: got number, want array`},
		{"several", "clock:\n  start: 1\n  zz: 2\n", `f.yaml:2:10: clock.start: want an RFC 3339 time such as 2025-03-01T10:00:00Z (and 1 more problem)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, _, err := read("f.yaml", []byte(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			err = validate(doc, newSource("f.yaml", []byte(tc.file)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("validate = %v, want %q", err, tc.want)
			}
		})
	}
}

// FuzzSchemaProblems: on any document the readers make, schemaProblems and
// the general validator find the same problems.
func FuzzSchemaProblems(f *testing.F) {
	for _, data := range quickDocs(f) {
		f.Add(data)
	}
	f.Add([]byte("accounts:\n  - appid: 1\n    zz: [1, 2]\nclock: {start: 1.0}\n"))
	for _, data := range brokenDocs {
		f.Add([]byte(data))
	}
	q, err := compiledQuick()
	if err != nil {
		f.Fatal(err)
	}
	p := message.NewPrinter(language.English)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _, err := read("fuzz.yaml", data)
		if err != nil {
			return
		}
		if diff := sameProblems(schemaProblems(q, doc, p), referenceProblems(t, doc)); diff != "" {
			t.Fatal(diff)
		}
	})
}

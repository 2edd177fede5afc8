package scenario

import (
	"strings"
	"testing"
)

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

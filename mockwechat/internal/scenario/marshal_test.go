package scenario

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// TestMarshalYAMLQuotes: texts come back as they were from YAML, written
// plain when YAML reads them so and double-quoted otherwise (words YAML
// takes for true or null, numbers, indicators, spaces at the ends,
// control characters, line separators).
func TestMarshalYAMLQuotes(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want: how the line is written
		plain    bool
	}{
		{"没收到货，客服也不回复", "没收到货，客服也不回复", true},
		{"http://127.0.0.1:8081/payfeedback", "", true},
		{"not shipped, within the shipping deadline", "", true},
		{"yes", `"yes"`, false},
		{"Null", `"Null"`, false},
		{"123", `"123"`, false},
		{"0x1F", `"0x1F"`, false},
		{"2025-03-01", `"2025-03-01"`, false},
		{"a: b", `"a: b"`, false},
		{"a:", `"a:"`, false},
		{"a #b", `"a #b"`, false},
		{" lead", `" lead"`, false},
		{"trail ", `"trail "`, false},
		{"-x", `"-x"`, false},
		{"[x", `"[x"`, false},
		{`quote" back\slash`, `"quote\" back\\slash"`, false},
		{"line\nbreak\ttab\rcr", `"line\nbreak\ttab\rcr"`, false},
		{"nul\x00 del\x7f c1\u0085 ls\u2028 bom\ufeff nonchar\uffff", `"nul\u0000 del\u007f c1\u0085 ls\u2028 bom\ufeff nonchar\uffff"`, false},
		{"tag\U000e0001", "", false},
		{"bad\xffutf8", "bad\ufffdutf8", true},
	} {
		sc := &Scenario{Complaints: []Complaint{{At: t0, OpenID: "o1", Reason: tt.in}}}
		b, err := Marshal(sc, YAML)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		line := ""
		for l := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(l, "    reason: "); ok {
				line = strings.TrimSuffix(v, "\n")
			}
		}
		if tt.want != "" && line != tt.want {
			t.Errorf("%q written %s, want %s", tt.in, line, tt.want)
		}
		if isPlain := !strings.HasPrefix(line, `"`); isPlain != tt.plain {
			t.Errorf("%q written %s: plain %v, want %v", tt.in, line, isPlain, tt.plain)
		}
		back, err := Parse("back.yaml", b, t0)
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.in, err, b)
		}
		if got, want := back.Complaints[0].Reason, strings.ToValidUTF8(tt.in, "\ufffd"); got != want {
			t.Errorf("%q came back as %q", want, got)
		}
	}
}

// TestMarshalOmits: keys as encoding/json writes them: omitempty and
// omitzero fields left out when empty, others written even when empty,
// lists never null (the schema wants arrays).
func TestMarshalOmits(t *testing.T) {
	sc := &Scenario{Accounts: []world.AccountState{{Account: world.Account{AppID: "wx1", Secret: "s", PaySignKey: "k"}}}}
	b, err := Marshal(sc, YAML)
	if err != nil {
		t.Fatal(err)
	}
	want := `accounts:
  - appid: wx1
    secret: s
    paysignkey: k
    notify_url: ""
    no_pay_permission: false
    no_message_permission: false
    reasons: []
    solutions: []
    quota: {}
...
`
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
	j, err := Marshal(sc, JSON)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(j), `"reasons": [],`) || strings.Contains(string(j), "null") {
		t.Errorf("JSON:\n%s", j)
	}
}

// TestWholeRefusesEveryCut: a state file cut at any byte is refused, or
// reads as the whole file (cut in its last line break): before, 202 of
// 322 cut points of a YAML state file loaded silently, and the next save
// made the loss permanent.
func TestWholeRefusesEveryCut(t *testing.T) {
	for _, f := range []Format{YAML, JSON} {
		name := "state." + string(f)
		whole := stateFile(t, 3, f)
		want, err := Parse(name, whole, t0)
		if err != nil {
			t.Fatal(err)
		}
		wantText, _ := Marshal(want, f)
		loaded := 0
		for cut := range len(whole) {
			data := whole[:cut]
			err := Whole(name, data)
			var sc *Scenario
			if err == nil {
				sc, err = Parse(name, data, t0)
			}
			if err != nil {
				var se *Error
				if !errors.As(err, &se) {
					t.Fatalf("%s cut at %d: %T %v is not an *Error", f, cut, err, err)
				}
				continue
			}
			loaded++
			if got, _ := Marshal(sc, f); !bytes.Equal(got, wantText) {
				t.Fatalf("%s cut at byte %d of %d loads, and differs from the whole file:\n%s", f, cut, len(whole), got)
			}
		}
		if loaded > 1 {
			t.Errorf("%s: %d cut points load (whole, as they must be)", f, loaded)
		}
		if err := Whole(name, whole); err != nil {
			t.Errorf("%s: the whole file: %v", f, err)
		}
	}
}

// TestWholeSaysWhat: the error says the file was cut short, and where it
// ends.
func TestWholeSaysWhat(t *testing.T) {
	err := Whole("world.yaml", []byte("clock:\n  start: 2025-03-01T10:00:00Z\ncomplaints:\n  - at: 2025-03-01T10:00:00Z\n"))
	if err == nil || err.Error() != `mockwechat: scenario world.yaml:5: the file ends without the line "..." that payfeedback writes last: it was cut short (or saved by a payfeedback older than the marker: if it is whole, add the line)` {
		t.Fatalf("got %v", err)
	}
}

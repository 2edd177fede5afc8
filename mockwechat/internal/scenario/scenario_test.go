package scenario

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

var update = flag.Bool("update", false, "rewrite docs/scenario.schema.json from the embedded schema")

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// TestSchemaPublished: docs/scenario.schema.json is the schema Parse
// checks against (regenerate with go test -update).
func TestSchemaPublished(t *testing.T) {
	const docs = "../../../docs/scenario.schema.json"
	if *update {
		if err := os.WriteFile(docs, Schema, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(docs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, Schema) {
		t.Fatal("docs/scenario.schema.json differs from the embedded schema: run go test ./mockwechat/internal/scenario -update")
	}
}

// TestSchemaCoversTheTypes: each object of the schema has exactly the
// JSON keys of the Go type it decodes into, so that a field added to one
// is added to the other.
func TestSchemaCoversTheTypes(t *testing.T) {
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema, &schema); err != nil {
		t.Fatal(err)
	}
	keysOf := func(m map[string]json.RawMessage) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	def := func(name string) []string {
		var out []string
		for k := range schema.Defs[name].Properties {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		name   string
		schema []string
		typ    reflect.Type
	}{
		{"scenario", keysOf(schema.Properties), reflect.TypeFor[Scenario]()},
		{"account", def("account"), reflect.TypeFor[world.AccountState]()},
		{"user", def("user"), reflect.TypeFor[world.UserState]()},
		{"message", def("message"), reflect.TypeFor[world.Message]()},
		{"order", def("order"), reflect.TypeFor[world.OrderState]()},
		{"complaint", def("complaint"), reflect.TypeFor[Complaint]()},
		{"arbitration", keysOf(schema.Defs["complaint"].Properties["arbitration"].Properties), reflect.TypeFor[world.Arbitration]()},
		{"action", def("action"), reflect.TypeFor[Action]()},
		{"token", def("token"), reflect.TypeFor[world.Token]()},
		{"media", def("media"), reflect.TypeFor[world.Media]()},
		{"quota", keysOf(schema.Defs["account"].Properties["quota"].Properties), reflect.TypeFor[world.Quota]()},
		{"pay", def("pay"), reflect.TypeFor[Pay]()},
		{"payMerchant", def("payMerchant"), reflect.TypeFor[PayMerchant]()},
		{"payComplaint", def("payComplaint"), reflect.TypeFor[PayComplaint]()},
		{"refund", keysOf(schema.Defs["payComplaint"].Properties["refund"].Properties), reflect.TypeFor[payworld.Refund]()},
		{"counters", keysOf(schema.Defs["pay"].Properties["counters"].Properties), reflect.TypeFor[payworld.Counters]()},
		{"payAct", def("payAct"), reflect.TypeFor[PayAct]()},
		{"payImage", def("payImage"), reflect.TypeFor[payworld.Image]()},
		{"payDelivery", def("payDelivery"), reflect.TypeFor[paypush.Delivery]()},
		{"payAttempt", def("payAttempt"), reflect.TypeFor[paypush.Attempt]()},
		{"payWire", def("payWire"), reflect.TypeFor[complaints.Complaint]()},
		{"payHistory", def("payHistory"), reflect.TypeFor[complaints.NegotiationHistory]()},
		{"payOrder", def("payOrder"), reflect.TypeFor[complaints.OrderInfo]()},
		{"fault", def("fault"), reflect.TypeFor[fault.Fault]()},
	} {
		got := jsonKeys(tt.typ)
		if tt.name == "fault" { // the running fake's numbering: a snapshot leaves it out, a scenario gives none
			got = slices.DeleteFunc(got, func(k string) bool { return k == "id" })
		}
		if !slices.Equal(got, tt.schema) {
			t.Errorf("%s: the Go type has keys %v, the schema %v", tt.name, got, tt.schema)
		}
	}
}

// jsonKeys lists the JSON names of a struct's fields, embedded ones inline.
func jsonKeys(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || name == "-":
		case f.Anonymous && name == "":
			out = append(out, jsonKeys(f.Type)...)
		default:
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func TestParseTime(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025-03-02T08:00:00+08:00", time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), true},
		{"2025-03-01T10:00:00.5Z", t0.Add(500 * time.Millisecond), true},
		{"+36h", t0.Add(36 * time.Hour), true},
		{"-30h", t0.Add(-30 * time.Hour), true},
		{"+2d", t0.Add(48 * time.Hour), true},
		{"-1d12h", t0.Add(-36 * time.Hour), true},
		{"+90m", t0.Add(90 * time.Minute), true},
		{"+0s", t0, true},
		{"+", time.Time{}, false},
		{"+d", time.Time{}, false},
		{"+1x", time.Time{}, false},
		{"+1h-2m", time.Time{}, false},
		{"2025-03-01", time.Time{}, false},
		{"tomorrow", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, err := ParseTime(tt.in, t0)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParse: no input makes Parse panic, and what it accepts it writes
// back in both formats to whole files that parse again to the same
// scenario (written again, the same bytes).
func FuzzParse(f *testing.F) {
	f.Add([]byte("clock: {start: 2025-03-01T10:00:00Z}\naccounts:\n  - {appid: wx1, secret: s, paysignkey: k}\ncomplaints:\n  - {at: -2h, openid: o1, feedback_id: '1'}\nactions:\n  - {at: +1h, feedback_id: '1', do: confirm}\n"))
	f.Add([]byte(`{"complaints": [{"at": "+1d", "pictures": ["http://p/1"]}], "faults": [{"endpoint": "push", "delay": "2s"}]}`))
	f.Add([]byte("users:\n  - openid: o1\n    inbox: [{seq: 1, raw: {a: 1}}]\n"))
	// The readers of the rewrite: keys given twice, nesting at the limit,
	// tags, the end marker, a JSON body, control characters.
	f.Add([]byte(`{"clock": {}, "clock": {}}`))
	f.Add([]byte(nested(MaxDepth, true)))
	f.Add([]byte(nested(MaxDepth+1, false)))
	f.Add([]byte("complaints:\n  - {at: !!str +1h, reason: !!binary 5rKh5pS25Yiw6LSn, updates: 0x10, overdue: true}\n...\n"))
	f.Add([]byte("{\"users\": [{\"openid\": \"o1\", \"inbox\": [{\"raw\": {\"a\": [1.5e3, null, true]}}]}], \"ids\": \"00ff\"}\n"))
	f.Add([]byte("complaints:\n  - {at: +1h, reason: \"\\x00\\u2028\\ufeff\\x7f yes\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data, t0)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			return
		}
		for _, f := range []Format{YAML, JSON} {
			b, err := Marshal(sc, f)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if err := Whole("again."+string(f), b); err != nil {
				t.Fatalf("what Marshal wrote is not whole: %v\n%s", err, b)
			}
			again, err := Parse("again."+string(f), b, t0)
			if err != nil {
				t.Fatalf("what Parse accepted does not parse back as %s: %v\n%s", f, err, b)
			}
			if b2, err := Marshal(again, f); err != nil || !bytes.Equal(b, b2) {
				t.Fatalf("written again as %s, it differs (%v):\n%s\n%s", f, err, b, b2)
			}
		}
	})
}

// TestMarshalJSONQuotesAsJSON: texts holding characters that Go quotes
// with escapes JSON does not have (\x00, \a, \U000e0001, invalid UTF-8)
// still make a JSON document, which parses back to the same texts
// (invalid UTF-8 as U+FFFD, as encoding/json writes it).
func TestMarshalJSONQuotesAsJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nul\x00", "nul\x00"},
		{"bell\a vtab\v", "bell\a vtab\v"},
		{"tag\U000e0001", "tag\U000e0001"},
		{"bad\xffutf8", "bad\ufffdutf8"},
		{`quote" backslash\ <html>&`, `quote" backslash\ <html>&`},
		{"没收到货\n第二行", "没收到货\n第二行"},
	}
	for _, tt := range tests {
		sc := &Scenario{Complaints: []Complaint{{At: t0, OpenID: "o1", Reason: tt.in}}}
		b, err := Marshal(sc, JSON)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if !json.Valid(b) {
			t.Fatalf("%q: not JSON:\n%s", tt.in, b)
		}
		back, err := Parse("back.json", b, t0)
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.in, err, b)
		}
		if got := back.Complaints[0].Reason; got != tt.want {
			t.Errorf("%q came back as %q, want %q", tt.in, got, tt.want)
		}
	}
}

package scenario

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// savedPay is a saved world's pay section as Marshal writes it: a
// complaint as it stands with its history, and its pending callback.
const savedPay = `clock:
  start: 2025-03-01T10:00:00Z
pay:
  mode: public-key
  merchants:
    - mchid: "1900000109"
      serial_no: "3BE878C687287AB4FAC5D0A239FAE2DF2B337CC4"
      apiv3_key: "9WZzenqqANXBnW3LWPK9zH9Sm9bVjF3Y"
      notify_url: ""
  complaints:
    - payer_phone: "13196255704"
      complaint:
        complaint_id: "200064220250301000000000001"
        complaint_time: "2025-03-01T18:00:00+08:00"
        complaint_detail: 第0次投诉：会员自动续费未经同意，要求退款
        complainted_mchid: "1900000109"
        complaint_state: PENDING
        payer_phone: "Nc/JTBkxPRUxd5dWcQ=="
        complaint_order_info:
          - transaction_id: "4200008250671385794988440013"
            out_trade_no: MOCK9902070350549689
            amount: 42660
        service_order_info: []
        complaint_full_refunded: false
        user_complaint_times: 1
        problem_type: REFUND
        apply_refund_amount: 42660
        user_tag_list: []
      history:
        - log_id: "300667720250301000000000001"
          operator: 投诉人
          operate_time: "2025-03-01T18:00:00+08:00"
          operate_type: USER_CREATE_COMPLAINT
          image_list: []
      refund: {action: APPROVE, launch_refund_day: 3, decided_at: 2025-03-01T11:00:00Z}
      idempotent: {a: b}
  deliveries:
    - id: "55a1dade-1963-fbde-22b2-f734e79dd4f1"
      mchid: "1900000109"
      complaint_id: "200064220250301000000000001"
      event_type: COMPLAINT.CREATE
      action_type: CREATE_COMPLAINT
      plaintext: "{\"complaint_id\":\"200064220250301000000000001\"}"
      queued: 2025-03-01T10:00:00Z
      delivered: false
      failed: false
      attempts:
        - time: 2025-03-01T10:00:00Z
          url: ""
          headers: {}
          status: 0
          latency_ns: "0s"
          verdict: no answer
      next: 2025-03-01T10:00:05Z
  counters: {complaints: 1, logs: 1, images: 0}
  ids: "7063673a848b02977da7950d13dc8a72c7cc0509"
...
`

// quickDocs are valid documents: the examples, a saved state, a saved
// pay section.
func quickDocs(t testing.TB) map[string][]byte {
	t.Helper()
	docs := map[string][]byte{"saved-pay.yaml": []byte(savedPay)}
	yaml, _ := filepath.Glob("../../../examples/scenarios/*.yaml")
	json, _ := filepath.Glob("../../../examples/scenarios/*.json")
	paths := append(append(yaml, json...), "../../testdata/state-before-pay.yaml")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(p)] = b
	}
	if len(docs) < 5 {
		t.Fatalf("%d documents: the examples moved?", len(docs))
	}
	return docs
}

// TestQuickSchema: the quick check knows every keyword of Schema, and
// refuses to compile a schema with one it does not know (validate then
// asks jsonschema of every file).
func TestQuickSchema(t *testing.T) {
	if _, err := compiledQuick(); err != nil {
		t.Fatalf("Schema does not compile for the quick check: %v", err)
	}
	for _, s := range []string{`{"oneOf": [{"type": "string"}]}`, `{"type": "integer", "minimum": 1.5}`,
		`{"$ref": "#/$defs/none"}`, `{"enum": [1, 2]}`, `{"items": [{"type": "string"}]}`} {
		if _, err := compileQuick([]byte(s)); err == nil {
			t.Errorf("%s compiled for the quick check", s)
		}
	}
}

// TestQuickSchemaAgrees: the package's two checks of Schema agree with a
// general validator (jsonschema, the reference) on the valid documents
// and on each one changed at each place (a value of each type, too long a
// text, a key removed, a key added): the quick check says valid of the
// valid documents (the files a resume reads are checked quickly) and of
// no document the reference refuses, and schemaProblems finds the
// problems the reference finds, said in the same words, in the same
// definitions. brokenDocs reach what the changes do not, and every
// keyword the schema uses is broken somewhere.
func TestQuickSchemaAgrees(t *testing.T) {
	q, err := compiledQuick()
	if err != nil {
		t.Fatal(err)
	}
	p := message.NewPrinter(language.English)
	tried, refused := 0, 0
	kinds := map[problemKind]int{}
	check := func(what string, doc any) {
		t.Helper()
		want := referenceProblems(t, doc)
		if quickValid(q, doc) && len(want) > 0 {
			b, _ := json.Marshal(doc)
			t.Fatalf("%s: the quick check says valid, jsonschema %+v\n%.2000s", what, want, b)
		}
		got := schemaProblems(q, doc, p)
		if diff := sameProblems(got, want); diff != "" {
			b, _ := json.Marshal(doc)
			t.Fatalf("%s:\n%s\n%.2000s", what, diff, b)
		}
		for _, pr := range got {
			kinds[pr.kind]++
		}
		if len(want) > 0 {
			refused++
		}
	}
	for name, data := range quickDocs(t) {
		doc, _, err := read(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := referenceProblems(t, doc); len(want) > 0 {
			t.Fatalf("%s is not valid: %+v", name, want)
		}
		if !quickValid(q, doc) {
			t.Errorf("%s: the quick check is in doubt of a valid document", name)
		}
		check(name, doc)
		for _, changed := range variants(doc) {
			tried++
			check(name+" changed", changed)
		}
	}
	if refused < tried/4 {
		t.Fatalf("jsonschema refused %d of %d changed documents: the changes do not test much", refused, tried)
	}
	for i, data := range brokenDocs {
		doc, _, err := read("broken.yaml", []byte(data))
		if err != nil {
			t.Fatalf("brokenDocs[%d]: %v", i, err)
		}
		check(fmt.Sprintf("brokenDocs[%d]", i), doc)
	}
	for k := problemType; k <= problemMaximum; k++ {
		if kinds[k] == 0 {
			t.Errorf("no document broke keyword %d: the changes do not test it", k)
		}
	}
	t.Logf("%d changed documents, %d refused: %v", tried, refused, kinds)
}

// variants returns x changed at each place, one change each.
func variants(x any) []any {
	long := strings.Repeat("长", 400)
	values := []any{"x", "", long, "2025-03-01T10:00:00Z", "+1h", "REFUND", "00ff", "https://a/b",
		json.Number("0"), json.Number("-1"), json.Number("1.5"), json.Number("1.0"), json.Number("700"), true, nil,
		[]any{}, []any{"x"}, map[string]any{}}
	var out []any
	out = append(out, values...)
	switch v := x.(type) {
	case map[string]any:
		out = append(out, with(v, "zz_unknown", "x"))
		for k, e := range v {
			without := maps.Clone(v)
			delete(without, k)
			out = append(out, without)
			for _, c := range variants(e) {
				out = append(out, with(v, k, c))
			}
		}
	case []any:
		for i, e := range v {
			for _, c := range variants(e) {
				l := append([]any(nil), v...)
				l[i] = c
				out = append(out, l)
			}
		}
		out = append(out, append(append([]any(nil), v...), v...))
	}
	return out
}

func with(m map[string]any, k string, v any) map[string]any {
	c := maps.Clone(m)
	c[k] = v
	return c
}

// FuzzQuickSchema: on any document the readers make, the quick check
// says valid only of what jsonschema accepts, and schemaProblems finds
// what jsonschema finds.
func FuzzQuickSchema(f *testing.F) {
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
		want := referenceProblems(t, doc)
		if quickValid(q, doc) && len(want) > 0 {
			t.Fatalf("the quick check says valid, jsonschema %+v", want)
		}
		if diff := sameProblems(schemaProblems(q, doc, p), want); diff != "" {
			t.Fatal(diff)
		}
	})
}

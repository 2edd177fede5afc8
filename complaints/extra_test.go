package complaints

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// answerTypes are the types WeChat's answers decode into.
func answerTypes() []reflect.Type {
	return []reflect.Type{
		reflect.TypeFor[Complaint](), reflect.TypeFor[Page[Complaint]](),
		reflect.TypeFor[Page[NegotiationHistory]](), reflect.TypeFor[NotificationURL](),
		reflect.TypeFor[UploadAnswer](), reflect.TypeFor[ImmediateServiceAnswer](),
	}
}

// TestEveryObjectKeepsExtra: every struct reachable from an answer type
// (except time.Time) has an Extra field and both JSON methods, so no
// object of an answer drops the members it does not declare.
func TestEveryObjectKeepsExtra(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() || seen[typ] {
			return
		}
		seen[typ] = true
		if f, ok := typ.FieldByName("Extra"); !ok || f.Type != reflect.TypeFor[Extra]() || f.Tag.Get("json") != "-" {
			t.Errorf("%v has no Extra field tagged json:\"-\"", typ)
		}
		if !typ.Implements(reflect.TypeFor[json.Marshaler]()) || !reflect.PointerTo(typ).Implements(reflect.TypeFor[json.Unmarshaler]()) {
			t.Errorf("%v lacks MarshalJSON or UnmarshalJSON", typ)
		}
		for f := range typ.Fields() {
			walk(f.Type)
			// An array without omitempty is written [] when nil, never null.
			if f.Type.Kind() == reflect.Slice && f.Type != reflect.TypeFor[json.RawMessage]() && !strings.Contains(f.Tag.Get("json"), "omitempty") {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				b, err := json.Marshal(reflect.New(typ).Elem().Interface())
				if err != nil || !strings.Contains(string(b), `"`+name+`":[]`) {
					t.Errorf("%v encodes its nil %s as %s, %v; want []", typ, name, b, err)
				}
			}
		}
	}
	for _, typ := range answerTypes() {
		walk(typ)
	}
	if len(seen) < 20 {
		t.Errorf("walked only %d types", len(seen))
	}
}

func TestExtraDecoding(t *testing.T) {
	var o OrderInfo
	data := `{"transaction_id":"42","OUT_TRADE_NO":"folded","amount":3,"currency":"CNY","nested":{ "a" : [1, 2] }}`
	if err := json.Unmarshal([]byte(data), &o); err != nil {
		t.Fatal(err)
	}
	if o.OutTradeNo != "folded" {
		t.Errorf("a key in another case decodes into its field, as encoding/json does: %+v", o)
	}
	if len(o.Extra) != 2 || string(o.Extra["currency"]) != `"CNY"` || string(o.Extra["nested"]) != `{"a":[1,2]}` {
		t.Errorf("Extra = %s, want currency and nested (compacted) only", o.Extra)
	}
	// null changes nothing.
	if err := json.Unmarshal([]byte("null"), &o); err != nil || o.TransactionID != "42" || len(o.Extra) != 2 {
		t.Errorf("null: %+v %v", o, err)
	}
	// Decoding again replaces Extra.
	if err := json.Unmarshal([]byte(`{"transaction_id":"43"}`), &o); err != nil || o.Extra != nil {
		t.Errorf("Extra after a second decoding = %v, %v", o.Extra, err)
	}
	// Escaped keys are read as encoding/json reads them.
	data = "{\"transaction_\\u0069d\":\"44\",\"\\u0078\":2,\"bad\xff\":3,\"名\":{\"a\\\"}\":\"}\"}}"
	if err := json.Unmarshal([]byte(data), &o); err != nil {
		t.Fatal(err)
	}
	if o.TransactionID != "44" || len(o.Extra) != 3 || string(o.Extra["x"]) != "2" || string(o.Extra["bad\ufffd"]) != "3" || string(o.Extra["名"]) != `{"a\"}":"}"}` {
		t.Errorf("escaped keys: %+v, Extra %s", o, o.Extra)
	}
	for _, bad := range []string{`[]`, `"x"`, `{"amount":"3"}`, `{"amount":3`, `{"x":}`} {
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func TestExtraEncoding(t *testing.T) {
	o := OrderInfo{TransactionID: "42", OutTradeNo: "o", Amount: 3, Extra: Extra{
		"zeta":           json.RawMessage(`{ "b": 1 }`),
		"alpha":          json.RawMessage(`"<a&b>"`),
		"transaction_id": json.RawMessage(`"shadow"`), // names a field: skipped
		"Amount":         json.RawMessage(`99`),       // names a field in another case: skipped
		"empty":          nil,
	}}
	got, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"transaction_id":"42","out_trade_no":"o","amount":3,"alpha":"\u003ca\u0026b\u003e","empty":null,"zeta":{"b":1}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	o.Extra = Extra{"bad": json.RawMessage(`{`)}
	if _, err := json.Marshal(o); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("invalid Extra member: %v, want an error naming it", err)
	}
	// An object with no declared member written still takes Extra.
	got, err = json.Marshal(ReturnAddressInfo{Extra: Extra{"floor": json.RawMessage("3")}})
	if err != nil || string(got) != `{"floor":3}` {
		t.Errorf("got %s %v", got, err)
	}
}

// TestEmptyArrays: nil arrays WeChat always sends are written [], never
// null; optional ones are left out.
func TestEmptyArrays(t *testing.T) {
	got, err := json.Marshal(Complaint{})
	if err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{`"complaint_order_info":[]`, `"service_order_info":[]`, `"complaint_media_list":[]`, `"user_tag_list":[]`} {
		if !strings.Contains(string(got), member) {
			t.Errorf("%s missing from %s", member, got)
		}
	}
	if strings.Contains(string(got), "null") {
		t.Errorf("null in %s", got)
	}
	for _, v := range []any{Page[Complaint]{}, NegotiationHistory{}, Media{}, FAQList{}, ButtonGroup{}, NormalMessage{}} {
		b, err := json.Marshal(v)
		if err != nil || strings.Contains(string(b), "null") {
			t.Errorf("%T: %s %v", v, b, err)
		}
	}
}

package flatjson

import (
	"encoding/json"
	"testing"

	"github.com/payfeedback/payfeedback/internal/race"
)

// envelope has the shape of an APIv3 callback's envelope: strings, and one
// object of strings.
type envelope struct {
	ID       string `json:"id"`
	Event    string `json:"event_type"`
	Summary  string `json:"summary"`
	Resource struct {
		Algorithm string `json:"algorithm"`
		Nonce     string `json:"nonce"`
	} `json:"resource"`
}

func (e *envelope) members() []Member {
	return []Member{
		{Name: "id", Dst: &e.ID},
		{Name: "event_type", Dst: &e.Event},
		{Name: "summary", Dst: &e.Summary},
		{Name: "resource", Object: []Member{
			{Name: "algorithm", Dst: &e.Resource.Algorithm},
			{Name: "nonce", Dst: &e.Resource.Nonce},
		}},
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool // Decode answers (else it leaves the body to encoding/json)
	}{
		{"WeChat's envelope", `{"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"original_type":"complaint","algorithm":"AEAD_AES_256_GCM","ciphertext":"x","associated_data":"","nonce":"fdasflkja484w"}}`, true},
		{"whitespace everywhere", " \n{ \"id\" :\t\"a\" , \"resource\" : { \"nonce\" : \"n\" } }\r\n", true},
		{"empty object", `{}`, true},
		{"empty resource", `{"resource":{}}`, true},
		{"unknown members of every kind", `{"n":-1.5e3,"t":true,"f":false,"z":null,"a":[1,[{"x":"}]\""}],"{"],"o":{"p":{"q":[]}},"s":"\"\\u00e9}","id":"a"}`, true},
		{"null leaves a field as it was", `{"id":"a","id":null,"resource":null}`, true},
		{"the last of two", `{"id":"a","id":"b"}`, true},
		{"an object given twice merges", `{"resource":{"nonce":"n"},"resource":{"algorithm":"x"}}`, true},
		{"an escape in a skipped value", `{"other":"a\"b","id":"a"}`, true},
		{"an escape in a kept value", `{"id":"a\/b"}`, false},
		{"a unicode escape in a kept value", `{"summary":"\u4ea7"}`, false},
		{"an escape in a name", `{"i\u0064":"a"}`, false},
		{"a name in another case", `{"ID":"a"}`, false},
		{"a name in another case, nested", `{"resource":{"Nonce":"n"}}`, false},
		{"a name outside ASCII", `{"ıd":"a"}`, false},
		{"invalid UTF-8 in a kept value", "{\"id\":\"a\xffb\"}", false},
		{"a number for a string", `{"id":1}`, false},
		{"an object for a string", `{"id":{}}`, false},
		{"a string for an object", `{"resource":"x"}`, false},
		{"an array for an object", `{"resource":[]}`, false},
		{"not an object", `["id","a"]`, false},
		{"null", `null`, false},
		{"not JSON", `{"id":"a"`, false},
		{"trailing data", `{"id":"a"} {}`, false},
		{"empty", ``, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got envelope
			ok := Decode([]byte(tc.in), got.members())
			if ok != tc.ok {
				t.Fatalf("Decode = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			var want envelope
			if err := json.Unmarshal([]byte(tc.in), &want); err != nil {
				t.Fatalf("Decode answered where encoding/json fails: %v", err)
			}
			if got != want {
				t.Errorf("Decode %+v, encoding/json %+v", got, want)
			}
		})
	}
}

// TestDecodeAllocs: decoding allocates once, the copy of the body every
// string written is cut from. json.Valid's scanner comes from a pool that
// the race detector empties at random (see internal/race), so the count is
// taken without it: .ci/run runs the allocation tests again without -race.
func TestDecodeAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("allocation count with json.Valid's pool emptied at random by -race; run without -race (as .ci/run does)")
	}
	in := `{"id":"EV-1","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"n"}}`
	inb := []byte(in)
	var e envelope
	if n := testing.AllocsPerRun(100, func() {
		if !Decode(inb, []Member{
			{Name: "id", Dst: &e.ID},
			{Name: "resource", Object: []Member{{Name: "nonce", Dst: &e.Resource.Nonce}}},
		}) {
			t.Fatal("refused")
		}
	}); n != 1 {
		t.Errorf("%v allocations, want 1 (the copy of the body)", n)
	}
}

// FuzzDecode holds Decode to encoding/json: wherever Decode answers,
// encoding/json decodes the same input without error to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"EV-1","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"n"}}`,
		`{"id":null,"resource":null,"x":[{"y":"\""}]}`,
		`{"ID":"a","Resource":{"NONCE":"n"}}`,
		`{"id":"a","id":"b","resource":{"nonce":"1"},"resource":{"algorithm":"2"}}`,
		`{"ſummary":"x"}`,
		` {"id" : "a" } `,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var got envelope
		if !Decode([]byte(in), got.members()) {
			return
		}
		var want envelope
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("Decode answered %+v where encoding/json fails: %v", got, err)
		}
		if got != want {
			t.Fatalf("Decode %+v, encoding/json %+v", got, want)
		}
	})
}

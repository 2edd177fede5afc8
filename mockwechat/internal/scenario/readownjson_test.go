package scenario

import (
	"reflect"
	"strings"
	"testing"
)

// ownJSONFiles are JSON files Marshal writes.
func ownJSONFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{"state of 60": stateFile(t, 60, JSON)}
	for name, data := range ownFiles(t) {
		if name == "state of 60" {
			continue
		}
		sc, err := Parse("f.yaml", data, t0)
		if err != nil {
			t.Fatal(err)
		}
		if files[name], err = Marshal(sc, JSON); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestReadOwnJSON: the one-pass reader gives the token reader's values
// for what Marshal writes, and declines where the token reader refuses.
func TestReadOwnJSON(t *testing.T) {
	for name, data := range ownJSONFiles(t) {
		got, ok := readOwnJSON(data, MaxItems)
		if !ok {
			t.Errorf("%s: declined", name)
			continue
		}
		want, _, _, err := readJSONTokens("f.json", data, MaxItems)
		if err != nil || !reflect.DeepEqual(any(got), want) {
			t.Errorf("%s: the two readers differ (%v)", name, err)
		}
	}
	for name, in := range map[string]string{
		"a key twice":     `{"a":1,"a":2}`,
		"not JSON":        `{"a":1`,
		"a list on top":   `[1]`,
		"trailing data":   `{"a":1} {}`,
		"too many":        `{"a":1,"b":2,"c":3}`,
		"too many listed": `{"a":[1,2,3]}`,
		"too deep":        strings.Repeat(`{"a":`, MaxDepth+1) + `1` + strings.Repeat(`}`, MaxDepth+1),
	} {
		if v, ok := readOwnJSON([]byte(in), 2); ok {
			t.Errorf("%s: read as %v", name, v)
		}
	}
}

// FuzzReadOwnJSON: wherever the one-pass reader reads a document, the
// token reader reads it too, to the same values.
func FuzzReadOwnJSON(f *testing.F) {
	for _, data := range ownJSONFiles(f) {
		f.Add(data)
	}
	f.Add([]byte(`{"a":"\u00e9\"\\","b":[1,-2.5e3,true,false,null,{}],"c":"` + "\xff" + `","d":"é"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := readOwnJSON(data, MaxItems)
		if !ok {
			return
		}
		want, _, _, err := readJSONTokens("f.json", data, MaxItems)
		if err != nil {
			t.Fatalf("the one-pass reader read %q, the token reader refused it: %v", data, err)
		}
		if !reflect.DeepEqual(any(got), want) {
			t.Fatalf("%q: one pass %#v, tokens %#v", data, got, want)
		}
	})
}

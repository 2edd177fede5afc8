package complaints

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testdataDir holds the package's samples: answers/ (WeChat's answers),
// events/ (callback plaintexts), requests/ (golden request bodies).
var testdataDir = filepath.Join("..", "testdata", "complaints")

// samples lists the files of testdata/complaints/dir ending in .json but
// not .golden.json, as name (without .json) → path.
func samples(t testing.TB, dir string) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(testdataDir, dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string]string)
	for _, p := range paths {
		if strings.HasSuffix(p, ".golden.json") {
			continue
		}
		files[strings.TrimSuffix(filepath.Base(p), ".json")] = p
	}
	if len(files) == 0 {
		t.Fatalf("no samples in %s", filepath.Join(testdataDir, dir))
	}
	return files
}

// readFile reads a file or fails the test.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameJSON compares JSON values by meaning (raw members and Extra values
// are compared as decoded values, numbers exactly), nil and empty slices
// and maps alike.
var sameJSON = cmp.Options{
	cmp.FilterPath(func(p cmp.Path) bool { return p.Last().Type() != reflect.TypeFor[json.RawMessage]() }, cmpopts.EquateEmpty()),
	cmp.Comparer(func(a, b json.RawMessage) bool {
		if len(a) == 0 || len(b) == 0 {
			return len(a) == len(b)
		}
		return reflect.DeepEqual(decodeAny(a), decodeAny(b))
	}),
}

// decodeAny decodes JSON into any, numbers as json.Number; invalid JSON
// decodes to itself as a string, so it compares unequal to valid JSON.
func decodeAny(raw []byte) any {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "invalid: " + string(raw)
	}
	return v
}

// roundTrip decodes data into a new T, encodes it, decodes that again and
// encodes it again. It fails t unless the two decodings are equal and the
// two encodings identical (encoding is a fixed point after one round). It
// returns the first decoding and its encoding, or ok false if data does not
// decode.
func roundTrip[T any](t *testing.T, data []byte) (first T, encoded []byte, ok bool) {
	t.Helper()
	if err := json.Unmarshal(data, &first); err != nil {
		return first, nil, false
	}
	encoded, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("encoding what was decoded: %v\ninput: %q", err, data)
	}
	var second T
	if err := json.Unmarshal(encoded, &second); err != nil {
		t.Fatalf("decoding what was encoded: %v\nencoded: %s", err, encoded)
	}
	if diff := cmp.Diff(first, second, sameJSON); diff != "" {
		t.Fatalf("decode(encode(x)) != x (-x +again):\n%s\ninput: %q\nencoded: %s", diff, data, encoded)
	}
	again, err := json.Marshal(second)
	if err != nil {
		t.Fatalf("encoding again: %v", err)
	}
	if !bytes.Equal(encoded, again) {
		t.Fatalf("encoding is not stable:\nfirst:  %s\nsecond: %s", encoded, again)
	}
	return first, encoded, true
}

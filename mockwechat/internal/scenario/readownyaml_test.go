package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// readFull is readYAML's general path: go.yaml.in/yaml/v3's node tree.
func readFull(t testing.TB, data []byte) (any, error) {
	t.Helper()
	root, err := parseYAML("f.yaml", data)
	if err != nil {
		return nil, err
	}
	return yamlReader{name: "f.yaml", items: MaxItems}.value(root, 1)
}

// ownFiles are files Marshal writes: a played world's state and every
// example scenario, read and written back.
func ownFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{"state of 60": stateFile(t, 60, YAML)}
	examples, err := filepath.Glob("../../../examples/scenarios/*.yaml")
	if err != nil || len(examples) == 0 {
		t.Fatalf("examples: %v %v", examples, err)
	}
	examples = append(examples, "../../../examples/scenarios/failing-endpoint.json")
	for _, name := range examples {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := Parse(name, data, t0)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Marshal(sc, YAML)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(name)] = out
	}
	return files
}

// TestReadOwnYAML: what Marshal writes is read by the fast path, to the
// values the general path gives; placing an error still works.
func TestReadOwnYAML(t *testing.T) {
	for name, data := range ownFiles(t) {
		t.Run(name, func(t *testing.T) {
			got, ok := readOwnYAML(data, MaxItems)
			if !ok {
				t.Fatalf("the fast path refused what Marshal wrote:\n%s", head(data))
			}
			want, err := readFull(t, data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(any(got), want) {
				t.Errorf("fast and general paths differ")
			}
		})
	}
	// An error found after reading is placed in the file all the same.
	data := stateFile(t, 3, YAML)
	bad := strings.Replace(string(data), "appid: wx5eed000000000001\n", "appid: wx5eed000000000001\n    nonsense: 1\n", 1)
	_, err := Parse("state.yaml", []byte(bad), t0)
	var e *Error
	if !errors.As(err, &e) || e.Line == 0 || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("an unknown key: %v; want it placed at its line", err)
	}
}

// TestReadOwnYAMLDeclines: outside Marshal's form, and where readYAML
// refuses, the fast path declines and leaves the file to the general
// path.
func TestReadOwnYAMLDeclines(t *testing.T) {
	const end = EndMarker + "\n"
	for name, in := range map[string]string{
		"no end marker":           "a: b\n",
		"a comment":               "# hi\na: b\n" + end,
		"a trailing comment":      "a: b # hi\n" + end,
		"indented by four":        "a:\n    b: c\n" + end,
		"a key twice":             "a: b\na: c\n" + end,
		"a flow mapping":          "a: {b: c}\n" + end,
		"a single-quoted text":    "a: 'b'\n" + end,
		"a literal block":         "a: |\n  b\n" + end,
		"an anchor":               "a: &x b\n" + end,
		"an alias":                "a: *x\n" + end,
		"a float":                 "a: 1.5\n" + end,
		"an integer beyond int64": "a: 123456789012345678901234567890\n" + end,
		"True":                    "a: True\n" + end,
		"yes":                     "a: yes\n" + end,
		"a tilde":                 "a: ~\n" + end,
		"an empty value":          "a:\n" + end,
		"an unknown escape":       "a: \"\\x41\"\n" + end,
		"a surrogate escape":      "a: \"\\ud800\"\n" + end,
		"a raw control":           "a: \"\x01\"\n" + end,
		"a raw NEL":               "a: \"\u0085\"\n" + end,
		"invalid UTF-8":           "a: \"\xff\"\n" + end,
		"text after the marker":   "a: b\n" + end + "c: d\n",
		"a second document":       "a: b\n---\nc: d\n" + end,
		"a tab for indentation":   "a:\n\tb: c\n" + end,
		"a list at the top":       "- a\n" + end,
		"a BOM":                   "\uFEFFa: b\n" + end,
		"CRLF":                    "a: b\r\n" + end,
	} {
		if v, ok := readOwnYAML([]byte(in), MaxItems); ok {
			t.Errorf("%s: read as %v; want the general path", name, v)
		}
	}
	// The limits: declined, so that readYAML words the error.
	if _, ok := readOwnYAML([]byte("a: 1\nb: 2\nc: 3\n"+end), 2); ok {
		t.Error("three entries with a limit of two: read")
	}
	deep := ""
	for i := range MaxDepth {
		deep += strings.Repeat("  ", i) + "a:\n"
	}
	deep += strings.Repeat("  ", MaxDepth) + "b: c\n" + end
	if _, ok := readOwnYAML([]byte(deep), MaxItems); ok {
		t.Error("nested beyond MaxDepth: read")
	}
}

// FuzzReadOwnYAML: wherever the fast path reads a file, the general path
// reads it too, to the same values.
func FuzzReadOwnYAML(f *testing.F) {
	for _, data := range ownFiles(f) {
		f.Add(data)
	}
	f.Add([]byte("a:\n  - b\n  - - c\n    - d\n  - e: f\n    g: \"h\\u00e9\\\"\"\n    i: []\n  - {}\nt: 2025-03-01T10:00:00Z\nn: -12\nz: null\ny: false\n" + EndMarker + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := readOwnYAML(data, MaxItems)
		if !ok {
			return
		}
		want, err := readFull(t, data)
		if err != nil {
			t.Fatalf("the fast path read %q, the general path refused it: %v", data, err)
		}
		if !reflect.DeepEqual(any(got), want) {
			t.Fatalf("%q: fast %#v, general %#v", data, got, want)
		}
	})
}

// TestMarshalledTextsReadFast: any text Marshal writes keeps the file in
// the fast path's form (else a state file would silently be read the slow
// way).
func TestMarshalledTextsReadFast(t *testing.T) {
	for _, s := range []string{"plain", "with: colon", "ends:", "#hash", "  spaces  ", "line\nbreak", "tab\there", "引号\"和\\反斜杠",
		"\u2028", "\uFEFF", "\x00", "\u0085", "true", "null", "1.5", "2025-03-01T10:00:00Z", "- dash", "[x]", "{y}", "'q'", "", "𝄞"} {
		sc := &Scenario{Accounts: []world.AccountState{{Account: world.Account{AppID: "wx1", Secret: s, Reasons: []string{s, "x"}}}}}
		data, err := Marshal(sc, YAML)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := readOwnYAML(data, MaxItems)
		if !ok {
			t.Errorf("%q: the fast path refused Marshal's file:\n%s", s, data)
			continue
		}
		want, _ := readFull(t, data)
		if !reflect.DeepEqual(any(got), want) {
			t.Errorf("%q: fast %v, general %v", s, got, want)
		}
	}
}

func head(b []byte) string {
	if len(b) > 400 {
		b = b[:400]
	}
	return string(b)
}

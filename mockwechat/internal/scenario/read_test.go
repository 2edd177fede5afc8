package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The lines nested puts a raw body on, up to the body.
const (
	nestedYAML = "    inbox: [{seq: 1, raw: "
	nestedJSON = `{"users": [{"openid": "o1", "inbox": [{"seq": 1, "raw": `
)

// nested is a file whose message body nests depth levels deep in all, the
// top mapping counting 1 (users, the user, inbox, the message: 5 with the
// body's first level), on line 3 of YAML or line 1 of JSON.
func nested(depth int, json bool) string {
	if json {
		return nestedJSON + strings.Repeat(`{"a": `, depth-5) + "1" + strings.Repeat("}", depth-5) + `}]}]}`
	}
	return "users:\n  - openid: o1\n" + nestedYAML + strings.Repeat("{a: ", depth-5) + "1" + strings.Repeat("}", depth-5) + "}]\n"
}

// TestLimits: files beyond a limit are refused with an error naming the
// limit and the value, where it is, without taking the memory: an 80 KB
// file of nested brackets took the fake to 2.49 GB before.
func TestLimits(t *testing.T) {
	// The body's level 33 is its 28th bracket.
	deepYAML := fmt.Sprintf("d.yaml:3:%d: nested more than 32 levels deep (the limit)", len(nestedYAML)+1+4*27)
	deepJSON := fmt.Sprintf("d.json:1:%d: nested more than 32 levels deep (the limit)", len(nestedJSON)+1+6*27)
	for _, tt := range []struct {
		name, file, src string
		want            string // in the error; "" accepted
	}{
		{"depth 32 yaml", "d.yaml", nested(MaxDepth, false), ""},
		{"depth 32 json", "d.json", nested(MaxDepth, true), ""},
		{"depth 33 yaml", "d.yaml", nested(MaxDepth+1, false), deepYAML},
		{"depth 33 json", "d.json", nested(MaxDepth+1, true), deepJSON},
		// yaml.v3 refuses beyond 10,000 levels before ours is counted, and
		// says nowhere where: the first bracket beyond ours is named.
		{"80 KB of brackets yaml", "b.yaml", "users: " + strings.Repeat("[", 40000) + strings.Repeat("]", 40000), "b.yaml:1:39: nested more than 32 levels deep (the limit)"},
		{"80 KB of brackets json", "b.json", `{"users": ` + strings.Repeat("[", 40000) + strings.Repeat("]", 40000) + "}", "b.json:1:42: nested more than 32 levels deep (the limit)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Parse(tt.file, []byte(tt.src), t0)
			runtime.ReadMemStats(&after)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an *Error containing %q", err, tt.want)
			}
			if used := after.TotalAlloc - before.TotalAlloc; used > 256<<20 {
				t.Errorf("refusing it took %d MB", used>>20)
			}
		})
	}
}

// TestItemsLimit: a list or a mapping of more entries than the limit is
// refused, where it starts (with a limit of 1,000 rather than MaxItems:
// a YAML list of 1,000,001 entries takes seconds to parse).
func TestItemsLimit(t *testing.T) {
	const limit = 1000
	list := "[" + strings.Repeat("1, ", limit) + "1]"
	keys := "{"
	for i := range limit {
		keys += fmt.Sprintf(`"k%d": 1, `, i)
	}
	keys += `"last": 1}`
	for _, tt := range []struct{ name, src, want string }{
		{"yaml list", "media: " + list + "\n", "n.yaml:1:8: 1001 entries: a list or mapping holds at most 1000 (the limit)"},
		{"yaml mapping", "users:\n  - openid: o1\n    inbox: [{raw: " + keys + "}]\n", "n.yaml:3:19: 1001 entries: a list or mapping holds at most 1000 (the limit)"},
		{"json list", `{"media": ` + list + "}", "n.json:1:11: more than 1000 entries: a list or mapping holds at most 1000 (the limit)"},
		{"json mapping", `{"users": [{"openid": "o1", "inbox": [{"raw": ` + keys + "}]}]}", "n.json:1:47: more than 1000 entries: a list or mapping holds at most 1000 (the limit)"},
		{"yaml within", "media: [1, 2]\n", ""},
		{"json within", `{"media": [1, 2]}`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if strings.HasPrefix(tt.name, "json") {
				_, _, _, err = readJSON("n.json", []byte(tt.src), limit)
			} else {
				_, _, err = readYAML("n.yaml", []byte(tt.src), limit)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an *Error containing %q", err, tt.want)
			}
		})
	}
}

// TestReadFileLimit: a file larger than MaxFileSize is refused before it
// is read (a sparse file of 257 MiB costs nothing to make).
func TestReadFileLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ReadFile(path)
	runtime.ReadMemStats(&after)
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "huge.yaml: 269484032 bytes: a scenario file holds at most 268435456 (256 MiB, the limit)") {
		t.Fatalf("got %v", err)
	}
	if used := after.TotalAlloc - before.TotalAlloc; used > 1<<20 {
		t.Errorf("refusing it read %d bytes", used)
	}
}

// TestErrorsArePlaced: errors name the file, the line and the column,
// JSON (read with encoding/json) and YAML alike.
func TestErrorsArePlaced(t *testing.T) {
	const acc = `{"appid": "wx1", "secret": "s", "paysignkey": "k"}`
	for _, tt := range []struct{ name, file, src, want string }{
		{"json syntax", "s.json", "{\n  \"complaints\": [\n    {\"at\": +1h}\n  ]\n}\n", `s.json:3:12: not valid JSON: invalid character '+' looking for beginning of value`},
		{"json cut short", "s.json", "{\n  \"complaints\": [\n    {\"at\": \"+1h\"}", `s.json:3:18: the file ends inside its JSON document: it was cut short`},
		{"json twice", "s.json", "{\n  \"accounts\": [" + acc + "],\n  \"accounts\": []\n}", `s.json:3:3: key "accounts" is given twice`},
		{"json schema", "s.json", "{\n  \"accounts\": [\n    " + acc + "\n  ],\n  \"complaints\": [\n    {\"at\": \"+1h\", \"goods\": \"food\"}\n  ]\n}", `s.json:6:28: complaints[0].goods: value must be one of`},
		{"json unknown key", "s.json", "{\"accounts\": [\n  {\"appid\": \"wx1\", \"secret\": \"s\", \"paysignkey\": \"k\", \"colour\": 1}]}", `s.json:2:54: accounts[0]: unknown key "colour"`},
		{"json after", "s.json", "{}\n{}", `s.json:2:1: more after the JSON document`},
		{"json compile", "s.json", "{\"accounts\": [" + acc + ", " + acc + "]}", `s.json:1:77: accounts[1].appid: account wx1 is given twice`},
		{"json top", "s.json", "[]", `s.json:1:1: want a mapping`},
		{"yaml syntax", "s.yaml", "complaints:\n  - at: \"+1h\n", `s.yaml:2:9: not valid YAML: could not find end character of double-quoted text`},
		{"yaml twice", "s.yaml", "clock: {}\nclock: {}\n", `s.yaml:2:1: key "clock" is given twice (first at line 1)`},
		{"yaml utf-8", "s.yaml", "complaints:\n  - {at: +1h, reason: \"ab\xff\"}\n", `s.yaml:2:26: not valid UTF-8`},
		{"yaml tag", "s.yaml", "complaints:\n  - {at: !foo +1h}\n", `s.yaml:2:10: YAML tag !foo`},
		{"yaml two documents", "s.yaml", "clock: {}\n---\nclock: {}\n", `s.yaml:2:1: a second YAML document`},
		{"empty", "s.yaml", "# nothing\n", `s.yaml: the file is empty`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.src), t0)
			var se *Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an *Error containing %q", err, tt.want)
			}
		})
	}
}

package scenario

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// read reads a scenario file into plain values as encoding/json decodes
// JSON into an any (map[string]any, []any, string, json.Number, bool,
// nil), within the limits (limits.go), and returns how to find a path in
// the file. A file named *.json is JSON; another is JSON when it starts
// with "{" and parses as JSON, YAML otherwise. One pass over the file
// each way: encoding/json for JSON, go.yaml.in/yaml/v3's node tree for
// YAML (go-yaml's parser took 3.3 s of CPU for a 10 MB file, and its
// decoder was quadratic).
func read(name string, data []byte) (any, locator, error) {
	if len(data) > MaxFileSize {
		return nil, nil, sizeError(name, int64(len(data)))
	}
	byName := strings.EqualFold(filepath.Ext(name), ".json")
	if byName || bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n"), []byte("{")) {
		v, loc, notJSON, err := readJSON(name, data, MaxItems)
		if err == nil || byName || !notJSON {
			return v, loc, err
		}
	}
	return readYAML(name, data, MaxItems)
}

var bom = []byte("\xEF\xBB\xBF")

// locator finds where a value is in the file: the value at path (JSON
// pointer tokens, "complaints", "2", "appid"), or the key named key of
// the mapping there; 0, 0 when not found.
type locator interface {
	locate(path []string, key string) (line, column int)
}

var depthMsg = fmt.Sprintf("nested more than %d levels deep (the limit): a scenario needs 4, a message's raw body a few more", MaxDepth)

func itemsMsg(items int) string {
	return fmt.Sprintf("a list or mapping holds at most %d (the limit)", items)
}

// skipSpace returns the offset of the first byte at or after off that is
// not JSON white space.
func skipSpace(b []byte, off int) int {
	for off < len(b) && (b[off] == ' ' || b[off] == '\t' || b[off] == '\n' || b[off] == '\r') {
		off++
	}
	return off
}

// lineColumn is the line and column (in characters, from 1) of byte off.
func lineColumn(b []byte, off int) (line, column int) {
	off = min(max(off, 0), len(b))
	start := bytes.LastIndexByte(b[:off], '\n') + 1
	return bytes.Count(b[:start], []byte("\n")) + 1, utf8.RuneCount(b[start:off]) + 1
}

// ReadFile reads a scenario file, refusing one larger than MaxFileSize
// before reading it.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mockwechat: scenario: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("mockwechat: scenario: %w", err)
	}
	if fi.Size() > MaxFileSize {
		return nil, sizeError(path, fi.Size())
	}
	// One buffer of the size Stat gave (and a byte more, to see the end):
	// io.ReadAll grows its buffer from 512 bytes, copying and clearing
	// each time, which took a tenth of a second for a 20 MB state.
	b := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mockwechat: scenario: %w", err)
		}
		if len(b) > MaxFileSize {
			break
		}
		if len(b) == cap(b) { // it grew while read
			b = append(b, 0)[:len(b)]
		}
	}
	if len(b) > MaxFileSize { // it grew while read
		return nil, sizeError(path, int64(len(b)))
	}
	return b, nil
}

func sizeError(name string, size int64) error {
	return &Error{File: name, Msg: fmt.Sprintf("%d bytes: a scenario file holds at most %d (%d MiB, the limit)", size, MaxFileSize, MaxFileSize>>20)}
}

package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Error is what is wrong with a scenario, and where: the file, line and
// column when it came from a file, and the path of the entry
// ("complaints[2].appid").
type Error struct {
	File   string
	Line   int // from 1; 0 when unknown
	Column int // from 1, in characters; 0 when unknown
	Path   string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mockwechat: scenario")
	if e.File != "" {
		b.WriteString(" " + e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		if e.Line > 0 && e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// errorf is an error about the entry at path (as "complaints[2].appid").
func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// source is the file a scenario was parsed from, to place errors found
// after reading it. It keeps the file's bytes, and reads them again (once)
// to place an error.
type source struct {
	name  string
	data  []byte
	again func() locator
}

func newSource(name string, data []byte) *source {
	s := &source{name: name, data: data}
	s.again = sync.OnceValue(func() locator {
		_, loc, err := read(name, data)
		if err != nil {
			return nil
		}
		return loc
	})
	return s
}

// place fills in where e's path is in the file.
func (s *source) place(e *Error) *Error {
	if s == nil {
		return e
	}
	e.File = s.name
	// A key the file does not give (a missing key, one a snapshot left
	// empty) is placed at the entry that lacks it.
	for p := e.Path; e.Line == 0; p = parentPath(p) {
		if e.Line, e.Column = s.position(p, ""); p == "" {
			break
		}
	}
	return e
}

// parentPath is the path of the entry holding path's: "pay.merchants[1]"
// for "pay.merchants[1].apiv3_key", "pay.merchants" for
// "pay.merchants[1]"; "" at the top.
func parentPath(path string) string {
	i := max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['))
	if i < 0 {
		return ""
	}
	return path[:i]
}

// position finds the line and column of the value at path ("" the
// document), or of the key named key inside it; 0, 0 when not found.
func (s *source) position(path, key string) (line, column int) {
	if s == nil {
		return 0, 0
	}
	loc := s.again()
	if loc == nil {
		return 0, 0
	}
	return loc.locate(tokensOf(path), key)
}

// tokensOf splits a path such as "complaints[2].appid" into JSON pointer
// tokens: "complaints", "2", "appid".
func tokensOf(path string) []string {
	var out []string
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, name)
		}
		for rest != "" {
			i, after, _ := strings.Cut(rest, "]")
			out = append(out, i)
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

// pathOf joins JSON pointer tokens into a path such as
// "complaints[2].appid": digits are indexes.
func pathOf(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteString(".")
		}
		b.WriteString(t)
	}
	return b.String()
}

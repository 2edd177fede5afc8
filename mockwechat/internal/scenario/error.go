package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Error is what is wrong with a scenario, and where: the file, line and
// column when it came from a file, and the path of the entry
// ("complaints[2].appid").
type Error struct {
	File   string
	Line   int // from 1; 0 when unknown
	Column int
	Path   string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mockwechat: scenario")
	if e.File != "" {
		b.WriteString(" " + e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
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
// after parsing.
type source struct {
	name string
	file *ast.File
}

// place fills in where e's path is in the file.
func (s *source) place(e *Error) *Error {
	if s == nil {
		return e
	}
	e.File = s.name
	if e.Line == 0 {
		e.Line, e.Column = s.position(e.Path, "")
	}
	return e
}

// position finds the line and column of the value at path ("" the
// document), or of the key named key inside it; 0, 0 when not found.
func (s *source) position(path, key string) (line, column int) {
	if s == nil || s.file == nil || len(s.file.Docs) == 0 {
		return 0, 0
	}
	var node ast.Node = s.file.Docs[0].Body
	if path != "" {
		p, err := yaml.PathString("$." + path)
		if err != nil {
			return 0, 0
		}
		if node, err = p.FilterFile(s.file); err != nil {
			return 0, 0
		}
	}
	if key != "" {
		if m, ok := node.(*ast.MappingNode); ok {
			for _, v := range m.Values {
				if v.Key != nil && v.Key.GetToken() != nil && v.Key.GetToken().Value == key {
					node = v.Key
					break
				}
			}
		}
	}
	if node == nil || node.GetToken() == nil || node.GetToken().Position == nil {
		return 0, 0
	}
	return node.GetToken().Position.Line, node.GetToken().Position.Column
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

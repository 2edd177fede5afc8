package flatjson

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Member is a member of a JSON object to decode: its name, exactly as a
// struct tag gives it to encoding/json, and where its value goes: Dst, a
// string, or Object, the members of an object value. Members not listed
// are skipped.
type Member struct {
	Name   string
	Dst    *string
	Object []Member
}

// Decode decodes the JSON object body into members, as encoding/json
// decodes it into the struct the members describe: a member given twice
// keeps the last value, null leaves a destination as it was, an object
// given twice merges. The strings written are substrings of one copy of
// body (its one allocation), so body may be reused afterwards. It reports
// false, having possibly written some destinations, when it cannot be sure
// to agree with encoding/json: decode body with encoding/json then, into a
// zeroed value.
func Decode(body []byte, members []Member) bool {
	if !json.Valid(body) {
		return false
	}
	s := string(body)
	d := decoder{s: s}
	d.space()
	return d.object(members) && d.i == len(s)
}

// decoder walks JSON already known to be valid: it never checks what
// json.Valid checked (a colon after a name, a value's syntax).
type decoder struct {
	s string
	i int
}

// object decodes the object at d.i into members.
func (d *decoder) object(members []Member) bool {
	if d.peek() != '{' {
		return false
	}
	d.i++
	d.space()
	if d.peek() == '}' {
		d.i++
		d.space()
		return true
	}
	for {
		name, ok := d.plainString()
		if !ok {
			return false
		}
		d.space()
		d.i++ // ':'
		d.space()
		m := find(members, name)
		switch {
		case m == nil:
			if folds(name, members) {
				return false
			}
			d.skip()
		case d.null():
		case m.Dst != nil:
			v, ok := d.plainString()
			if !ok || !utf8.ValidString(v) {
				return false
			}
			*m.Dst = v
		default:
			if !d.object(m.Object) {
				return false
			}
		}
		d.space()
		switch d.peek() {
		case ',':
			d.i++
			d.space()
		case '}':
			d.i++
			d.space()
			return true
		default:
			return false
		}
	}
}

func find(members []Member, name string) *Member {
	for i := range members {
		if members[i].Name == name {
			return &members[i]
		}
	}
	return nil
}

// folds reports whether encoding/json could match name to a member by its
// case-insensitive rule: an ASCII name equal to a member's but for case,
// or any name outside ASCII (its folding reaches further: ſ matches s).
func folds(name string, members []Member) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return true
		}
	}
	for i := range members {
		if strings.EqualFold(name, members[i].Name) {
			return true
		}
	}
	return false
}

// plainString returns the string at d.i without its quotes, or false if
// there is no string there or it holds an escape.
func (d *decoder) plainString() (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	rest := d.s[d.i+1:]
	end := strings.IndexByte(rest, '"')
	if end < 0 || strings.IndexByte(rest[:end], '\\') >= 0 {
		return "", false
	}
	d.i += end + 2
	return rest[:end], true
}

// null consumes a null, if there is one.
func (d *decoder) null() bool {
	if strings.HasPrefix(d.s[d.i:], "null") {
		d.i += 4
		return true
	}
	return false
}

// skip passes over one value: a string (escapes and all), a literal or a
// number, or an object or an array with everything in it.
func (d *decoder) skip() {
	depth := 0
	for {
		switch d.s[d.i] {
		case '"':
			d.i++
			for d.s[d.i] != '"' {
				if d.s[d.i] == '\\' {
					d.i++
				}
				d.i++
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		d.i++
		if depth == 0 && (d.i == len(d.s) || strings.IndexByte(",}] \t\r\n", d.s[d.i]) >= 0) {
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

func (d *decoder) space() {
	for d.i < len(d.s) && strings.IndexByte(" \t\r\n", d.s[d.i]) >= 0 {
		d.i++
	}
}

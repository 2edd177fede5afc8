package text

import (
	"strings"
	"unicode/utf8"
)

// Terminal returns s with everything that could act on a terminal instead
// of being shown written out as a Go escape: C0 and C1 control characters
// (ESC, BEL, CR, LF, TAB and the rest) and DEL as \x1b, \a, \r, \n, \t or
// \u0085, the bidirectional overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) as \u202e, and invalid UTF-8 bytes as \xff. A backslash
// is left as it is: the result is for a person to read, not to parse.
// Printable text, Chinese included, is returned unchanged and without an
// allocation.
func Terminal(s string) string {
	if !needsTerminalEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeByteEscape(&b, s[i])
		case terminalUnsafe(r):
			writeRuneEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsTerminalEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			goto slow
		}
	}
	return false
slow:
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || terminalUnsafe(r) {
			return true
		}
		i += size
	}
	return false
}

// terminalUnsafe reports whether r acts on a terminal or reorders text.
func terminalUnsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// XML returns s with every character XML 1.0 does not allow (C0 controls
// other than TAB, LF and CR; U+FFFE, U+FFFF; invalid UTF-8) written out as
// a Go escape (\x1b, \uffff, \xff), so a report quoting what a peer sent
// stays a well-formed document. Markup characters are left alone: the
// encoder that writes the document escapes them.
func XML(s string) string {
	ok := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !xmlAllowed(r) {
			ok = false
			break
		}
		i += size
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeByteEscape(&b, s[i])
		case !xmlAllowed(r):
			writeRuneEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// xmlAllowed reports whether XML 1.0 allows r in character data (the Char
// production of the XML specification).
func xmlAllowed(r rune) bool {
	return r == 0x9 || r == 0xa || r == 0xd ||
		r >= 0x20 && r <= 0xd7ff ||
		r >= 0xe000 && r <= 0xfffd ||
		r >= 0x10000 && r <= 0x10ffff
}

const hexDigits = "0123456789abcdef"

func writeByteEscape(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

func writeRuneEscape(b *strings.Builder, r rune) {
	switch r {
	case '\a':
		b.WriteString(`\a`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '\v':
		b.WriteString(`\v`)
	default:
		if r < 0x80 {
			writeByteEscape(b, byte(r))
			return
		}
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>uint(shift))&0xf])
		}
	}
}

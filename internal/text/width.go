package text

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// RuneWidth returns how many terminal columns r takes: 2 for East Asian
// wide and fullwidth characters (汉字, fullwidth punctuation such as ，),
// 0 for combining marks, format characters and control characters, 1 for
// everything else (ambiguous-width characters count as narrow, as in
// most terminals outside East Asian locales).
func RuneWidth(r rune) int {
	switch {
	case r < 0x20 || r == 0x7f:
		return 0
	case r < 0x300:
		return 1 // Latin, the common case: no table lookup
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Cc, r):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Width returns how many terminal columns s takes (see RuneWidth). An
// invalid byte counts as one column, as the replacement character a
// terminal shows for it.
func Width(s string) int {
	w := 0
	for _, r := range s {
		w += RuneWidth(r)
	}
	return w
}

// ClipWidth returns s when it fits in w columns; otherwise the longest
// prefix of whole runes that fits in w-1 columns, followed by Ellipsis
// (one column). w < 1 gives "".
func ClipWidth(s string, w int) string {
	if Width(s) <= w {
		return s
	}
	if w < 1 {
		return ""
	}
	used := 0
	for i, r := range s {
		rw := RuneWidth(r)
		if used+rw > w-1 {
			return s[:i] + Ellipsis
		}
		used += rw
	}
	return s // unreachable: Width(s) > w
}

// Pad returns s followed by spaces up to w columns; s is returned as it is
// when it already takes w columns or more. It is fmt's %-*s by display
// width, so a table whose cells hold Chinese text lines up.
func Pad(s string, w int) string {
	n := w - Width(s)
	if n <= 0 {
		return s
	}
	return s + strings.Repeat(" ", n)
}

// PadLeft is Pad with the spaces before s, to right-align numbers.
func PadLeft(s string, w int) string {
	n := w - Width(s)
	if n <= 0 {
		return s
	}
	return strings.Repeat(" ", n) + s
}

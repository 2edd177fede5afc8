package text

import "unicode/utf8"

// Ellipsis marks where Clip and ClipWidth cut a string.
const Ellipsis = "…"

// Clip returns s when it holds at most n bytes; otherwise the longest
// prefix of s of at most n bytes that ends at a rune boundary, followed by
// Ellipsis. It never cuts a UTF-8 sequence in two, so clipping valid UTF-8
// gives valid UTF-8. n < 0 counts as 0.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < 0 {
		n = 0
	}
	cut := n
	// Step back over continuation bytes to the start of the rune that
	// straddles the bound, unless that rune ends exactly at the bound.
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if cut < n && cut+runeLen(s[cut:]) <= n {
		cut = n
	}
	return s[:cut] + Ellipsis
}

// runeLen returns the length of the rune (or invalid byte) s starts with.
func runeLen(s string) int {
	_, size := utf8.DecodeRuneInString(s)
	return size
}

package payfeedback

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// This file holds the fast path of ParseNotification and
// ParseNotificationInto: a scanner that reads a body in one pass and
// records where its values lie; decode.go builds the Notification from
// what it records, and decode_reference.go decides every body it declines.

// span locates a value in the body s: s[off:end].
type span struct{ off, end int32 }

// maxScanPictures is how many pictures of a PicInfo both decoders keep;
// they read and ignore the others, so that a forged body listing thousands
// costs no more than a genuine one (WeChat attaches MaxPictures at most).
const maxScanPictures = 16

// scanned is what the scanner extracts: where the values lie in the body,
// not copies. Recording offsets keeps the scan free of pointer writes (and
// so of GC write barriers).
type scanned struct {
	vals    [numFields]span
	seen    [numFields]bool
	pics    [maxScanPictures]span
	npics   int
	picSeen bool
}

// in returns the value v locates in s.
func (v span) in(s string) string { return s[v.off:v.end] }

// scanNotification is the fast path: a scanner for the shapes WeChat sends.
// It records where the values lie in s and reports true, or reports false
// as soon as it meets anything outside that subset (comments, attributes,
// entities, a CR inside a value, a value in several pieces, nested unknown
// elements, errors of any kind); the reference decoder then decides. It
// therefore never refuses a body on its own, and FuzzDecodeDifferential
// proves that whatever it accepts, the reference decoder accepts with the
// same values.
//
// It reads every byte once: markup is matched literally, and the bytes of
// values are checked (UTF-8, XML characters) by the same loops that
// delimit them, so no separate validation pass is needed.
func scanNotification(s string, out *scanned) bool {
	if len(s) > MaxNotificationSize {
		return false
	}
	sc := scanner{s: s}
	sc.declaration()
	sc.skipSpace()
	if !sc.lit("<xml>") {
		return false
	}
	sc.element()
	for {
		sc.skipSpace()
		// The start tags WeChat writes are matched whole; any other by name.
		if f, ok := sc.fieldTag(); ok {
			if !sc.element() {
				return false
			}
			v, single, ok := sc.value()
			if !ok || !single || !sc.endField(f) || !out.set(s, f, v) {
				return false
			}
			continue
		}
		name, empty, ok := sc.startTag()
		if !ok {
			if !sc.lit("</xml>") {
				return false
			}
			break
		}
		if !sc.element() {
			return false
		}
		if name == "PicInfo" {
			start := out.npics
			if !empty && !sc.picInfo(out) {
				return false
			}
			if !out.setPics(s, start) {
				return false
			}
			continue
		}
		var v span
		if !empty {
			var single bool
			if v, single, ok = sc.value(); !ok || !sc.endName(name) {
				return false
			}
			if f, known := lookupField(name); known && (!single || !out.set(s, f, v)) {
				return false
			}
			continue
		}
		if f, known := lookupField(name); known && !out.set(s, f, v) {
			return false
		}
	}
	sc.skipSpace()
	return sc.i == len(s)
}

// set records a value; false when the element was given before with
// another value (the reference decoder then refuses the body).
func (sc *scanned) set(s string, f field, v span) bool {
	if sc.seen[f] && sc.vals[f].in(s) != v.in(s) {
		return false
	}
	sc.seen[f] = true
	sc.vals[f] = v
	return true
}

// setPics records a PicInfo's pictures, read from index start; a second
// PicInfo must list the same.
func (sc *scanned) setPics(s string, start int) bool {
	if !sc.picSeen {
		sc.picSeen = true
		return true
	}
	first, second := sc.pics[:start], sc.pics[start:sc.npics]
	sc.npics = start
	if len(first) != len(second) {
		return false
	}
	for i := range first {
		if first[i].in(s) != second[i].in(s) {
			return false
		}
	}
	return true
}

type scanner struct {
	s     string
	i     int
	elems int // elements started so far, the root included
}

// element counts one more element; false past MaxElements (the reference
// decoder then refuses the body).
func (sc *scanner) element() bool {
	sc.elems++
	return sc.elems <= MaxElements
}

// declaration skips the XML declarations WeChat and its relays write.
func (sc *scanner) declaration() {
	if !strings.HasPrefix(sc.s, "<?xml ") {
		return
	}
	for _, decl := range [...]string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<?xml version="1.0" encoding="utf-8"?>`,
		`<?xml version="1.0"?>`,
	} {
		if strings.HasPrefix(sc.s, decl) {
			sc.i = len(decl)
			return
		}
	}
}

// skipSpace skips XML white space. A CR there is harmless: only values are
// subject to line-end normalisation.
func (sc *scanner) skipSpace() {
	for sc.i < len(sc.s) && sc.s[sc.i] <= ' ' && isXMLSpace(sc.s[sc.i]) {
		sc.i++
	}
}

// lit reports whether the literal lit is at the scanner's position, and
// skips it. Inlined with a literal, the comparison compiles to a few word
// compares, not a call.
func (sc *scanner) lit(lit string) bool {
	if len(sc.s)-sc.i >= len(lit) && sc.s[sc.i:sc.i+len(lit)] == lit {
		sc.i += len(lit)
		return true
	}
	return false
}

// fieldTag reads the start tag of one of the protocol's text elements, as
// WeChat writes it (<AppId>, …), choosing by the first letter and comparing
// with literals; ok is false, and nothing is read, for anything else.
func (sc *scanner) fieldTag() (f field, ok bool) {
	if len(sc.s)-sc.i < 2 || sc.s[sc.i] != '<' {
		return 0, false
	}
	switch sc.s[sc.i+1] {
	case 'A':
		if sc.lit("<AppId>") {
			return fAppID, true
		}
		if sc.lit("<AppSignature>") {
			return fAppSignature, true
		}
	case 'E':
		if sc.lit("<ExtInfo>") {
			return fExtInfo, true
		}
	case 'F':
		if sc.lit("<FeedBackId>") {
			return fFeedBackID, true
		}
	case 'M':
		if sc.lit("<MsgType>") {
			return fMsgType, true
		}
	case 'O':
		if sc.lit("<OpenId>") {
			return fOpenID, true
		}
	case 'R':
		if sc.lit("<Reason>") {
			return fReason, true
		}
	case 'S':
		if sc.lit("<Solution>") {
			return fSolution, true
		}
		if sc.lit("<SignMethod>") {
			return fSignMethod, true
		}
	case 'T':
		if sc.lit("<TimeStamp>") {
			return fTimeStamp, true
		}
		if sc.lit("<TransId>") {
			return fTransID, true
		}
	}
	return 0, false
}

// startTag reads <name> or <name/> with an ASCII name and no attributes.
func (sc *scanner) startTag() (name string, empty, ok bool) {
	s, i := sc.s, sc.i
	if i+1 >= len(s) || s[i] != '<' || !isNameStart(s[i+1]) {
		return "", false, false
	}
	j := i + 2
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	if j == len(s) {
		return "", false, false
	}
	name = s[i+1 : j]
	switch {
	case s[j] == '>':
		sc.i = j + 1
		return name, false, true
	case s[j] == '/' && j+1 < len(s) && s[j+1] == '>':
		sc.i = j + 2
		return name, true, true
	}
	return "", false, false
}

func isNameStart(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}

// Name bytes after the first (letters, digits, '_', '-', '.') as bitmaps of
// the bytes 0–63 and 64–127.
const (
	nameBytesLow  = 1<<'-' | 1<<'.' | (1<<10-1)<<'0'
	nameBytesHigh = (1<<26-1)<<('A'-64) | 1<<('_'-64) | (1<<26-1)<<('a'-64)
)

func isNameByte(b byte) bool {
	m := uint64(nameBytesLow)
	if b >= 64 {
		m = nameBytesHigh
	}
	return b < 128 && m>>(b&63)&1 != 0
}

// value reads the character data and CDATA sections of a value, up to the
// next '<' that does not open a CDATA section (where the scanner is left),
// and returns where the trimmed value lies. single is false when the value
// is made of several pieces that are not white space (the caller declines
// it if it needs the value). value declines (ok false) entities, CR and
// anything else outside the scanner's domain.
func (sc *scanner) value() (v span, single, ok bool) {
	s, i := sc.s, sc.i
	// The usual shape first: one CDATA section, then a tag.
	if isCDATAStart(s, i) {
		if j := scanCDATA(s, i+len("<![CDATA[")); j >= 0 && j+3 < len(s) && s[j+3] == '<' && !isCDATAStart(s, j+3) {
			sc.i = j + 3
			return trimSpan(s, i+len("<![CDATA["), j), true, true
		}
	}
	pieces := 0 // pieces that are not all white space
	for {
		j := scanText(s, i)
		if j < 0 {
			return span{}, false, false
		}
		if t := trimSpan(s, i, j); t.end > t.off {
			pieces++
			v = t
		}
		i = j
		if !isCDATAStart(s, i) {
			sc.i = i
			// With one piece, the others are white space that trimming
			// removes.
			return v, pieces <= 1, true
		}
		i += len("<![CDATA[")
		if j = scanCDATA(s, i); j < 0 {
			return span{}, false, false
		}
		if t := trimSpan(s, i, j); t.end > t.off {
			pieces++
			v = t
		}
		i = j + len("]]>")
	}
}

// trimSpan returns s[i:j] trimmed of XML white space, as a span.
func trimSpan(s string, i, j int) span {
	for i < j && isXMLSpace(s[i]) {
		i++
	}
	for j > i && isXMLSpace(s[j-1]) {
		j--
	}
	return span{int32(i), int32(j)}
}

// isCDATAStart reports whether "<![CDATA[" is at s[i].
func isCDATAStart(s string, i int) bool {
	return len(s)-i >= len("<![CDATA[") && s[i:i+len("<![CDATA[")] == "<![CDATA["
}

// endName reads </name>.
func (sc *scanner) endName(name string) bool {
	s, i, n := sc.s, sc.i, len(name)
	if len(s)-i > n+2 && s[i] == '<' && s[i+1] == '/' && s[i+2+n] == '>' && s[i+2:i+2+n] == name {
		sc.i += n + 3
		return true
	}
	return false
}

// endField reads the end tag of field f, comparing with literals.
func (sc *scanner) endField(f field) bool {
	switch f {
	case fAppID:
		return sc.lit("</AppId>")
	case fTimeStamp:
		return sc.lit("</TimeStamp>")
	case fOpenID:
		return sc.lit("</OpenId>")
	case fMsgType:
		return sc.lit("</MsgType>")
	case fFeedBackID:
		return sc.lit("</FeedBackId>")
	case fTransID:
		return sc.lit("</TransId>")
	case fReason:
		return sc.lit("</Reason>")
	case fSolution:
		return sc.lit("</Solution>")
	case fExtInfo:
		return sc.lit("</ExtInfo>")
	case fAppSignature:
		return sc.lit("</AppSignature>")
	case fSignMethod:
		return sc.lit("</SignMethod>")
	}
	return false
}

// The scanner checks the bytes of values eight at a time. The masks below
// set the high bit of each byte that is not ASCII, is below 0x20, or equals
// a given byte. A bit above a flagged byte may be set falsely (a borrow),
// but the lowest set bit is always a true one: the loops jump to it.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// special flags the bytes of w that are not printable ASCII.
func special(w uint64) uint64 {
	return (w | (w-0x20*ones)&^w) & highs
}

// equal flags the bytes of w equal to b.
func equal(w uint64, b byte) uint64 {
	x := w ^ (uint64(b) * ones)
	return (x - ones) &^ x & highs
}

// scanCDATA checks the content of a CDATA section from s[i] and returns the
// index of its "]]>", or -1 when the scanner must decline: no end, invalid
// UTF-8, a character XML forbids, or CR (which XML normalises).
func scanCDATA(s string, i int) int {
	for i < len(s) {
		if i+8 <= len(s) {
			w := load64(s, i)
			m := special(w) | equal(w, ']')
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		switch b := s[i]; {
		case b == ']':
			if i+2 < len(s) && s[i+1] == ']' && s[i+2] == '>' {
				return i
			}
		case b >= utf8.RuneSelf:
			if i = plainRunes(s, i); i < 0 {
				return -1
			}
			continue
		case b < 0x20:
			if b != '\n' && b != '\t' {
				return -1
			}
		}
		i++
	}
	return -1
}

// scanText checks character data from s[i] and returns the index of the
// next '<', or -1 when the scanner must decline: no '<', invalid UTF-8, a
// character XML forbids, CR, '&' (entities are left to the reference
// decoder) or "]]>".
func scanText(s string, i int) int {
	for i < len(s) {
		if i+8 <= len(s) {
			w := load64(s, i)
			m := special(w) | equal(w, '<') | equal(w, '&') | equal(w, ']')
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		switch b := s[i]; {
		case b == '<':
			return i
		case b >= utf8.RuneSelf:
			if i = plainRunes(s, i); i < 0 {
				return -1
			}
			continue
		case b < 0x20:
			if b != '\n' && b != '\t' {
				return -1
			}
		case b == '&':
			return -1
		case b == ']':
			if i+2 < len(s) && s[i+1] == ']' && s[i+2] == '>' {
				return -1
			}
		}
		i++
	}
	return -1
}

// plainRunes checks the run of multi-byte characters from s[i] and returns
// the index after it, or -1 for invalid UTF-8 and the non-characters
// U+FFFE, U+FFFF. Text in Chinese is such runs: they are read in one loop,
// not one character per turn of the callers' word-at-a-time loops.
func plainRunes(s string, i int) int {
	for i < len(s) && s[i] >= utf8.RuneSelf {
		// Most of the BMP, CJK included: a lead byte E1–EC or EE and two
		// continuation bytes, always valid and never a non-character.
		if b := s[i]; (b >= 0xE1 && b <= 0xEC || b == 0xEE) && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		i += size
	}
	return i
}

// picInfo reads the children of PicInfo: <item><PicUrl>…</PicUrl></item>.
func (sc *scanner) picInfo(out *scanned) bool {
	for {
		sc.skipSpace()
		if sc.lit("</PicInfo>") {
			return true
		}
		if !sc.lit("<item>") || !sc.element() {
			return false
		}
		sc.skipSpace()
		if !sc.lit("<PicUrl>") || !sc.element() {
			return false
		}
		v, single, ok := sc.value()
		if !ok || !single || !sc.lit("</PicUrl>") {
			return false
		}
		if v.end > v.off && out.npics < len(out.pics) {
			out.pics[out.npics] = v
			out.npics++
		}
		sc.skipSpace()
		if !sc.lit("</item>") {
			return false
		}
	}
}

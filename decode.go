package payfeedback

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// MaxNotificationSize bounds the size of a notification body in bytes.
// WeChat's notifications are well under 4 KiB; 64 KiB leaves room for long
// notes and five picture URLs while bounding the work of a hostile body.
const MaxNotificationSize = 64 << 10

// MaxDepth bounds element nesting. A notification nests four deep
// (xml/PicInfo/item/PicUrl); anything deeper than MaxDepth is refused as
// malformed.
const MaxDepth = 32

// ParseNotification decodes a notification body. It returns a *DecodeError
// (test its class with errors.Is against ErrMalformed, ErrNotXMLRoot,
// ErrDOCTYPE, ErrMissingElement, ErrBadTimestamp, ErrUnknownMsgType,
// ErrConflictingElement or ErrTooLarge) when the body is refused.
//
// ParseNotification only decodes: it does not check the signature (see
// Notification.Verify) nor the age of the timestamp.
func ParseNotification(data []byte) (*Notification, error) {
	return parseNotification(data, true)
}

// parseNotification decodes data with the fast scanner first when fast is
// true, else with the reference decoder alone (for the differential tests).
func parseNotification(data []byte, fast bool) (*Notification, error) {
	if len(data) > MaxNotificationSize {
		return nil, &DecodeError{Err: ErrTooLarge, Detail: "body exceeds 65536 bytes"}
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	blk := new(notificationBlock)
	var raw rawNotification
	raw.pics = blk.pics[:0]
	if !fast || !scanNotification(string(data), &raw) {
		raw = rawNotification{}
		if err := decodeReference(data, &raw); err != nil {
			return nil, err
		}
	}
	if err := raw.finish(&blk.n); err != nil {
		return nil, err
	}
	return &blk.n, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// notificationBlock holds a Notification and room for its pictures, so a
// decode allocates once for both.
type notificationBlock struct {
	n    Notification
	pics [MaxPictures]string
}

// field numbers the elements of a notification that hold text.
type field uint8

const (
	fAppID field = iota
	fTimeStamp
	fOpenID
	fMsgType
	fFeedBackID
	fTransID
	fReason
	fSolution
	fExtInfo
	fAppSignature
	fSignMethod
	numFields
)

// lookupField maps an element name to its field; ok is false for elements
// the protocol does not define (they are ignored) and for PicInfo.
func lookupField(name string) (f field, ok bool) {
	switch name {
	case "AppId":
		return fAppID, true
	case "TimeStamp":
		return fTimeStamp, true
	case "OpenId":
		return fOpenID, true
	case "MsgType":
		return fMsgType, true
	case "FeedBackId":
		return fFeedBackID, true
	case "TransId":
		return fTransID, true
	case "Reason":
		return fReason, true
	case "Solution":
		return fSolution, true
	case "ExtInfo":
		return fExtInfo, true
	case "AppSignature":
		return fAppSignature, true
	case "SignMethod":
		return fSignMethod, true
	}
	return 0, false
}

func (f field) String() string {
	switch f {
	case fAppID:
		return "AppId"
	case fTimeStamp:
		return "TimeStamp"
	case fOpenID:
		return "OpenId"
	case fMsgType:
		return "MsgType"
	case fFeedBackID:
		return "FeedBackId"
	case fTransID:
		return "TransId"
	case fReason:
		return "Reason"
	case fSolution:
		return "Solution"
	case fExtInfo:
		return "ExtInfo"
	case fAppSignature:
		return "AppSignature"
	case fSignMethod:
		return "SignMethod"
	}
	return "?"
}

// rawNotification is what both decoders extract: trimmed element values,
// before the protocol's rules are applied by finish.
type rawNotification struct {
	vals    [numFields]string
	seen    [numFields]bool
	pics    []string
	picSeen bool
}

// set records a value; an element given twice must repeat its value.
func (r *rawNotification) set(f field, v string) error {
	if r.seen[f] && r.vals[f] != v {
		return &DecodeError{Err: ErrConflictingElement, Element: f.String()}
	}
	r.seen[f] = true
	r.vals[f] = v
	return nil
}

// setPics records a PicInfo's pictures; a second PicInfo must list the same.
func (r *rawNotification) setPics(start int) error {
	if !r.picSeen {
		r.picSeen = true
		return nil
	}
	first, second := r.pics[:start], r.pics[start:]
	equal := len(first) == len(second)
	for i := 0; equal && i < len(first); i++ {
		equal = first[i] == second[i]
	}
	r.pics = r.pics[:start]
	if !equal {
		return &DecodeError{Err: ErrConflictingElement, Element: "PicInfo"}
	}
	return nil
}

// finish applies the protocol's rules and fills n.
func (r *rawNotification) finish(n *Notification) error {
	for _, f := range [...]field{fAppID, fTimeStamp, fOpenID, fMsgType, fFeedBackID, fAppSignature} {
		if r.vals[f] == "" {
			return &DecodeError{Err: ErrMissingElement, Element: f.String()}
		}
	}
	if _, err := parseTimestamp(r.vals[fTimeStamp]); err != nil {
		return err
	}
	t := MsgType(r.vals[fMsgType])
	if !t.Valid() {
		return &DecodeError{Err: ErrUnknownMsgType, Element: "MsgType", Detail: "want request, confirm or reject"}
	}
	if t == MsgRequest && r.vals[fTransID] == "" {
		return &DecodeError{Err: ErrMissingElement, Element: "TransId", Detail: "required in a request"}
	}
	*n = Notification{
		AppID:        r.vals[fAppID],
		TimeStamp:    r.vals[fTimeStamp],
		OpenID:       r.vals[fOpenID],
		MsgType:      t,
		FeedBackID:   r.vals[fFeedBackID],
		TransID:      r.vals[fTransID],
		Reason:       r.vals[fReason],
		Solution:     r.vals[fSolution],
		ExtInfo:      r.vals[fExtInfo],
		AppSignature: r.vals[fAppSignature],
		SignMethod:   r.vals[fSignMethod],
	}
	if len(r.pics) > 0 {
		n.PicURLs = r.pics
	}
	return nil
}

// trimXMLSpace trims XML white space (space, tab, CR, LF).
func trimXMLSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isXMLSpace(s[i]) {
		i++
	}
	for j > i && isXMLSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isXMLSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// scanNotification is the fast path: a scanner for the shapes WeChat sends.
// It fills raw with substrings of s (no copies) and reports true, or reports
// false as soon as it meets anything outside that subset (comments,
// attributes, entities, CR, nested unknown elements, errors of any kind);
// the reference decoder then decides. It therefore never refuses a body on
// its own, and FuzzDecodeDifferential proves that whatever it accepts, the
// reference decoder accepts with the same fields.
func scanNotification(s string, raw *rawNotification) bool {
	if !plainChars(s) {
		return false
	}
	sc := scanner{s: s}
	for _, decl := range [...]string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<?xml version="1.0" encoding="utf-8"?>`,
		`<?xml version="1.0"?>`,
	} {
		if strings.HasPrefix(s, decl) {
			sc.i = len(decl)
			break
		}
	}
	sc.skipSpace()
	if !sc.consume("<xml>") {
		return false
	}
	for {
		sc.skipSpace()
		if sc.consume("</xml>") {
			break
		}
		name, empty, ok := sc.startTag()
		if !ok {
			return false
		}
		if name == "PicInfo" {
			start := len(raw.pics)
			if !empty && !sc.picInfo(raw) {
				return false
			}
			if raw.setPics(start) != nil {
				return false
			}
			continue
		}
		v := ""
		if !empty {
			if v, ok = sc.text(name); !ok {
				return false
			}
		}
		if f, known := lookupField(name); known {
			if raw.set(f, v) != nil {
				return false
			}
		}
	}
	sc.skipSpace()
	return sc.i == len(s)
}

// plainChars reports whether s is valid UTF-8 made only of characters XML
// allows, without CR (which XML normalises) — the scanner's precondition.
func plainChars(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	// U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
	if strings.Contains(s, "\xEF\xBF") && (strings.Contains(s, "\uFFFE") || strings.Contains(s, "\uFFFF")) {
		return false
	}
	// Control characters other than tab and LF, eight bytes at a time: a
	// byte below 0x20 sets its high bit in (w - 0x20…) &^ w.
	const lows, highs = 0x2020202020202020, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if (w-lows)&^w&highs == 0 {
			continue
		}
		if !plainControls(s[i : i+8]) {
			return false
		}
	}
	return plainControls(s[i:])
}

// plainControls checks a few bytes one by one: no control character but
// tab and LF.
func plainControls(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 && b != '\n' && b != '\t' {
			return false
		}
	}
	return true
}

type scanner struct {
	s string
	i int
}

func (sc *scanner) skipSpace() {
	for sc.i < len(sc.s) && isXMLSpace(sc.s[sc.i]) {
		sc.i++
	}
}

func (sc *scanner) consume(lit string) bool {
	if strings.HasPrefix(sc.s[sc.i:], lit) {
		sc.i += len(lit)
		return true
	}
	return false
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
	name = s[i+1 : j]
	switch {
	case strings.HasPrefix(s[j:], ">"):
		sc.i = j + 1
		return name, false, true
	case strings.HasPrefix(s[j:], "/>"):
		sc.i = j + 2
		return name, true, true
	}
	return "", false, false
}

func isNameStart(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}

func isNameByte(b byte) bool {
	return isNameStart(b) || b >= '0' && b <= '9' || b == '-' || b == '.'
}

// text reads character data and CDATA sections up to </name>, and returns
// the trimmed value. It refuses (ok false) entities, child elements,
// comments and anything else. The common value of one segment (with white
// space around it) is a substring of s, not a copy.
func (sc *scanner) text(name string) (v string, ok bool) {
	var segs segments
	s := sc.s
	for {
		lt := strings.IndexByte(s[sc.i:], '<')
		if lt < 0 {
			return "", false
		}
		seg := s[sc.i : sc.i+lt]
		if strings.IndexByte(seg, '&') >= 0 || strings.Contains(seg, "]]>") || !segs.add(seg) {
			return "", false
		}
		sc.i += lt
		rest := s[sc.i:]
		switch {
		case strings.HasPrefix(rest, "<![CDATA["):
			start := sc.i + len("<![CDATA[")
			end := strings.Index(s[start:], "]]>")
			if end < 0 || !segs.add(s[start:start+end]) {
				return "", false
			}
			sc.i = start + end + len("]]>")
		case strings.HasPrefix(rest, "</") && strings.HasPrefix(rest[2:], name) && strings.HasPrefix(rest[2+len(name):], ">"):
			sc.i += 2 + len(name) + 1
			return segs.value(), true
		default:
			return "", false
		}
	}
}

// segments collects the pieces (text and CDATA) of one value.
type segments struct {
	all   [8]string
	n     int    // pieces held in all
	count int    // pieces that are not all white space
	only  string // the last such piece
}

// add keeps a piece; false when there are too many for the fast path.
func (g *segments) add(seg string) bool {
	if seg == "" {
		return true
	}
	if g.n == len(g.all) {
		return false
	}
	g.all[g.n] = seg
	g.n++
	if trimXMLSpace(seg) != "" {
		g.count++
		g.only = seg
	}
	return true
}

// value is the trimmed concatenation. With at most one piece that is not
// all white space, the others are only trimmed away, so no copy is made.
func (g *segments) value() string {
	if g.count <= 1 {
		return trimXMLSpace(g.only)
	}
	return trimXMLSpace(strings.Join(g.all[:g.n], ""))
}

// picInfo reads the children of PicInfo: <item><PicUrl>…</PicUrl></item>.
func (sc *scanner) picInfo(raw *rawNotification) bool {
	for {
		sc.skipSpace()
		if sc.consume("</PicInfo>") {
			return true
		}
		if !sc.consume("<item>") {
			return false
		}
		sc.skipSpace()
		if !sc.consume("<PicUrl>") {
			return false
		}
		v, ok := sc.text("PicUrl")
		if !ok {
			return false
		}
		if v != "" {
			raw.pics = append(raw.pics, v)
		}
		sc.skipSpace()
		if !sc.consume("</item>") {
			return false
		}
	}
}

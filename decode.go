package payfeedback

import (
	"unsafe"
)

// MaxNotificationSize bounds the size of a notification body in bytes.
// WeChat's notifications are well under 4 KiB; 64 KiB leaves room for long
// notes and five picture URLs while bounding the work of a hostile body.
const MaxNotificationSize = 64 << 10

// MaxDepth bounds element nesting. A notification nests four deep
// (xml/PicInfo/item/PicUrl); anything deeper than MaxDepth is refused as
// malformed.
const MaxDepth = 32

// MaxElements bounds how many elements a notification may hold, the root
// included. WeChat's have about 20 (11 fields, PicInfo and two per
// picture); unknown elements are allowed, but a body of thousands of tiny
// elements only serves to make a receiver work before the signature is
// checked, and is refused as malformed.
const MaxElements = 256

// ParseNotification decodes a notification body. It returns a *DecodeError
// (test its class with errors.Is against ErrMalformed, ErrNotXMLRoot,
// ErrDOCTYPE, ErrMissingElement, ErrBadTimestamp, ErrUnknownMsgType,
// ErrConflictingElement or ErrTooLarge) when the body is refused.
//
// ParseNotification only decodes: it does not check the signature (see
// Notification.Verify) nor the age of the timestamp. The Notification's
// values are copies: data may be reused at once.
func ParseNotification(data []byte) (*Notification, error) {
	return parseNotification(data, true)
}

// ParseNotificationInto decodes a notification body into dst, as
// ParseNotification does (same values, same errors), without allocating
// for the bodies WeChat sends: dst's strings are not copies but point into
// data, so data must stay unchanged for as long as dst is used (a receiver
// decoding from a pooled buffer uses dst, or copies it with Clone, before
// it returns the buffer). dst's PicURLs array is reused when it has room;
// a body without pictures leaves PicURLs nil, as ParseNotification does,
// and its array with it. On an error dst is left zero.
func ParseNotificationInto(dst *Notification, data []byte) error {
	pics := dst.PicURLs[:0]
	*dst = Notification{}
	if len(data) > MaxNotificationSize {
		return &DecodeError{Err: ErrTooLarge, Detail: "body exceeds 65536 bytes"}
	}
	body := stripBOM(data)
	s := unsafe.String(unsafe.SliceData(body), len(body))
	var sc scanned
	if scanNotification(s, &sc) {
		vals, err := sc.values(s)
		if err != nil {
			return err
		}
		for _, p := range sc.pics[:sc.npics] {
			pics = append(pics, p.in(s))
		}
		dst.fill(&vals, pics)
		return nil
	}
	// The reference path strips the BOM itself: it gets data, not body
	// (a second BOM is text outside the root).
	n, err := parseNotification(data, false)
	if err != nil {
		return err
	}
	*dst = *n
	return nil
}

// Clone returns a copy of n whose values share no memory with n's: what a
// receiver keeps of a Notification decoded by ParseNotificationInto.
func (n *Notification) Clone() *Notification {
	var vals [numFields]string
	n.values(&vals)
	return newNotification(&vals, n.PicURLs)
}

// parseNotification decodes data with the fast scanner first when fast is
// true, else with the reference decoder alone (for the differential tests).
func parseNotification(data []byte, fast bool) (*Notification, error) {
	if len(data) > MaxNotificationSize {
		return nil, &DecodeError{Err: ErrTooLarge, Detail: "body exceeds 65536 bytes"}
	}
	data = stripBOM(data)
	if fast {
		// The scanner reads data in place, through a string that aliases
		// it; build copies the values out before anything is kept.
		s := unsafe.String(unsafe.SliceData(data), len(data))
		var sc scanned
		if scanNotification(s, &sc) {
			return sc.build(s)
		}
	}
	blk := new(notificationBlock)
	raw := rawNotification{pics: blk.pics[:0]}
	if err := decodeReference(data, &raw); err != nil {
		return nil, err
	}
	if err := raw.finish(&blk.n); err != nil {
		return nil, err
	}
	return &blk.n, nil
}

// stripBOM removes a UTF-8 byte-order mark.
func stripBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return data[3:]
	}
	return data
}

// notificationBlock holds a Notification and room for its pictures, so
// they take one allocation.
type notificationBlock struct {
	n    Notification
	pics [MaxPictures]string
}

// blockHeader is the header the Go allocator puts before an object of
// more than 512 bytes that holds pointers (Go 1.22 on): the blocks below
// leave room for it.
const blockHeader = 8

// The blocks that hold a decoded Notification, its pictures and its text
// together: three sizes, each filling one of the Go allocator's size
// classes (576, 1024 and 2048 bytes, header included: TestParseBlocks
// fails when they no longer do). The samples of testdata/notifications
// hold 71 to 262 bytes of text with up to one picture, and take the small
// block (288 bytes of text); five pictures (354 bytes) or long notes take
// the middle one (736), and the large one (1760) what is longer still.
type (
	smallBlock struct {
		notificationBlock
		text [576 - blockHeader - unsafe.Sizeof(notificationBlock{})]byte
	}
	middleBlock struct {
		notificationBlock
		text [1024 - blockHeader - unsafe.Sizeof(notificationBlock{})]byte
	}
	largeBlock struct {
		notificationBlock
		text [2048 - blockHeader - unsafe.Sizeof(notificationBlock{})]byte
	}
)

// newBlock returns a new block and room for size bytes of text: in one
// allocation up to the large block's room, else in two (the text a byte
// slice of its own). The text apart cost a second allocation and the GC a
// second object: with one block, ParseNotification + Verify went from
// 1.51–1.55 times the baseline scanner to 1.39–1.41 (docs/performance.md,
// "One block").
func newBlock(size int) (*notificationBlock, []byte) {
	switch {
	case size <= len(smallBlock{}.text):
		b := new(smallBlock)
		return &b.notificationBlock, b.text[:]
	case size <= len(middleBlock{}.text):
		b := new(middleBlock)
		return &b.notificationBlock, b.text[:]
	case size <= len(largeBlock{}.text):
		b := new(largeBlock)
		return &b.notificationBlock, b.text[:]
	}
	return new(notificationBlock), make([]byte, size)
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
// the protocol does not define (they are ignored) and for PicInfo. It
// dispatches on the length and first letter, then makes one comparison.
func lookupField(name string) (f field, ok bool) {
	var want string
	switch len(name) {
	case 5:
		f, want = fAppID, "AppId"
	case 6:
		if name[0] == 'O' {
			f, want = fOpenID, "OpenId"
		} else {
			f, want = fReason, "Reason"
		}
	case 7:
		switch name[0] {
		case 'M':
			f, want = fMsgType, "MsgType"
		case 'T':
			f, want = fTransID, "TransId"
		default:
			f, want = fExtInfo, "ExtInfo"
		}
	case 8:
		f, want = fSolution, "Solution"
	case 9:
		f, want = fTimeStamp, "TimeStamp"
	case 10:
		if name[0] == 'F' {
			f, want = fFeedBackID, "FeedBackId"
		} else {
			f, want = fSignMethod, "SignMethod"
		}
	case 12:
		f, want = fAppSignature, "AppSignature"
	default:
		return 0, false
	}
	return f, name == want
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
	if err := checkFields(&r.vals); err != nil {
		return err
	}
	n.fill(&r.vals, r.pics)
	return nil
}

// fill sets n from the values of its fields and its pictures (nil when
// there are none).
func (n *Notification) fill(vals *[numFields]string, pics []string) {
	*n = Notification{
		AppID:        vals[fAppID],
		TimeStamp:    vals[fTimeStamp],
		OpenID:       vals[fOpenID],
		MsgType:      MsgType(vals[fMsgType]),
		FeedBackID:   vals[fFeedBackID],
		TransID:      vals[fTransID],
		Reason:       vals[fReason],
		Solution:     vals[fSolution],
		ExtInfo:      vals[fExtInfo],
		AppSignature: vals[fAppSignature],
		SignMethod:   vals[fSignMethod],
	}
	if len(pics) > 0 {
		n.PicURLs = pics
	}
}

// values puts n's fields in vals, the inverse of fill.
func (n *Notification) values(vals *[numFields]string) {
	*vals = [numFields]string{
		fAppID:        n.AppID,
		fTimeStamp:    n.TimeStamp,
		fOpenID:       n.OpenID,
		fMsgType:      string(n.MsgType),
		fFeedBackID:   n.FeedBackID,
		fTransID:      n.TransID,
		fReason:       n.Reason,
		fSolution:     n.Solution,
		fExtInfo:      n.ExtInfo,
		fAppSignature: n.AppSignature,
		fSignMethod:   n.SignMethod,
	}
}

// checkFields applies the protocol's rules to the values of a notification,
// in the order both decoders report them: the required elements, the
// TimeStamp's digits, then the MsgType.
func checkFields(vals *[numFields]string) error {
	for _, f := range [...]field{fAppID, fTimeStamp, fOpenID, fMsgType, fFeedBackID, fAppSignature} {
		if vals[f] == "" {
			return &DecodeError{Err: ErrMissingElement, Element: f.String()}
		}
	}
	if _, err := parseTimestamp(vals[fTimeStamp]); err != nil {
		return err
	}
	if !MsgType(vals[fMsgType]).Valid() {
		return &DecodeError{Err: ErrUnknownMsgType, Element: "MsgType", Detail: "want request, confirm or reject"}
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

// values applies the protocol's rules to the values the scanner located in
// s and returns them, pointing into s.
func (sc *scanned) values(s string) ([numFields]string, error) {
	var vals [numFields]string
	for f, v := range sc.vals {
		vals[f] = s[v.off:v.end]
	}
	return vals, checkFields(&vals)
}

// build applies the protocol's rules to the values the scanner located in
// s and returns the Notification, its values copied out of s (so they
// never alias the body).
func (sc *scanned) build(s string) (*Notification, error) {
	vals, err := sc.values(s)
	if err != nil {
		return nil, err
	}
	var pics [maxScanPictures]string
	for i, p := range sc.pics[:sc.npics] {
		pics[i] = p.in(s)
	}
	return newNotification(&vals, pics[:sc.npics]), nil
}

// protocolWord returns the constant equal to v, the value of field f, when
// v is one of the protocol's words (a MsgType, "sha1" as SignMethod):
// copies share the constant instead of copying it.
func protocolWord(f field, v string) (string, bool) {
	switch {
	case f == fMsgType && v == string(MsgRequest):
		return string(MsgRequest), true
	case f == fMsgType && v == string(MsgConfirm):
		return string(MsgConfirm), true
	case f == fMsgType && v == string(MsgReject):
		return string(MsgReject), true
	case f == fSignMethod && v == SignMethodSHA1:
		return SignMethodSHA1, true
	}
	return "", false
}

// newNotification returns a Notification of the values vals and the
// pictures pics, copied (but for the protocol's words) so that they share
// nothing with their source. One allocation for the bodies WeChat sends:
// the Notification, room for its pictures and its text in one block (see
// newBlock).
func newNotification(vals *[numFields]string, pics []string) *Notification {
	blk, text := newBlock(textSize(vals, pics))
	urls := copyValues(vals, pics, blk.pics[:0], text)
	blk.n.fill(vals, urls)
	return &blk.n
}

// Own copies n's values, all together, into one new byte array, so that n
// shares nothing with the body it was decoded from: what a receiver that
// decodes with ParseNotificationInto from a buffer it reuses does to keep
// n past the buffer's next use. One allocation, where Clone makes a new
// Notification too; the protocol's words (MsgType, SignMethod) are
// constants and stay as they are, and PicURLs keeps its array (nil stays
// nil).
func (n *Notification) Own() {
	var vals [numFields]string
	n.values(&vals)
	size := textSize(&vals, n.PicURLs) - wordBytes(&vals)
	urls := copyValues(&vals, n.PicURLs, n.PicURLs[:0], make([]byte, size))
	n.fill(&vals, urls)
}

// wordBytes is how many bytes of vals are protocol words, which
// copyValues does not copy: Own leaves them out of its allocation, whose
// size class they can change (the usual sample's 261 bytes take 288, its
// 250 without the words 256).
func wordBytes(vals *[numFields]string) int {
	size := 0
	for _, f := range [...]field{fMsgType, fSignMethod} {
		if _, ok := protocolWord(f, vals[f]); ok {
			size += len(vals[f])
		}
	}
	return size
}

// textSize is the room copyValues needs for vals and pics: their lengths
// added. The protocol's words, which are not copied, count too: leaving
// them out measured 2 % slower for ParseNotification than the 11 bytes
// they spare (Own leaves them out: wordBytes).
func textSize(vals *[numFields]string, pics []string) int {
	size := 0
	for _, v := range vals {
		size += len(v)
	}
	for _, p := range pics {
		size += len(p)
	}
	return size
}

// copyValues puts in vals, in place of each value but the protocol's
// words (which become the constants), a copy written into text, and
// appends copies of pics to urls, written into text after them, which it
// returns; text must have textSize's room. urls may share pics' array:
// each picture is read before its place is written. The strings point
// into text, which nothing writes again: text must be new, and kept by
// nobody else.
func copyValues(vals *[numFields]string, pics, urls []string, text []byte) []string {
	at := 0
	put := func(v string) string {
		if v == "" {
			return ""
		}
		n := copy(text[at:], v)
		s := unsafe.String(&text[at], n)
		at += n
		return s
	}
	for f, v := range vals {
		if w, ok := protocolWord(field(f), v); ok {
			vals[f] = w
		} else {
			vals[f] = put(v)
		}
	}
	for _, p := range pics {
		urls = append(urls, put(p))
	}
	return urls
}

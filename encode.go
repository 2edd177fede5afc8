package payfeedback

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MarshalXML-like encoding: AppendXML writes a notification the way WeChat
// writes it (docs/protocol.md, "The notification"): root <xml>, one element a line, strings in CDATA,
// TimeStamp as plain text, PicInfo last.

// Encode returns the notification as WeChat would send it. It fails when a
// value cannot be carried by XML (invalid UTF-8 or a control character).
// Decoding what Encode wrote gives the notification back, except that
// decoding trims white space around values.
func (n *Notification) Encode() ([]byte, error) {
	return n.AppendXML(make([]byte, 0, 640))
}

// AppendXML appends the encoded notification to dst (see Encode).
// Optional elements are written when not empty; a request always carries
// Reason, Solution and ExtInfo (empty ones too), as WeChat writes it.
// TransId is written only when set: a complaint filed without an order has
// none, in any MsgType.
func (n *Notification) AppendXML(dst []byte) ([]byte, error) {
	request := n.MsgType == MsgRequest
	type elem struct {
		name, value string
		plain       bool // written as text, not CDATA
		always      bool
	}
	elems := [...]elem{
		{"OpenId", n.OpenID, false, true},
		{"AppId", n.AppID, false, true},
		{"TimeStamp", n.TimeStamp, true, true},
		{"MsgType", string(n.MsgType), false, true},
		{"FeedBackId", n.FeedBackID, false, true},
		{"TransId", n.TransID, false, false},
		{"Reason", n.Reason, false, request},
		{"Solution", n.Solution, false, request},
		{"ExtInfo", n.ExtInfo, false, request},
		{"AppSignature", n.AppSignature, false, true},
		{"SignMethod", n.SignMethod, false, false},
	}
	dst = append(dst, "<xml>\n"...)
	for _, e := range elems {
		if e.value == "" && !e.always {
			continue
		}
		if err := checkXMLText(e.name, e.value); err != nil {
			return nil, err
		}
		dst = append(dst, '<')
		dst = append(dst, e.name...)
		dst = append(dst, '>')
		if e.plain && isDigits(e.value) {
			dst = append(dst, e.value...)
		} else {
			dst = appendCDATA(dst, e.value)
		}
		dst = append(dst, "</"...)
		dst = append(dst, e.name...)
		dst = append(dst, ">\n"...)
	}
	if len(n.PicURLs) > 0 {
		dst = append(dst, "<PicInfo>\n"...)
		for _, u := range n.PicURLs {
			if err := checkXMLText("PicUrl", u); err != nil {
				return nil, err
			}
			dst = append(dst, "<item><PicUrl>"...)
			dst = appendCDATA(dst, u)
			dst = append(dst, "</PicUrl></item>\n"...)
		}
		dst = append(dst, "</PicInfo>\n"...)
	}
	return append(dst, "</xml>"...), nil
}

// appendCDATA writes s as CDATA. A "]]>" inside s is split across two
// sections, and a CR, which XML would read back as LF, is written between
// sections as the character reference &#13;, so decoding gives s back.
func appendCDATA(dst []byte, s string) []byte {
	dst = append(dst, "<![CDATA["...)
	for {
		end := strings.Index(s, "]]>")
		cr := strings.IndexByte(s, '\r')
		switch {
		case end >= 0 && (cr < 0 || end < cr):
			dst = append(dst, s[:end+2]...)
			dst = append(dst, "]]><![CDATA["...)
			s = s[end+2:]
		case cr >= 0:
			dst = append(dst, s[:cr]...)
			dst = append(dst, "]]>&#13;<![CDATA["...)
			s = s[cr+1:]
		default:
			dst = append(dst, s...)
			return append(dst, "]]>"...)
		}
	}
}

// checkXMLText refuses values XML cannot carry.
func checkXMLText(name, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("payfeedback: encode <%s>: value is not valid UTF-8", name)
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("payfeedback: encode <%s>: value holds character %U, which XML cannot carry", name, r)
		}
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package api

import (
	"unicode/utf8"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// fastSend reads the common custom/send bodies — a text, image or voice
// message written plainly — without encoding/json, which costs a tenth of
// the fake's CPU under load. It gives up (false) on anything else: another
// message type, an escape in a string, a key it does not know or sees
// twice, a null, a body that would be refused; parseSend then decodes with
// encoding/json. FuzzFastSend proves that whenever fastSend answers,
// encoding/json reads the same message.
func fastSend(body []byte) (world.Outgoing, bool) {
	s := scanner{b: body}
	m := world.Outgoing{Raw: body}
	var text, media [3]string // text content; image, voice media_id
	var seen uint8
	if !s.next('{') {
		return m, false
	}
	for {
		key, ok := s.str()
		if !ok || !s.next(':') {
			return m, false
		}
		bit, field := uint8(0), (*string)(nil)
		switch key {
		case "touser":
			bit, field = 1, &m.ToUser
		case "msgtype":
			bit = 2
			var t string
			if t, ok = s.str(); !ok {
				return m, false
			}
			m.MsgType = payfeedback.MessageType(t)
		case "text":
			bit, ok = 4, s.object("content", &text[0])
		case "image":
			bit, ok = 8, s.object("media_id", &media[1])
		case "voice":
			bit, ok = 16, s.object("media_id", &media[2])
		default:
			return m, false
		}
		if field != nil {
			*field, ok = s.str()
		}
		if !ok || seen&bit != 0 {
			return m, false
		}
		seen |= bit
		if s.next(',') {
			continue
		}
		if !s.next('}') {
			return m, false
		}
		break
	}
	if !s.end() {
		return m, false
	}
	switch m.MsgType {
	case payfeedback.MessageText:
		return m, text[0] != ""
	case payfeedback.MessageImage:
		m.Media = []string{media[1]}
		return m, media[1] != ""
	case payfeedback.MessageVoice:
		m.Media = []string{media[2]}
		return m, media[2] != ""
	}
	return m, false
}

// scanner reads plain JSON: it reports false on whatever it does not
// handle.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next takes c, after white space.
func (s *scanner) next(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str takes a string without escapes, valid UTF-8.
func (s *scanner) str() (string, bool) {
	if !s.next('"') {
		return "", false
	}
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(v) {
				return "", false
			}
			return string(v), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// object takes {"key": "value"} and nothing else.
func (s *scanner) object(key string, v *string) bool {
	if !s.next('{') {
		return false
	}
	k, ok := s.str()
	if !ok || k != key || !s.next(':') {
		return false
	}
	if *v, ok = s.str(); !ok {
		return false
	}
	return s.next('}')
}

// end reports whether only white space remains.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

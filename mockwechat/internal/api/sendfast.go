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
//
// It allocates one string, the touser: the message type is the constant it
// names, and the text and media ids are only checked (a media id is copied
// for the world's check only in image and voice messages).
func fastSend(body []byte) (world.Outgoing, bool) {
	s := scanner{b: body}
	m := world.Outgoing{Raw: body}
	var text, image, voice []byte // text content; image and voice media_id
	var seen uint8
	if !s.next('{') {
		return m, false
	}
	for {
		key, ok := s.str()
		if !ok || !s.next(':') {
			return m, false
		}
		var bit uint8
		switch string(key) {
		case "touser":
			bit = 1
			var v []byte
			if v, ok = s.str(); ok {
				m.ToUser = string(v)
			}
		case "msgtype":
			bit = 2
			var t []byte
			if t, ok = s.str(); !ok {
				return m, false
			}
			// Other types leave the body to encoding/json.
			switch string(t) {
			case string(payfeedback.MessageText):
				m.MsgType = payfeedback.MessageText
			case string(payfeedback.MessageImage):
				m.MsgType = payfeedback.MessageImage
			case string(payfeedback.MessageVoice):
				m.MsgType = payfeedback.MessageVoice
			default:
				return m, false
			}
		case "text":
			bit = 4
			text, ok = s.object("content")
		case "image":
			bit = 8
			image, ok = s.object("media_id")
		case "voice":
			bit = 16
			voice, ok = s.object("media_id")
		default:
			return m, false
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
		return m, len(text) > 0
	case payfeedback.MessageImage:
		m.Media = []string{string(image)}
		return m, len(image) > 0
	case payfeedback.MessageVoice:
		m.Media = []string{string(voice)}
		return m, len(voice) > 0
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

// str takes a string without escapes, valid UTF-8, and returns its bytes
// (in the body: not a copy).
func (s *scanner) str() ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(v) {
				return nil, false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// object takes {"key": "value"} and nothing else, and returns the value's
// bytes.
func (s *scanner) object(key string) ([]byte, bool) {
	if !s.next('{') {
		return nil, false
	}
	k, ok := s.str()
	if !ok || string(k) != key || !s.next(':') {
		return nil, false
	}
	v, ok := s.str()
	if !ok || !s.next('}') {
		return nil, false
	}
	return v, true
}

// end reports whether only white space remains.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

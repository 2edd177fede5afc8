package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// FuzzParseSend: the custom/send parser never panics, answers only the
// documented codes, and on success returns a known msgtype with its
// required fields.
func FuzzParseSend(f *testing.F) {
	for _, s := range []string{
		`{"touser":"o1","msgtype":"text","text":{"content":"hello"}}`,
		`{"touser":"o1","msgtype":"video","video":{"media_id":"m","thumb_media_id":"t"}}`,
		`{"touser":"o1","msgtype":"music","music":{"musicurl":"a","hqmusicurl":"b","thumb_media_id":"t"}}`,
		`{"touser":"o1","msgtype":"news","news":{"articles":[{"title":"x"}]}}`,
		``, `[]`, `{"msgtype":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseSend(b)
		if err != nil {
			switch answer(err).code {
			case payfeedback.CodeEmptyPostData, payfeedback.CodeDataFormat, payfeedback.CodeInvalidMsgType:
			default:
				t.Fatalf("undocumented code %d", answer(err).code)
			}
			return
		}
		var sb sendBody
		if err := json.Unmarshal(b, &sb); err != nil {
			t.Fatalf("accepted a body that is not JSON: %v", err)
		}
		for _, id := range m.Media {
			if id == "" {
				t.Fatal("accepted an empty media id")
			}
		}
		switch m.MsgType {
		case payfeedback.MessageText:
			if sb.Text.Content == "" {
				t.Fatal("text without content accepted")
			}
		case payfeedback.MessageNews:
			if m.Articles == 0 || m.Articles != len(sb.News.Articles) {
				t.Fatalf("news of %d articles accepted as %d", len(sb.News.Articles), m.Articles)
			}
		case payfeedback.MessageImage, payfeedback.MessageVoice, payfeedback.MessageVideo, payfeedback.MessageMusic:
			if len(m.Media) == 0 {
				t.Fatal("a media message without its media id accepted")
			}
		default:
			t.Fatalf("accepted msgtype %q", m.MsgType)
		}
	})
}

// FuzzParseDeliver: the deliver-notify parser never panics and on success
// has every required field and a valid status.
func FuzzParseDeliver(f *testing.F) {
	f.Add([]byte(`{"appid":"a","openid":"o","transid":"1","out_trade_no":"m","deliver_timestamp":1,"deliver_status":"1","deliver_msg":"ok","app_signature":"x","sign_method":"sha1"}`))
	f.Add([]byte(`{"appid":1.5e3}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseDeliver(b)
		if err != nil {
			if c := answer(err).code; c != payfeedback.CodeEmptyPostData && c != payfeedback.CodeDataFormat {
				t.Fatalf("undocumented code %d", c)
			}
			return
		}
		if d.AppID == "" || d.TransID == "" || d.AppSignature == "" {
			t.Fatal("accepted without a required field")
		}
	})
}

// FuzzFastSend: whenever the fast path reads a custom/send body, the
// encoding/json path reads the same message from it.
func FuzzFastSend(f *testing.F) {
	for _, s := range []string{
		`{"touser":"o1","msgtype":"text","text":{"content":"hello"}}`,
		` { "touser" : "o1" , "msgtype":"image", "image":{ "media_id":"m" } } `,
		`{"msgtype":"voice","voice":{"media_id":"m"},"touser":"用户"}`,
		`{"touser":"o1","msgtype":"text","text":{"content":"a\"b"}}`,
		`{"touser":"o1","ToUser":"o2","msgtype":"text","text":{"content":"x"}}`,
		`{"touser":"o1","touser":"o2","msgtype":"text","text":{"content":"x"}}`,
		`{"touser":"o1","msgtype":"text","text":{"content":"x"},"image":{"media_id":"m"}}`,
		`{"touser":"\xff","msgtype":"text","text":{"content":"x"}}`,
		`{"touser":"o1","msgtype":"text","text":{"content":"x"}} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := fastSend(b)
		if !ok {
			return
		}
		slow, err := decodeSend(b)
		if err != nil {
			t.Fatalf("fast path read %q, encoding/json refuses it: %v", b, err)
		}
		if fast.ToUser != slow.ToUser || fast.MsgType != slow.MsgType || fast.Articles != slow.Articles ||
			strings.Join(fast.Media, "\x00") != strings.Join(slow.Media, "\x00") || string(fast.Raw) != string(slow.Raw) ||
			len(fast.Media) != len(slow.Media) {
			t.Fatalf("%q: fast path %+v, encoding/json %+v", b, fast, slow)
		}
	})
}

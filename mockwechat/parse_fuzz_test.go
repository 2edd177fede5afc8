package mockwechat

import (
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
		m, media, resp, ok := parseSend(b)
		if !ok {
			switch resp.code {
			case payfeedback.CodeEmptyPostData, payfeedback.CodeDataFormat, payfeedback.CodeInvalidMsgType:
			default:
				t.Fatalf("undocumented code %d", resp.code)
			}
			return
		}
		for _, id := range media {
			if id == "" {
				t.Fatal("accepted an empty media id")
			}
		}
		switch m.MsgType {
		case MsgText:
			if m.Text.Content == "" {
				t.Fatal("text without content accepted")
			}
		case MsgNews:
			if len(m.News.Articles) == 0 {
				t.Fatal("news without articles accepted")
			}
		case MsgImage, MsgVoice, MsgVideo, MsgMusic:
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
		d, resp, ok := parseDeliver(b)
		if !ok {
			if resp.code != payfeedback.CodeEmptyPostData && resp.code != payfeedback.CodeDataFormat {
				t.Fatalf("undocumented code %d", resp.code)
			}
			return
		}
		if d.AppID == "" || d.TransID == "" || d.AppSignature == "" {
			t.Fatal("accepted without a required field")
		}
	})
}

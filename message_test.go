package payfeedback_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

func articles(n int) []payfeedback.Article {
	as := make([]payfeedback.Article, n)
	for i := range as {
		as[i] = payfeedback.Article{Title: "t", URL: "https://example.com/a", PicURL: "http://example.com/p.jpg"}
	}
	return as
}

func TestMessageValidate(t *testing.T) {
	music := payfeedback.MusicMessage{MusicURL: "http://m/x.mp3", HQMusicURL: "https://m/x.flac", ThumbMediaID: "th"}
	tests := []struct {
		name      string
		msg       payfeedback.Message
		limits    payfeedback.MessageLimits
		wantField string // "" = valid
		wantRule  string
	}{
		{"text", payfeedback.TextMessage{Content: "hello"}, payfeedback.MessageLimits{}, "", ""},
		{"text empty", payfeedback.TextMessage{}, payfeedback.MessageLimits{}, "content", "required"},
		// Present and not empty is what the document asks; white space is
		// sent as given, as the fake accepts it (it was refused before).
		{"text blank", payfeedback.TextMessage{Content: " \n\t"}, payfeedback.MessageLimits{}, "", ""},
		{"music blank urls", payfeedback.MusicMessage{MusicURL: " ", HQMusicURL: "\t", ThumbMediaID: "t"}, payfeedback.MessageLimits{}, "", ""},
		{"image", payfeedback.ImageMessage{MediaID: "m"}, payfeedback.MessageLimits{}, "", ""},
		{"image no media", payfeedback.ImageMessage{}, payfeedback.MessageLimits{}, "media_id", "required"},
		{"voice", payfeedback.VoiceMessage{MediaID: "m"}, payfeedback.MessageLimits{}, "", ""},
		{"voice no media", payfeedback.VoiceMessage{}, payfeedback.MessageLimits{}, "media_id", "required"},
		{"video", payfeedback.VideoMessage{MediaID: "m", ThumbMediaID: "t"}, payfeedback.MessageLimits{}, "", ""},
		{"video no media", payfeedback.VideoMessage{ThumbMediaID: "t"}, payfeedback.MessageLimits{}, "media_id", "required"},
		{"video no thumb", payfeedback.VideoMessage{MediaID: "m"}, payfeedback.MessageLimits{}, "thumb_media_id", "required"},
		{"music", music, payfeedback.MessageLimits{}, "", ""},
		{"music no url", payfeedback.MusicMessage{HQMusicURL: "http://m/x", ThumbMediaID: "t"}, payfeedback.MessageLimits{}, "musicurl", "required"},
		{"music no hq url", payfeedback.MusicMessage{MusicURL: "http://m/x", ThumbMediaID: "t"}, payfeedback.MessageLimits{}, "hqmusicurl", "required"},
		{"music no thumb", payfeedback.MusicMessage{MusicURL: "http://m/x", HQMusicURL: "http://m/x"}, payfeedback.MessageLimits{}, "thumb_media_id", "required"},
		{"news 1", payfeedback.NewsMessage{Articles: articles(1)}, payfeedback.MessageLimits{}, "", ""},
		{"news 10 default limit", payfeedback.NewsMessage{Articles: articles(10)}, payfeedback.MessageLimits{}, "", ""},
		{"news 11 default limit", payfeedback.NewsMessage{Articles: articles(11)}, payfeedback.MessageLimits{}, "articles", "at most 10 articles, got 11"},
		{"news 8 limit 8", payfeedback.NewsMessage{Articles: articles(8)}, payfeedback.MessageLimits{MaxArticles: 8}, "", ""},
		{"news 9 limit 8", payfeedback.NewsMessage{Articles: articles(9)}, payfeedback.MessageLimits{MaxArticles: 8}, "articles", "at most 8 articles, got 9"},
		{"news 2 limit 1", payfeedback.NewsMessage{Articles: articles(2)}, payfeedback.MessageLimits{MaxArticles: 1}, "articles", "at most 1 articles, got 2"},
		// The kit's choice, not the document's (client and fake agree).
		{"news empty", payfeedback.NewsMessage{}, payfeedback.MessageLimits{}, "articles", "at least one article"},
		// Every field of an article is optional (the document marks all four 否).
		{"news article without title", payfeedback.NewsMessage{Articles: []payfeedback.Article{{Title: "a"}, {URL: "http://x/"}}}, payfeedback.MessageLimits{}, "", ""},
		{"news empty article", payfeedback.NewsMessage{Articles: []payfeedback.Article{{}}}, payfeedback.MessageLimits{}, "", ""},
		{"news url only", payfeedback.NewsMessage{Articles: []payfeedback.Article{{URL: "http://x/"}}}, payfeedback.MessageLimits{}, "", ""},
		{"news picurl only", payfeedback.NewsMessage{Articles: []payfeedback.Article{{PicURL: "http://x/p.jpg"}}}, payfeedback.MessageLimits{}, "", ""},
		{"news description only", payfeedback.NewsMessage{Articles: []payfeedback.Article{{Description: "d"}}}, payfeedback.MessageLimits{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.msg.Validate(tt.limits)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			var ve *payfeedback.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate: %v (%T), want a *ValidationError", err, err)
			}
			if !errors.Is(err, payfeedback.ErrInvalidRequest) {
				t.Errorf("errors.Is(err, ErrInvalidRequest) = false")
			}
			if ve.Field != tt.wantField || !strings.Contains(ve.Rule, tt.wantRule) {
				t.Errorf("field %q rule %q, want field %q rule containing %q", ve.Field, ve.Rule, tt.wantField, tt.wantRule)
			}
			if want := string(tt.msg.Type()) + " message"; ve.Subject != want {
				t.Errorf("subject %q, want %q", ve.Subject, want)
			}
			if !strings.Contains(err.Error(), tt.wantField) || !strings.Contains(err.Error(), tt.wantRule) {
				t.Errorf("message %q does not name the field and the rule", err)
			}
		})
	}
}

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		limits    payfeedback.MessageLimits
		want      payfeedback.Message
		wantField string
		wantRule  string
	}{
		{name: "text", body: `{"msgtype":"text","text":{"content":"你好"}}`, want: payfeedback.TextMessage{Content: "你好"}},
		{name: "text with touser", body: `{"touser":"o1","msgtype":"text","text":{"content":"hi"}}`, want: payfeedback.TextMessage{Content: "hi"}},
		{name: "image", body: `{"msgtype":"image","image":{"media_id":"M"}}`, want: payfeedback.ImageMessage{MediaID: "M"}},
		{name: "voice", body: `{"msgtype":"voice","voice":{"media_id":"M"}}`, want: payfeedback.VoiceMessage{MediaID: "M"}},
		{name: "video", body: `{"msgtype":"video","video":{"media_id":"M","thumb_media_id":"T"}}`, want: payfeedback.VideoMessage{MediaID: "M", ThumbMediaID: "T"}},
		{name: "music", body: `{"msgtype":"music","music":{"title":"a","description":"b","musicurl":"http://m/1","hqmusicurl":"http://m/2","thumb_media_id":"T"}}`,
			want: payfeedback.MusicMessage{Title: "a", Description: "b", MusicURL: "http://m/1", HQMusicURL: "http://m/2", ThumbMediaID: "T"}},
		{name: "news", body: `{"msgtype":"news","news":{"articles":[{"title":"t","description":"d","url":"http://u/","picurl":"http://p/"}]}}`,
			want: payfeedback.NewsMessage{Articles: []payfeedback.Article{{Title: "t", Description: "d", URL: "http://u/", PicURL: "http://p/"}}}},
		{name: "not json", body: `text: hi`, wantField: "", wantRule: "not a JSON object"},
		{name: "array", body: `[1]`, wantField: "", wantRule: "not a JSON object"},
		{name: "no msgtype", body: `{"text":{"content":"hi"}}`, wantField: "msgtype", wantRule: "required"},
		{name: "msgtype not string", body: `{"msgtype":1}`, wantField: "msgtype", wantRule: "must be a string"},
		{name: "unknown msgtype", body: `{"msgtype":"wxcard","wxcard":{}}`, wantField: "msgtype", wantRule: `unknown type "wxcard"`},
		{name: "no payload", body: `{"msgtype":"text"}`, wantField: "text", wantRule: "required"},
		{name: "payload of another type", body: `{"msgtype":"text","image":{"media_id":"M"}}`, wantField: "image", wantRule: "unknown field for a text message"},
		{name: "typo in payload", body: `{"msgtype":"text","text":{"contnet":"hi"}}`, wantField: "text", wantRule: `unknown field "contnet"`},
		{name: "wrong payload shape", body: `{"msgtype":"news","news":{"articles":{}}}`, wantField: "news", wantRule: "cannot unmarshal"},
		{name: "invalid after decoding", body: `{"msgtype":"text","text":{"content":""}}`, wantField: "content", wantRule: "required"},
		{name: "article limit", body: `{"msgtype":"news","news":{"articles":[{"title":"a"},{"title":"b"}]}}`,
			limits: payfeedback.MessageLimits{MaxArticles: 1}, wantField: "articles", wantRule: "at most 1 articles, got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := payfeedback.ParseMessage([]byte(tt.body), tt.limits)
			if tt.want != nil {
				if err != nil {
					t.Fatalf("ParseMessage: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ParseMessage (-want +got):\n%s", diff)
				}
				return
			}
			var ve *payfeedback.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ParseMessage: %v (%T), want a *ValidationError", err, err)
			}
			if ve.Field != tt.wantField || !strings.Contains(ve.Rule, tt.wantRule) {
				t.Errorf("field %q rule %q, want field %q rule containing %q", ve.Field, ve.Rule, tt.wantField, tt.wantRule)
			}
		})
	}
}

// TestMessageJSON pins the wire payload of each typed message: the fields
// docs/protocol.md, "Customer-service messages" names, and no others.
func TestMessageJSON(t *testing.T) {
	tests := []struct {
		msg  payfeedback.Message
		want string
	}{
		{payfeedback.TextMessage{Content: "a<b"}, `{"content":"a\u003cb"}`},
		{payfeedback.ImageMessage{MediaID: "M"}, `{"media_id":"M"}`},
		{payfeedback.VoiceMessage{MediaID: "M"}, `{"media_id":"M"}`},
		{payfeedback.VideoMessage{MediaID: "M", ThumbMediaID: "T"}, `{"media_id":"M","thumb_media_id":"T"}`},
		{payfeedback.MusicMessage{MusicURL: "u", HQMusicURL: "h", ThumbMediaID: "T"}, `{"musicurl":"u","hqmusicurl":"h","thumb_media_id":"T"}`},
		{payfeedback.MusicMessage{Title: "t", Description: "d", MusicURL: "u", HQMusicURL: "h", ThumbMediaID: "T"},
			`{"title":"t","description":"d","musicurl":"u","hqmusicurl":"h","thumb_media_id":"T"}`},
		{payfeedback.NewsMessage{Articles: []payfeedback.Article{{Title: "t", Description: "d", URL: "u", PicURL: "p"}, {Title: "x"}}},
			`{"articles":[{"title":"t","description":"d","url":"u","picurl":"p"},{"title":"x"}]}`},
	}
	for _, tt := range tests {
		t.Run(string(tt.msg.Type()), func(t *testing.T) {
			got, err := json.Marshal(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("JSON %s, want %s", got, tt.want)
			}
			// What is encoded parses back to the same message.
			body := `{"msgtype":"` + string(tt.msg.Type()) + `","` + string(tt.msg.Type()) + `":` + string(got) + `}`
			back, err := payfeedback.ParseMessage([]byte(body), payfeedback.MessageLimits{})
			if err != nil && tt.msg.Validate(payfeedback.MessageLimits{}) == nil {
				t.Fatalf("ParseMessage(%s): %v", body, err)
			}
			if err == nil {
				if diff := cmp.Diff(tt.msg, back); diff != "" {
					t.Errorf("round trip (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// FuzzParseMessage: ParseMessage never panics, and what it accepts is valid
// and survives an encode/parse round trip.
func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{
		`{"msgtype":"text","text":{"content":"hi"}}`,
		`{"msgtype":"news","news":{"articles":[{"title":"t","url":"http://u/"}]}}`,
		`{"msgtype":"music","music":{"musicurl":"http://m/1","hqmusicurl":"http://m/2","thumb_media_id":"T"}}`,
		`{"msgtype":"video","video":{"media_id":"M","thumb_media_id":"T"}}`,
		`{"touser":"o","msgtype":"image","image":{"media_id":"M"}}`,
		`{}`, `null`, `{"msgtype":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := payfeedback.ParseMessage(data, payfeedback.MessageLimits{})
		if err != nil {
			if !errors.Is(err, payfeedback.ErrInvalidRequest) {
				t.Fatalf("error %v is not ErrInvalidRequest", err)
			}
			return
		}
		if err := msg.Validate(payfeedback.MessageLimits{}); err != nil {
			t.Fatalf("accepted an invalid message: %v", err)
		}
		payload, err := json.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		tn := string(msg.Type())
		back, err := payfeedback.ParseMessage([]byte(`{"msgtype":"`+tn+`","`+tn+`":`+string(payload)+`}`), payfeedback.MessageLimits{})
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if diff := cmp.Diff(msg, back); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

// customMessage is a Message of the caller's own, to reach the fake's
// checks the typed messages never fail.
type customMessage struct {
	kind    payfeedback.MessageType
	payload any
}

func (m customMessage) Type() payfeedback.MessageType            { return m.kind }
func (m customMessage) Validate(payfeedback.MessageLimits) error { return nil }
func (m customMessage) MarshalJSON() ([]byte, error)             { return json.Marshal(m.payload) }

// TestSendMessageAgainstFake sends every message type to the fake (media
// uploaded first) and checks what lands in the user's inbox; then each
// answer the fake gives on its own.
func TestSendMessageAgainstFake(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, mockwechat.Options{})
	comp := f.complaint(t) // filing counts as an interaction: the window is open
	c := f.client(t, nil)
	upload := func(typ payfeedback.MediaType, name string) string {
		m, err := c.UploadMedia(ctx, typ, name, bytes.NewReader([]byte("fake "+string(typ)+" bytes")))
		if err != nil {
			t.Fatalf("UploadMedia(%s): %v", typ, err)
		}
		return m.ID
	}
	image, voice, video, thumb := upload(payfeedback.MediaImage, "a.jpg"), upload(payfeedback.MediaVoice, "a.amr"),
		upload(payfeedback.MediaVideo, "a.mp4"), upload(payfeedback.MediaThumb, "t.jpg")
	msgs := []payfeedback.Message{
		payfeedback.TextMessage{Content: "您的投诉已收到，我们正在处理。"},
		payfeedback.ImageMessage{MediaID: image},
		payfeedback.VoiceMessage{MediaID: voice},
		payfeedback.VideoMessage{MediaID: video, ThumbMediaID: thumb},
		payfeedback.MusicMessage{Title: "t", MusicURL: "http://m.example/a.mp3", HQMusicURL: "http://m.example/a.flac", ThumbMediaID: thumb},
		payfeedback.NewsMessage{Articles: articles(10)},
	}
	for _, m := range msgs {
		if err := c.SendMessage(ctx, comp.OpenID, m); err != nil {
			t.Fatalf("SendMessage(%s): %v", m.Type(), err)
		}
	}
	inbox := f.srv.InboxOf(f.acct.AppID, comp.OpenID)
	if len(inbox) != len(msgs) {
		t.Fatalf("inbox has %d messages, want %d", len(inbox), len(msgs))
	}
	for i, got := range inbox {
		if got.MsgType != msgs[i].Type() || got.ToUser != comp.OpenID {
			t.Errorf("message %d: %s to %s, want %s to %s", i, got.MsgType, got.ToUser, msgs[i].Type(), comp.OpenID)
		}
		back, err := payfeedback.ParseMessage(got.Raw, payfeedback.MessageLimits{})
		if err != nil {
			t.Fatalf("message %d: the body sent does not parse: %v\n%s", i, err, got.Raw)
		}
		if diff := cmp.Diff(msgs[i], back); diff != "" {
			t.Errorf("message %d as received (-sent +received):\n%s", i, diff)
		}
	}
	if !strings.HasPrefix(string(inbox[0].Raw), `{"touser":"`+comp.OpenID+`","msgtype":"text","text":{`) {
		t.Errorf("body %s does not start with touser, msgtype and the payload", inbox[0].Raw)
	}
}

func TestSendMessageErrorsAgainstFake(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		opts     mockwechat.Options
		mod      func(*payfeedback.ClientOptions)
		msg      func(t *testing.T, f *fake) payfeedback.Message
		openID   func(comp mockwechat.Complaint) string
		before   func(f *fake)
		wantCode payfeedback.ErrorCode
	}{
		{name: "40003 unknown user", openID: func(mockwechat.Complaint) string { return "o-nobody" }, wantCode: payfeedback.CodeInvalidOpenID},
		{name: "40007 unknown media id", msg: func(*testing.T, *fake) payfeedback.Message {
			return payfeedback.ImageMessage{MediaID: "no-such-media"}
		}, wantCode: payfeedback.CodeInvalidMediaID},
		{name: "40007 expired media id", msg: func(t *testing.T, f *fake) payfeedback.Message {
			m, err := f.srv.AddMedia(f.acct.AppID, "image")
			if err != nil {
				t.Fatal(err)
			}
			return payfeedback.ImageMessage{MediaID: m.MediaID}
		}, before: func(f *fake) { f.srv.Advance(73 * time.Hour) }, wantCode: payfeedback.CodeInvalidMediaID},
		{name: "45015 outside the window", before: func(f *fake) { f.srv.Advance(24 * time.Hour) }, wantCode: payfeedback.CodeOutOfWindow},
		{name: "45008 account limit lower than the client's", opts: mockwechat.Options{NewsLimit: 8},
			msg: func(*testing.T, *fake) payfeedback.Message { return payfeedback.NewsMessage{Articles: articles(9)} }, wantCode: payfeedback.CodeArticleLimit},
		{name: "40008 unknown msgtype", msg: func(*testing.T, *fake) payfeedback.Message {
			return customMessage{kind: "wxcard", payload: map[string]string{"card_id": "c"}}
		}, wantCode: payfeedback.CodeInvalidMsgType},
		{name: "47001 wrong shape", msg: func(*testing.T, *fake) payfeedback.Message {
			return customMessage{kind: "text", payload: map[string]int{"content": 1}}
		}, wantCode: payfeedback.CodeDataFormat},
		{name: "47001 required field missing", msg: func(*testing.T, *fake) payfeedback.Message {
			return customMessage{kind: "video", payload: map[string]string{"media_id": "m"}}
		}, wantCode: payfeedback.CodeDataFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.opts)
			comp := f.complaint(t)
			c := f.client(t, tt.mod)
			var msg payfeedback.Message = payfeedback.TextMessage{Content: "hello"}
			if tt.msg != nil {
				msg = tt.msg(t, f)
			}
			openID := comp.OpenID
			if tt.openID != nil {
				openID = tt.openID(comp)
			}
			if tt.before != nil {
				tt.before(f)
			}
			err := c.SendMessage(ctx, openID, msg)
			var ae *payfeedback.APIError
			if !errors.As(err, &ae) || ae.Code != tt.wantCode {
				t.Fatalf("SendMessage: %v, want APIError %d", err, tt.wantCode)
			}
			if n := len(f.srv.InboxOf(f.acct.AppID, comp.OpenID)); n != 0 {
				t.Errorf("%d messages delivered, want 0", n)
			}
		})
	}
}

// TestSendMessageValidatedBeforeSending: an invalid message, or one over
// the client's article limit, never reaches the fake.
func TestSendMessageValidatedBeforeSending(t *testing.T) {
	f := newFake(t, mockwechat.Options{})
	comp := f.complaint(t)
	c := f.client(t, func(o *payfeedback.ClientOptions) { o.MaxArticles = 1 })
	for _, m := range []payfeedback.Message{
		payfeedback.NewsMessage{Articles: articles(2)},
		payfeedback.MusicMessage{MusicURL: "http://m/a", HQMusicURL: "http://m/b"},
		payfeedback.TextMessage{},
	} {
		err := c.SendMessage(context.Background(), comp.OpenID, m)
		if !errors.Is(err, payfeedback.ErrInvalidRequest) {
			t.Errorf("SendMessage(%#v): %v, want ErrInvalidRequest", m, err)
		}
	}
	if n := len(f.calls(payfeedback.PathSendMessage)) + len(f.calls(payfeedback.PathToken)); n != 0 {
		t.Errorf("%d calls reached the fake, want 0", n)
	}
}

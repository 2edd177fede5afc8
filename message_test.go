package payfeedback_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback"
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
		{"text blank", payfeedback.TextMessage{Content: " \n\t"}, payfeedback.MessageLimits{}, "content", "required"},
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
		{"music relative url", payfeedback.MusicMessage{MusicURL: "/x.mp3", HQMusicURL: "http://m/x", ThumbMediaID: "t"}, payfeedback.MessageLimits{}, "musicurl", "absolute http or https URL"},
		{"music ftp url", payfeedback.MusicMessage{MusicURL: "http://m/x", HQMusicURL: "ftp://m/x", ThumbMediaID: "t"}, payfeedback.MessageLimits{}, "hqmusicurl", "absolute http or https URL"},
		{"music no thumb", payfeedback.MusicMessage{MusicURL: "http://m/x", HQMusicURL: "http://m/x"}, payfeedback.MessageLimits{}, "thumb_media_id", "required"},
		{"news 1", payfeedback.NewsMessage{Articles: articles(1)}, payfeedback.MessageLimits{}, "", ""},
		{"news 10 default limit", payfeedback.NewsMessage{Articles: articles(10)}, payfeedback.MessageLimits{}, "", ""},
		{"news 11 default limit", payfeedback.NewsMessage{Articles: articles(11)}, payfeedback.MessageLimits{}, "articles", "at most 10 articles, got 11"},
		{"news 8 limit 8", payfeedback.NewsMessage{Articles: articles(8)}, payfeedback.MessageLimits{MaxArticles: 8}, "", ""},
		{"news 9 limit 8", payfeedback.NewsMessage{Articles: articles(9)}, payfeedback.MessageLimits{MaxArticles: 8}, "articles", "at most 8 articles, got 9"},
		{"news 2 limit 1", payfeedback.NewsMessage{Articles: articles(2)}, payfeedback.MessageLimits{MaxArticles: 1}, "articles", "at most 1 articles, got 2"},
		{"news empty", payfeedback.NewsMessage{}, payfeedback.MessageLimits{}, "articles", "at least one article"},
		{"news article without title", payfeedback.NewsMessage{Articles: []payfeedback.Article{{Title: "a"}, {URL: "http://x/"}}}, payfeedback.MessageLimits{}, "articles[1].title", "a title or a description"},
		{"news description only", payfeedback.NewsMessage{Articles: []payfeedback.Article{{Description: "d"}}}, payfeedback.MessageLimits{}, "", ""},
		{"news bad url", payfeedback.NewsMessage{Articles: []payfeedback.Article{{Title: "a", URL: "javascript:alert(1)"}}}, payfeedback.MessageLimits{}, "articles[0].url", "absolute http or https URL"},
		{"news bad picurl", payfeedback.NewsMessage{Articles: []payfeedback.Article{{Title: "a", PicURL: "p.jpg"}}}, payfeedback.MessageLimits{}, "articles[0].picurl", "absolute http or https URL"},
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
// PROTOCOL §8 names, and no others.
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

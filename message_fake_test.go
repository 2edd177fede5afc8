package payfeedback_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestClientAndFakeAgreeOnMessages: every message the client accepts —
// the required fields of each type present and not empty, as WeChat's
// document has it, white space included — the fake accepts and delivers.
// URLs are passed as given, every article field is optional, texts need no
// escaping care.
func TestClientAndFakeAgreeOnMessages(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, mockwechat.Options{})
	comp := f.complaint(t) // filing opens the window
	c := f.client(t, nil)
	media := func(kind payfeedback.MediaType) string {
		m, err := c.UploadMedia(ctx, kind, "f", bytes.NewReader([]byte("bytes")))
		if err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	image, voice, video, thumb := media(payfeedback.MediaImage), media(payfeedback.MediaVoice), media(payfeedback.MediaVideo), media(payfeedback.MediaThumb)
	tests := []struct {
		name string
		msg  payfeedback.Message
	}{
		{"text", payfeedback.TextMessage{Content: "x"}},
		{"text with spaces around", payfeedback.TextMessage{Content: "  x \n"}},
		{"text of white space only", payfeedback.TextMessage{Content: " \n\t"}},
		{"music, URLs of white space only", payfeedback.MusicMessage{MusicURL: " ", HQMusicURL: "\t", ThumbMediaID: thumb}},
		{"text with escapes", payfeedback.TextMessage{Content: "引号\"反斜杠\\\n<b>&amp;</b>\t😀\u2028"}},
		{"long text", payfeedback.TextMessage{Content: strings.Repeat("您的投诉已收到。", 1000)}},
		{"image", payfeedback.ImageMessage{MediaID: image}},
		{"voice", payfeedback.VoiceMessage{MediaID: voice}},
		{"video", payfeedback.VideoMessage{MediaID: video, ThumbMediaID: thumb}},
		{"music, required fields only", payfeedback.MusicMessage{MusicURL: "m", HQMusicURL: "hq", ThumbMediaID: thumb}},
		{"music, URLs as given", payfeedback.MusicMessage{Title: "标题", Description: "d", MusicURL: "ftp://x y/音乐.mp3", HQMusicURL: "//no-scheme", ThumbMediaID: thumb}},
		{"news, an empty article", payfeedback.NewsMessage{Articles: []payfeedback.Article{{}}}},
		{"news, ten empty articles", payfeedback.NewsMessage{Articles: make([]payfeedback.Article, payfeedback.DefaultMaxArticles)}},
		{"news, each field alone", payfeedback.NewsMessage{Articles: []payfeedback.Article{
			{Title: "only a title"}, {Description: "only a description"}, {URL: "not a URL"}, {PicURL: "javascript:void(0)"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.msg.Validate(payfeedback.MessageLimits{}); err != nil {
				t.Fatalf("the client refuses it: %v", err)
			}
			before := len(f.srv.InboxOf(f.acct.AppID, comp.OpenID))
			if err := c.SendMessage(ctx, comp.OpenID, tt.msg); err != nil {
				t.Fatalf("the client accepts it, the fake does not: %v", err)
			}
			inbox := f.srv.InboxOf(f.acct.AppID, comp.OpenID)
			if len(inbox) != before+1 || inbox[len(inbox)-1].MsgType != tt.msg.Type() {
				t.Fatalf("not delivered: inbox %d messages, was %d", len(inbox), before)
			}
		})
	}
}

// TestSendMessageNoResponse: a fake in the original document's silent mode
// never answers a news message over its limit. The client's call ends with
// its own HTTP timeout or its context's deadline, as an error, never as a
// success, and nothing is delivered.
func TestSendMessageNoResponse(t *testing.T) {
	over := payfeedback.NewsMessage{Articles: articles(9)}
	opts := mockwechat.Options{NewsLimit: 8, NewsOverflow: mockwechat.NewsOverflowSilent}
	tests := []struct {
		name    string
		mod     func(*payfeedback.ClientOptions)
		timeout time.Duration // of the call's context; 0: none
		want    func(error) bool
	}{
		{"the HTTP client's timeout", func(o *payfeedback.ClientOptions) {
			o.HTTPClient = &http.Client{Transport: o.HTTPClient.Transport, Timeout: 100 * time.Millisecond}
		}, 0, func(err error) bool {
			var ne net.Error
			return errors.As(err, &ne) && ne.Timeout()
		}},
		{"the context's deadline", nil, 100 * time.Millisecond, func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, opts)
			comp := f.complaint(t)
			c := f.client(t, tt.mod)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			err := c.SendMessage(ctx, comp.OpenID, over)
			var ae *payfeedback.APIError
			if err == nil || errors.As(err, &ae) || !tt.want(err) {
				t.Fatalf("SendMessage: %v, want an error from %s", err, tt.name)
			}
			if n := len(f.srv.InboxOf(f.acct.AppID, comp.OpenID)); n != 0 {
				t.Errorf("%d messages delivered, want 0", n)
			}
			if got := f.codes(payfeedback.PathSendMessage); len(got) != 1 || got[0] != payfeedback.CodeArticleLimit {
				t.Errorf("the fake logged %v, want one call refused 45008", got)
			}
		})
	}
}

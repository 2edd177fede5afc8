package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
)

func TestSend(t *testing.T) {
	srv, acct, comp := newFakeWeChat(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	news := write("news.json", `{"msgtype":"news","news":{"articles":[{"title":"退款进度","url":"https://example.com/r/1"},{"title":"联系我们"}]}}`)
	photo := write("parcel.jpg", "\xff\xd8\xff\xe0 JPEG")
	clip := write("unboxing.mp4", "MP4 bytes")
	cover := write("cover.jpg", "\xff\xd8 thumb")
	voice, err := srv.AddMedia(acct.AppID, "voice")
	if err != nil {
		t.Fatal(err)
	}
	account := []string{"--appid", acct.AppID, "--secret", acct.Secret, "--base-url", srv.URL}
	to := func(args ...string) []string {
		return append(append(append([]string{}, account...), "--openid", comp.OpenID), args...)
	}

	tests := []struct {
		name      string
		args      []string
		stdin     string
		wantCode  int
		wantOut   string
		wantErr   string
		wantInbox string // msgtype of the message delivered, "" for none
		wantRaw   string // substring of the body delivered
	}{
		{name: "text", args: to("--text", "您的包裹今天发出"), wantOut: "sent: text message to " + comp.OpenID + "\n", wantInbox: "text", wantRaw: "您的包裹今天发出"},
		{name: "json file", args: to("--json", news), wantOut: "sent: news message", wantInbox: "news", wantRaw: "退款进度"},
		// Every field of a news article is optional, as in WeChat's document.
		{name: "json news with bare articles", args: to("--json", "-"), stdin: `{"msgtype":"news","news":{"articles":[{},{"url":"https://example.com/r/1"},{"description":"只有描述"}]}}`,
			wantOut: "sent: news message", wantInbox: "news", wantRaw: "只有描述"},
		{name: "json stdin", args: to("--json", "-"), stdin: `{"touser":"` + comp.OpenID + `","msgtype":"text","text":{"content":"from stdin"}}`,
			wantOut: "sent: text message", wantInbox: "text", wantRaw: "from stdin"},
		{name: "image uploaded", args: to("--image", "@"+photo), wantOut: "sent: image message", wantErr: "uploaded " + photo + " as image: media_id ", wantInbox: "image"},
		{name: "voice by id", args: to("--voice", voice.MediaID), wantOut: "sent: voice message", wantInbox: "voice", wantRaw: voice.MediaID},
		{name: "video and thumb uploaded", args: to("--video", "@"+clip, "--thumb", "@"+cover), wantOut: "sent: video message", wantErr: "as thumb", wantInbox: "video"},
		{name: "music", args: to("--music", "http://m.example/a.mp3", "--hq-music", "http://m.example/a.flac", "--thumb", "@"+cover, "--title", "道歉歌"),
			wantOut: "sent: music message", wantInbox: "music", wantRaw: "道歉歌"},

		{name: "nothing to send", args: to(), wantCode: 2, wantErr: "say what to send"},
		{name: "two messages", args: to("--text", "a", "--image", "m"), wantCode: 2, wantErr: "one message at a time: got --text and --image"},
		{name: "thumb with text", args: to("--text", "a", "--thumb", "t"), wantCode: 2, wantErr: "--thumb does not go with --text"},
		{name: "empty text", args: to("--text", ""), wantCode: 2, wantErr: "invalid text message: content: required"},
		{name: "video without thumb", args: to("--video", "v"), wantCode: 2, wantErr: "--video needs"},
		{name: "music without thumb", args: to("--music", "http://m/a", "--hq-music", "http://m/b"), wantCode: 2, wantErr: "--music needs --thumb"},
		{name: "music without hq url, nothing uploaded", args: to("--music", "http://m/a", "--hq-music", "", "--thumb", "@"+cover), wantCode: 2, wantErr: "hqmusicurl: required"},
		{name: "missing file", args: to("--image", "@"+filepath.Join(dir, "nope.jpg")), wantCode: 2, wantErr: "--image: open"},
		{name: "json touser differs", args: to("--json", "-"), stdin: `{"touser":"someone","msgtype":"text","text":{"content":"x"}}`, wantCode: 2, wantErr: `touser "someone" differs from --openid`},
		{name: "json invalid", args: to("--json", "-"), stdin: `{"msgtype":"text","text":{"contnet":"x"}}`, wantCode: 2, wantErr: `unknown field "contnet"`},
		{name: "json over the article limit", args: to("--json", news, "--max-articles", "1"), wantCode: 2, wantErr: "at most 1 articles, got 2"},
		{name: "missing openid", args: append(account, "--text", "x"), wantCode: 2, wantErr: "--openid is required"},
		{name: "unknown user", args: append(account, "--openid", "nobody", "--text", "x"), wantCode: 1, wantErr: "errcode 40003"},
		{name: "unknown media id", args: to("--image", "no-such-media"), wantCode: 1, wantErr: "errcode 40007"},
		{name: "help", args: []string{"-h"}, wantOut: "Usage: payfeedback send"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Inbox(comp.OpenID))
			r := runCLI(t, tt.stdin, nil, append([]string{"send"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, tt.wantOut) {
				t.Errorf("stdout %q, want it to start with %q", r.stdout, tt.wantOut)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.wantErr)
			}
			if tt.wantCode == 2 && !strings.Contains(r.stderr, "Try: payfeedback send") {
				t.Errorf("usage error without a hint: %q", r.stderr)
			}
			assertNoSecrets(t, srv, acct, r)
			inbox := srv.Inbox(comp.OpenID)[before:]
			if tt.wantInbox == "" {
				if len(inbox) != 0 {
					t.Errorf("%d messages delivered, want none", len(inbox))
				}
				return
			}
			if len(inbox) != 1 || string(inbox[0].MsgType) != tt.wantInbox || !strings.Contains(string(inbox[0].Raw), tt.wantRaw) {
				t.Fatalf("inbox %+v, want one %s message containing %q", inbox, tt.wantInbox, tt.wantRaw)
			}
			if _, err := payfeedback.ParseMessage(inbox[0].Raw, payfeedback.MessageLimits{}); err != nil {
				t.Errorf("delivered body does not parse: %v", err)
			}
		})
	}
}

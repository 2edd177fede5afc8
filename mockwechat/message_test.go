package mockwechat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func send(t *testing.T, s *Server, tok, body string) apiAnswer {
	t.Helper()
	return do(t, s, "POST", payfeedback.PathSendMessage, url.Values{"access_token": {tok}}, body)
}

func upload(t *testing.T, s *Server, tok, kind, field string, size int) apiAnswer {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if field != "" {
		fw, _ := mw.CreateFormFile(field, "f.bin")
		fw.Write(bytes.Repeat([]byte{0xff}, size))
	}
	mw.Close()
	u := s.URL + payfeedback.PathUploadMedia + "?" + url.Values{"access_token": {tok}, "type": {kind}}.Encode()
	resp, err := s.Client().Post(u, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a apiAnswer
	decodeAnswer(t, resp, &a)
	return a
}

func news(n int) string {
	arts := make([]string, n)
	for i := range arts {
		arts[i] = fmt.Sprintf(`{"title":"t%d","description":"d","url":"http://u","picurl":"http://p"}`, i)
	}
	return `{"touser":"o1","msgtype":"news","news":{"articles":[` + strings.Join(arts, ",") + `]}}`
}

func TestCustomSend(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	if _, err := s.Interact("", "o1"); err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, s, DemoAccount())
	img := upload(t, s, tok, "image", "media", 1000)
	thumb := upload(t, s, tok, "thumb", "media", 1000)
	if img.ErrCode != 0 || img.MediaID == "" || img.Type != "image" || img.CreatedAt != t0.Unix() {
		t.Fatalf("upload: %+v", img)
	}
	other := Account{AppID: "wx2222222222222222", Secret: "s", PaySignKey: "k"}
	s.AddAccount(other)
	otherMedia, _ := s.AddMedia(other.AppID, "image")

	tests := []struct {
		name, body string
		want       payfeedback.ErrorCode
	}{
		{"text", `{"touser":"o1","msgtype":"text","text":{"content":"hello"}}`, 0},
		{"image", `{"touser":"o1","msgtype":"image","image":{"media_id":"` + img.MediaID + `"}}`, 0},
		{"voice", `{"touser":"o1","msgtype":"voice","voice":{"media_id":"` + img.MediaID + `"}}`, 0},
		{"video", `{"touser":"o1","msgtype":"video","video":{"media_id":"` + img.MediaID + `","thumb_media_id":"` + thumb.MediaID + `","title":"x"}}`, 0},
		{"music", `{"touser":"o1","msgtype":"music","music":{"title":"x","musicurl":"http://m","hqmusicurl":"http://hq","thumb_media_id":"` + thumb.MediaID + `"}}`, 0},
		{"news 10", news(10), 0},
		{"empty body", ``, payfeedback.CodeEmptyPostData},
		{"blank body", " \n", payfeedback.CodeEmptyPostData},
		{"not JSON", `{"touser":`, payfeedback.CodeDataFormat},
		{"wrong shape", `{"touser":"o1","msgtype":"text","text":"hello"}`, payfeedback.CodeDataFormat},
		{"array", `[]`, payfeedback.CodeDataFormat},
		{"no msgtype", `{"touser":"o1","text":{"content":"x"}}`, payfeedback.CodeInvalidMsgType},
		{"unknown msgtype", `{"touser":"o1","msgtype":"mpnews","mpnews":{}}`, payfeedback.CodeInvalidMsgType},
		{"text without content", `{"touser":"o1","msgtype":"text","text":{}}`, payfeedback.CodeDataFormat},
		{"text object missing", `{"touser":"o1","msgtype":"text"}`, payfeedback.CodeDataFormat},
		{"image without media_id", `{"touser":"o1","msgtype":"image","image":{}}`, payfeedback.CodeDataFormat},
		{"voice without media_id", `{"touser":"o1","msgtype":"voice","voice":{}}`, payfeedback.CodeDataFormat},
		{"video without thumb", `{"touser":"o1","msgtype":"video","video":{"media_id":"` + img.MediaID + `"}}`, payfeedback.CodeDataFormat},
		{"video without media_id", `{"touser":"o1","msgtype":"video","video":{"thumb_media_id":"` + thumb.MediaID + `"}}`, payfeedback.CodeDataFormat},
		{"music without musicurl", `{"touser":"o1","msgtype":"music","music":{"hqmusicurl":"http://hq","thumb_media_id":"` + thumb.MediaID + `"}}`, payfeedback.CodeDataFormat},
		{"music without hqmusicurl", `{"touser":"o1","msgtype":"music","music":{"musicurl":"http://m","thumb_media_id":"x"}}`, payfeedback.CodeDataFormat},
		{"music without thumb_media_id", `{"touser":"o1","msgtype":"music","music":{"musicurl":"http://m","hqmusicurl":"http://hq"}}`, payfeedback.CodeDataFormat},
		{"news without articles", `{"touser":"o1","msgtype":"news","news":{"articles":[]}}`, payfeedback.CodeDataFormat},
		{"no touser", `{"msgtype":"text","text":{"content":"x"}}`, payfeedback.CodeInvalidOpenID},
		{"unknown touser", `{"touser":"o-nobody","msgtype":"text","text":{"content":"x"}}`, payfeedback.CodeInvalidOpenID},
		{"unknown media", `{"touser":"o1","msgtype":"image","image":{"media_id":"nope"}}`, payfeedback.CodeInvalidMediaID},
		{"other account's media", `{"touser":"o1","msgtype":"image","image":{"media_id":"` + otherMedia.MediaID + `"}}`, payfeedback.CodeInvalidMediaID},
		{"unknown thumb", `{"touser":"o1","msgtype":"music","music":{"musicurl":"http://m","hqmusicurl":"http://hq","thumb_media_id":"nope"}}`, payfeedback.CodeInvalidMediaID},
		{"news 11", news(11), payfeedback.CodeArticleLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := send(t, s, tok, tt.body); got.ErrCode != tt.want || got.status != 200 {
				t.Fatalf("HTTP %d %s, want errcode %d", got.status, got.raw, tt.want)
			}
		})
	}
	inbox := s.Inbox("o1")
	wantTypes := []payfeedback.MessageType{payfeedback.MessageText, payfeedback.MessageImage, payfeedback.MessageVoice, payfeedback.MessageVideo, payfeedback.MessageMusic, payfeedback.MessageNews}
	if len(inbox) != len(wantTypes) {
		t.Fatalf("inbox has %d messages, want %d", len(inbox), len(wantTypes))
	}
	for i, m := range inbox {
		if m.MsgType != wantTypes[i] || m.ToUser != "o1" || m.AppID != DemoAccount().AppID || m.Seq != uint64(i+1) {
			t.Errorf("inbox[%d] = %+v", i, m)
		}
	}
	if !strings.Contains(string(inbox[0].Raw), `"hello"`) {
		t.Errorf("inbox keeps the raw body: %s", inbox[0].Raw)
	}

	// The window closes 24 h after the last interaction; media expire after 72 h.
	clk.Advance(24*time.Hour - time.Second)
	tok = getToken(t, s, DemoAccount())
	if got := send(t, s, tok, `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`); got.ErrCode != 0 {
		t.Fatalf("just inside the window: %s", got.raw)
	}
	clk.Advance(time.Second)
	if got := send(t, s, tok, `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`); got.ErrCode != payfeedback.CodeOutOfWindow {
		t.Fatalf("window closed: %s, want 45015", got.raw)
	}
	tok = getToken(t, s, DemoAccount())
	clk.Advance(48 * time.Hour)
	s.Interact("", "o1")
	tok = getToken(t, s, DemoAccount())
	if got := send(t, s, tok, `{"touser":"o1","msgtype":"image","image":{"media_id":"`+img.MediaID+`"}}`); got.ErrCode != payfeedback.CodeInvalidMediaID {
		t.Fatalf("media after 72 h: %s, want 40007", got.raw)
	}
}

// TestCustomSendNewsOverflowSilent: the original document's "more than
// 10 articles: no response", as a client meets it: no answer comes, the
// client's own timeout ends the call, nothing is delivered, and the call
// is logged at once with errcode 45008 and no HTTP status. A client
// without a timeout waits until the fake closes, and Close does not wait
// for it.
func TestCustomSendNewsOverflowSilent(t *testing.T) {
	s, _ := newVirtual(t, Options{NewsOverflow: NewsOverflowSilent, NewsLimit: 8})
	s.Interact("", "o1")
	tok := getToken(t, s, DemoAccount())
	if got := send(t, s, tok, news(8)); got.ErrCode != 0 {
		t.Fatalf("8 articles: %s", got.raw)
	}
	target := s.URL + payfeedback.PathSendMessage + "?access_token=" + url.QueryEscape(tok)
	impatient := &http.Client{Transport: s.Client().Transport, Timeout: 100 * time.Millisecond}
	resp, err := impatient.Post(target, "application/json", strings.NewReader(news(9)))
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("9 articles, silent: HTTP %d %q, want no answer at all", resp.StatusCode, body)
	}
	if ne := net.Error(nil); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("9 articles, silent: %v, want the client's timeout", err)
	}
	// The fake notices the client left and lets the call go.
	eventually(t, "the held call let go after the client gave up", func() bool { return openConns(s, "active") == 0 })
	if n := len(s.Inbox("o1")); n != 1 {
		t.Fatalf("inbox has %d messages, want only the first", n)
	}
	calls := s.Calls()
	if last := calls[len(calls)-1]; last.ErrCode != payfeedback.CodeArticleLimit || last.Status != 0 || len(last.Answer) != 0 {
		t.Fatalf("silent overflow recorded as errcode %d, HTTP %d, answer %q; want 45008, no status, no answer", last.ErrCode, last.Status, last.Answer)
	}

	// A patient client: Close ends its wait instead of waiting for it.
	seen := calls[len(calls)-1].Seq
	done := make(chan error, 1)
	go func() {
		resp, err := s.Client().Post(target, "application/json", strings.NewReader(news(9)))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	ctx := testCtx(t)
	if _, err := s.WaitForCall(ctx, func(c Call) bool { return c.Seq > seen }); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		t.Fatalf("Shutdown with a client waiting for an answer that never comes: %v (want it done at once)", err)
	}
	if err := <-done; err == nil {
		t.Fatal("the waiting client got an answer when the fake closed, want none")
	}
}

func TestComplaintOpensWindow(t *testing.T) {
	s, clk := newVirtual(t, Options{MessageWindow: 48 * time.Hour})
	ctx := testCtx(t)
	c, _ := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1"})
	clk.Advance(47 * time.Hour)
	tok := getToken(t, s, DemoAccount())
	if got := send(t, s, tok, `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`); got.ErrCode != 0 {
		t.Fatalf("47 h after filing with a 48 h window: %s", got.raw)
	}
	update(t, s, tok, "o1", c.FeedBackID)
	clk.Advance(2 * time.Hour)
	tok = getToken(t, s, DemoAccount())
	if got := send(t, s, tok, `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`); got.ErrCode != payfeedback.CodeOutOfWindow {
		t.Fatalf("49 h after filing: %s, want 45015", got.raw)
	}
	if err := s.Reject(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	if got := send(t, s, tok, `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`); got.ErrCode != 0 {
		t.Fatalf("after the user rejected (an interaction): %s", got.raw)
	}
}

// TestComplaintWithoutOrderOpensWindow: filing a complaint opens the
// messaging window by itself, not through a payment: a complaint filed
// without an order, and one about an order paid long ago.
func TestComplaintWithoutOrderOpensWindow(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	ctx := testCtx(t)
	o, err := s.AddOrder(Order{OpenID: "o-paid", PaidAt: t0.Add(-72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []ComplaintSpec{{OpenID: "o1", NoOrder: true}, {TransID: o.TransID}} {
		if _, err := s.FileComplaint(ctx, spec); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(24*time.Hour - time.Second)
	tok, _ := s.Token("")
	for _, to := range []string{"o1", "o-paid"} {
		if got := send(t, s, tok, `{"touser":"`+to+`","msgtype":"text","text":{"content":"x"}}`); got.ErrCode != 0 {
			t.Errorf("%s, 24 h less a second after complaining: %s", to, got.raw)
		}
	}
	clk.Advance(time.Second)
	tok, _ = s.Token("")
	for _, to := range []string{"o1", "o-paid"} {
		if got := send(t, s, tok, `{"touser":"`+to+`","msgtype":"text","text":{"content":"x"}}`); got.ErrCode != payfeedback.CodeOutOfWindow {
			t.Errorf("%s, 24 h after complaining: %s, want 45015", to, got.raw)
		}
	}
}

// TestCustomSendUnlimitedInWindow: inside the window the account may send
// as many messages as it likes.
func TestCustomSendUnlimitedInWindow(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	s.Interact("", "o1")
	tok := getToken(t, s, DemoAccount())
	for i := range 100 {
		if got := send(t, s, tok, fmt.Sprintf(`{"touser":"o1","msgtype":"text","text":{"content":"m%d"}}`, i)); got.ErrCode != 0 {
			t.Fatalf("message %d: %s, want every message inside the window delivered", i+1, got.raw)
		}
	}
	if n := len(s.Inbox("o1")); n != 100 {
		t.Fatalf("inbox has %d messages, want 100", n)
	}
}

// TestCustomSendToken: custom/send checks the access_token first, and
// delivers nothing on a refusal.
func TestCustomSendToken(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	demo := DemoAccount()
	s.Interact("", "o1")
	superseded := getToken(t, s, demo)
	getToken(t, s, demo)
	clk.Advance(5 * time.Minute) // past the grace period
	expiring := getToken(t, s, demo)
	clk.Advance(7200 * time.Second)
	s.Interact("", "o1")
	tests := []struct {
		name, tok string
		want      payfeedback.ErrorCode
	}{
		{"missing", "", payfeedback.CodeTokenMissing},
		{"unknown", "not-a-token", payfeedback.CodeInvalidCredential},
		{"superseded past the grace period", superseded, payfeedback.CodeInvalidCredential},
		{"expired", expiring, payfeedback.CodeTokenExpired},
	}
	for _, tt := range tests {
		q := url.Values{}
		if tt.tok != "" {
			q.Set("access_token", tt.tok)
		}
		if got := do(t, s, "POST", payfeedback.PathSendMessage, q, textTo1); got.ErrCode != tt.want {
			t.Errorf("%s token: %s, want errcode %d", tt.name, got.raw, tt.want)
		}
	}
	if n := len(s.Inbox("o1")); n != 0 {
		t.Fatalf("%d messages delivered with a bad token", n)
	}
	if got := send(t, s, getToken(t, s, demo), textTo1); got.ErrCode != 0 {
		t.Fatalf("a valid token: %s", got.raw)
	}
}

func TestInboxBounded(t *testing.T) {
	s, _ := newVirtual(t, Options{InboxSize: 3})
	s.Interact("", "o1")
	tok := getToken(t, s, DemoAccount())
	for i := 1; i <= 5; i++ {
		send(t, s, tok, fmt.Sprintf(`{"touser":"o1","msgtype":"text","text":{"content":"m%d"}}`, i))
	}
	in := s.Inbox("o1")
	if len(in) != 3 || in[0].Seq != 3 || in[2].Seq != 5 || !strings.Contains(string(in[2].Raw), "m5") {
		t.Fatalf("bounded inbox: %+v", in)
	}
}

func TestMediaUploadErrors(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	tok := getToken(t, s, DemoAccount())
	tests := []struct {
		name, kind, field string
		size              int
		want              payfeedback.ErrorCode
	}{
		{"image", "image", "media", 128 << 10, 0},
		{"voice", "voice", "media", 256 << 10, 0},
		{"video", "video", "media", 1 << 20, 0},
		{"thumb", "thumb", "media", 64 << 10, 0},
		{"bad type", "gif", "media", 10, 40004},
		{"no type", "", "media", 10, 40004},
		{"no media field", "image", "file", 10, 41005},
		{"empty file", "image", "media", 0, 41005},
		{"image too big", "image", "media", 128<<10 + 1, 40006},
		{"thumb too big", "thumb", "media", 64<<10 + 1, 40006},
	}
	for _, tt := range tests {
		if got := upload(t, s, tok, tt.kind, tt.field, tt.size); got.ErrCode != tt.want {
			t.Errorf("%s: %+v, want %d", tt.name, got, tt.want)
		}
	}
	if got := upload(t, s, "", "image", "media", 10); got.ErrCode != payfeedback.CodeTokenMissing {
		t.Errorf("no token: %d", got.ErrCode)
	}
	resp, err := s.Client().Post(s.URL+payfeedback.PathUploadMedia+"?type=image&access_token="+tok, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	var a apiAnswer
	decodeAnswer(t, resp, &a)
	if a.ErrCode != 41005 {
		t.Errorf("not multipart: %d, want 41005", a.ErrCode)
	}
}

func decodeAnswer(t *testing.T, resp *http.Response, a *apiAnswer) {
	t.Helper()
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	a.status = resp.StatusCode
	a.raw = buf.String()
	if err := jsonUnmarshal(buf.Bytes(), a); err != nil {
		t.Fatalf("answer %q: %v", buf.String(), err)
	}
}

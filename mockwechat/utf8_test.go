package mockwechat

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/payfeedback/payfeedback"
)

// longChinese is far longer than any excerpt the fake keeps, and each of
// its characters takes three bytes, so a cut by bytes lands mid-character
// two times in three.
var longChinese = strings.Repeat("商品质量有问题，要求退款", 20)

// TestLongChineseTextStaysValidUTF8: wherever the fake shortens a text a
// peer gave (a merchant's answer in the live log, a path in a console
// page, a value in an error), Chinese text is cut at a character, never
// inside one. Each shortening cut bytes before (the console's, the live
// log's and the world's clip ended in half a character).
func TestLongChineseTextStaysValidUTF8(t *testing.T) {
	demo := DemoAccount()
	merchant := newHandlerServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "x"+longChinese) // one ASCII byte first: the cut falls mid-character
	}))
	demo.NotifyURL = merchant.URL
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)
	sub := s.Subscribe(256)
	defer sub.Close()

	// An error quoting what the caller gave.
	for _, bad := range []string{"x" + longChinese, "xx" + longChinese} {
		_, err := s.RecordInteraction(Interaction{OpenID: "o1", Kind: InteractionKind(bad)})
		if err == nil || !utf8.ValidString(err.Error()) || strings.Contains(err.Error(), `\x`) {
			t.Errorf("RecordInteraction error = %q, want an error in valid UTF-8", err)
		}
		_, err = s.AddOrder(Order{TransID: bad, OpenID: "o1"})
		if err == nil {
			_, err = s.AddOrder(Order{TransID: bad, OpenID: "o1"})
		}
		if err == nil || !utf8.ValidString(err.Error()) {
			t.Errorf("AddOrder error = %q, want an error in valid UTF-8", err)
		}
	}

	// The live log's line for a merchant's long answer.
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1", Reason: longChinese[:30]})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	answered := false
	for !answered {
		select {
		case e := <-sub.Events():
			if e.Push == nil || e.Push.Phase != PushAnswered {
				continue
			}
			answered = true
			line := e.String()
			if !utf8.ValidString(line) || !strings.Contains(line, "商品") || strings.Contains(line, `\x`) {
				t.Errorf("live log line %q: want valid UTF-8 quoting the answer, no half character", line)
			}
		case <-ctx.Done():
			t.Fatalf("no answered push for %s", c.FeedBackID)
		}
	}

	// Console pages naming what was asked for.
	for _, path := range []string{"/complaints/x" + url.PathEscape(longChinese), "/complaints/xx" + url.PathEscape(longChinese),
		"/complaints?after=x" + url.QueryEscape(longChinese), "/complaints?after=xx" + url.QueryEscape(longChinese),
		"/users/" + url.PathEscape("x"+longChinese) + "/o1", "/users/" + url.PathEscape("xx"+longChinese) + "/o1"} {
		resp, err := s.Client().Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !utf8.Valid(b) {
			t.Errorf("GET %s: page is not valid UTF-8", path[:20])
		}
	}

	// The admin API's error naming what was asked for.
	for _, id := range []string{"x" + longChinese, "xx" + longChinese} {
		a := do(t, s, "GET", "/_mock/complaints/"+url.PathEscape(id), nil, "")
		if a.status != http.StatusNotFound || !utf8.ValidString(a.ErrMsg) || strings.Contains(a.raw, `\ufffd`) {
			t.Errorf("admin API: %d %q, want 404 in valid UTF-8", a.status, a.raw)
		}
	}
	_ = payfeedback.MsgRequest
}

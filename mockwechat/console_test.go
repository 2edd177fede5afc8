package mockwechat

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/console"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// getPage fetches a console page and returns its status and body.
func getPage(t testing.TB, s *Server, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := s.Client().Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestConsolePages: every page answers HTML that says what the fake holds
// (readable without JavaScript), with a strict Content-Security-Policy,
// and the complaint texts as the user wrote them.
func TestConsolePages(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	ctx := context.Background()
	demo := DemoAccount()
	s.SetNotifyURL(demo.AppID, newReceiver(t, demo.PaySignKey).URL)
	if err := s.SetReasons(demo.AppID, []string{"没收到货", "质量问题"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o-li", Reason: "没收到货", Solution: "退款", Goods: payfeedback.GoodsVirtual})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o-zhang", Reason: "质量问题 <b>", Goods: payfeedback.GoodsPhysical, Shipped: true})
	s.Confirm(ctx, other.FeedBackID)
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, s, demo)
	do(t, s, "POST", payfeedback.PathSendMessage, url.Values{"access_token": {tok}}, `{"touser":"o-li","msgtype":"news","news":{"articles":[{"title":"退款进度","description":"点击查看","url":"https://shop.example/r","picurl":"https://shop.example/p.png"}]}}`)
	do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok}, "openid": {"o-li"}, "feedbackid": {c.FeedBackID}}, "")
	s.InjectFault(Fault{Endpoint: payfeedback.PathToken, ErrCode: 45009})
	clk.Advance(time.Hour)

	tests := []struct {
		path   string
		status int
		want   []string
		not    []string
	}{
		{"/", 200, []string{"<h1>Overview</h1>", `<span class="n">2</span><span>complaints</span>`, demo.AppID, "没收到货", "质量问题",
			"2025-03-01 11:00:00 UTC", "1 fault active"}, []string{demo.Secret, demo.PaySignKey}},
		{"/complaints", 200, []string{"Complaints (2)", c.FeedBackID, other.FeedBackID, "o-li", "没收到货", "质量问题 &lt;b&gt;", "handled", "confirmed"}, []string{"<b>"}},
		{"/complaints?state=confirmed", 200, []string{"Complaints (1)", other.FeedBackID}, []string{">" + c.FeedBackID + "<"}},
		{"/complaints?overdue=yes", 200, []string{"No complaint matches"}, nil},
		{"/complaints/" + c.FeedBackID, 200, []string{"没收到货", "退款", "Push request to the merchant", "The merchant marked it handled", "退款进度",
			"The merchant messaged the user (news)", "Resolution deadline", "Confirm resolved"}, nil},
		{"/complaints/nope", 404, []string{"There is no complaint nope"}, nil},
		{"/users/" + demo.AppID + "/o-li", 200, []string{"chat with o-li", "Messaging window open until", "退款进度", "https://shop.example/r"}, nil},
		{"/users/wxnobody/o-li", 404, []string{"There is no account wxnobody"}, nil},
		{"/calls", 200, []string{"/payfeedback/update", "/cgi-bin/message/custom/send", "/cgi-bin/token"}, nil},
		{"/calls?endpoint=/payfeedback/update", 200, []string{"GET /payfeedback/update"}, []string{"POST /cgi-bin/message/custom/send"}},
		{"/platform", 200, []string{"Virtual clock", "/cgi-bin/token", "answer errcode 45009", "Reset the fake"}, nil},
	}
	for _, tt := range tests {
		status, h, body := getPage(t, s, tt.path)
		if status != tt.status {
			t.Errorf("GET %s: HTTP %d, want %d", tt.path, status, tt.status)
		}
		if csp := h.Get("Content-Security-Policy"); csp != console.CSP || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", tt.path, csp)
		}
		if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", tt.path, ct)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: the page lacks %q", tt.path, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("GET %s: the page shows %q", tt.path, n)
			}
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " on") && regexp.MustCompile(` on[a-z]+=`).MatchString(body) {
			t.Errorf("GET %s: inline script or handler (the CSP forbids them)", tt.path)
		}
	}
}

// TestConsoleAssets: the embedded assets are served with their types, and
// the browser's /favicon.ico is the console's (not a 404 in the call log).
// TestConsoleIDPrefix: /complaints/ID takes the start of an id, as the
// live log shows it: it redirects to the one complaint it names, and says
// which complaints an ambiguous start names. It answered "There is no
// complaint 1530" before.
func TestConsoleIDPrefix(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	ctx := testCtx(t)
	for _, id := range []string{"1524000000000000001", "1524000000000000002", "1530000000000000001"} {
		if _, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o" + id, FeedBackID: id}); err != nil {
			t.Fatal(err)
		}
	}
	status, _, body := getPage(t, s, "/complaints/1530")
	if status != http.StatusOK || !strings.Contains(body, "Complaint 1530000000000000001") {
		t.Errorf("/complaints/1530: HTTP %d, want the page of 1530000000000000001:\n%s", status, body)
	}
	status, _, body = getPage(t, s, "/complaints/1524")
	if status != http.StatusBadRequest || !strings.Contains(body, "1524000000000000001, 1524000000000000002") {
		t.Errorf("/complaints/1524: HTTP %d, want 400 naming both candidates:\n%s", status, body)
	}
	if status, _, body = getPage(t, s, "/complaints/1999"); status != http.StatusNotFound || !strings.Contains(body, "There is no complaint 1999") {
		t.Errorf("/complaints/1999: HTTP %d:\n%s", status, body)
	}
}

func TestConsoleAssets(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	for path, want := range map[string]string{
		"/assets/console.css": "text/css", "/assets/console.js": "text/javascript", "/assets/favicon.svg": "image/svg+xml",
		"/favicon.ico": "image/svg+xml",
	} {
		status, h, body := getPage(t, s, path)
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), want) || len(body) == 0 {
			t.Errorf("GET %s: HTTP %d %q, want 200 %s", path, status, h.Get("Content-Type"), want)
		}
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("the console's requests are in the call log: %d calls", n)
	}
	if status, _, _ := getPage(t, s, "/assets/nope.js"); status != 404 {
		t.Errorf("an unknown asset: HTTP %d", status)
	}
}

// TestConsolePaging walks every page of a filtered list: each complaint
// once, in filing order, and the count says how many match.
func TestConsolePaging(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	ctx := context.Background()
	var want []string
	for i := range 120 {
		c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: fmt.Sprintf("o%d", i%2), Goods: payfeedback.GoodsVirtual})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			want = append(want, c.FeedBackID)
		}
	}
	next := regexp.MustCompile(`href="(\?[^"]*after=[0-9]+[^"]*)" rel="next"`)
	row := regexp.MustCompile(`complaints/([0-9]+)"><code>`)
	var got []string
	path := "/complaints?openid=o1"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		_, _, body := getPage(t, s, path)
		if !strings.Contains(body, "of 60.") {
			t.Fatalf("page %d does not say 60 match", pages)
		}
		for _, m := range row.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		path = ""
		if m := next.FindStringSubmatch(body); m != nil {
			path = "/complaints" + strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paging showed %d complaints, want the %d of o1 in order", len(got), len(want))
	}
}

// BenchmarkConsolePages renders each page with 10,000 complaints in the
// fake (the target: 50 ms a page).
func BenchmarkConsolePages(b *testing.B) {
	s := NewServer(Options{Clock: NewVirtualClock(t0)})
	defer s.Close()
	merchant := httptest.NewServer(okHandler()) // every push delivered: a full delivery log
	defer merchant.Close()
	s.SetNotifyURL(DemoAccount().AppID, merchant.URL)
	ctx := context.Background()
	var last Complaint
	for i := range 10000 {
		c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: fmt.Sprintf("o%d", i%500), Reason: "没收到货", Goods: payfeedback.GoodsKind(i % 2)})
		if err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			s.Confirm(ctx, c.FeedBackID)
		}
		last = c
	}
	if err := s.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	s.Advance(20 * 24 * time.Hour)
	mid, _ := s.world.Complaints("", 1, func(c *world.Complaint) bool { return c.OpenID == "o250" })
	for _, path := range []string{"/", "/complaints", "/complaints?state=filed&overdue=yes&after=" + mid[0].FeedBackID,
		"/complaints?openid=o499", "/complaints/" + last.FeedBackID, "/users/" + DemoAccount().AppID + "/o7", "/calls", "/platform"} {
		b.Run(strings.NewReplacer("/", "_", "?", "_", "&", "_").Replace(path), func(b *testing.B) {
			for b.Loop() {
				if status, _, _ := getPage(b, s, path); status != 200 {
					b.Fatalf("GET %s: HTTP %d", path, status)
				}
			}
		})
	}
}

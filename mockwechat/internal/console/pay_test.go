package console

import (
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payapi"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// t0 is the fake's clock when a test starts.
var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// Hostile text a user, a merchant or a caller sent: the pages must show
// it as text.
const (
	hostileDetail   = `<img src=x onerror=alert(1)>没收到货，要求退款`
	hostileMessage  = `请尽快<b>退款</b>`
	hostileResponse = `<script>alert('merchant')</script>`
	hostileBody     = `{"complainted_mchid":"1900000109","response_content":"</pre><script>alert(2)</script>"}`
)

// payStandIn is the fake's Complaints 2.0 in miniature, from the real
// parts: the identity (the repository's test keys in a keys directory),
// the world, the callback engine sending to a merchant on loopback, and
// the /v3/ handler whose calls it records. It is both the console's
// Backend (V1.5 empty: the clock and the call log) and its PayBackend.
type payStandIn struct {
	clk     *clock.Virtual
	keysDir string
	id      *paykeys.Identity
	signing *paykeys.Signing
	world   *payworld.World
	engine  *paypush.Engine
	api     *payapi.Handler
	signer  *apiv3.Signer // the merchant's
	every   time.Duration // scheduled probes

	mu    sync.Mutex
	calls []payapi.Call
}

// testKeysDir lays the repository's test keys out as a keys directory.
func testKeysDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := func(name string) string { return filepath.Join("..", "..", "..", "testdata", "apiv3", name) }
	for dst, from := range map[string]string{
		paykeys.FileWeChatPayPrivateKey: "other-private-key.pem",
		paykeys.FilePlatformKey:         "wechatpay-go-test-private-key.pem",
		paykeys.FilePlatformCertificate: "wechatpay-go-test-platform-cert.pem",
		apiv3.FilePrivateKey:            "wechatpay-go-mock-merchant-private-key.pem",
	} {
		b, err := os.ReadFile(src(from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(map[string]string{"mchid": "1900000109", "serial_no": "BE6DCDA7A5931FA0", "apiv3_key": "0123456789abcdef0123456789abcdef"})
	if err := os.WriteFile(filepath.Join(dir, apiv3.FileMerchant), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// merchantAnswers answers callbacks: the first with 500 and hostile
// text, the rest 204.
func merchantAnswers(t *testing.T) string {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, hostileResponse)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func newPayStandIn(t *testing.T) *payStandIn {
	t.Helper()
	s := &payStandIn{clk: clock.NewVirtual(t0), keysDir: testKeysDir(t)}
	var err error
	if s.id, err = paykeys.Open(paykeys.Options{Dir: s.keysDir, Now: s.clk.Now}); err != nil {
		t.Fatal(err)
	}
	if s.signing, err = paykeys.NewSigning(paykeys.SigningOptions{Identity: s.id, Mode: paykeys.ModePublicKey, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	m := s.id.Merchant()
	s.world = payworld.New(payworld.Config{Seed: 1}, s.clk.Now)
	if _, err := s.world.AddMerchant(payworld.Merchant{MchID: m.MchID, SerialNo: m.SerialNo, PublicKey: m.PublicKey, APIv3Key: m.APIv3Key}); err != nil {
		t.Fatal(err)
	}
	if s.engine, err = paypush.New(paypush.Options{Host: s, Sched: s.clk.Scheduler(), Signing: s.signing, Now: s.clk.Now, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.engine.Stop)
	t.Cleanup(s.clk.Attach(clock.Hooks{Settle: s.engine.WaitIdle}))
	if s.api, err = payapi.New(payapi.Options{World: s.world, Signing: s.signing, Now: s.clk.Now, Recorder: s}); err != nil {
		t.Fatal(err)
	}
	if s.signer, err = apiv3.NewSigner(apiv3.SignerOptions{Key: m.PrivateKey, Serial: m.SerialNo, Now: s.clk.Now}); err != nil {
		t.Fatal(err)
	}
	return s
}

// Target and Fault make the stand-in the engine's Host.
func (s *payStandIn) Target(mchid string) (string, string) {
	m, _ := s.world.Merchant(mchid)
	return m.NotifyURL, m.APIv3Key
}

func (s *payStandIn) Fault(string, complaints.ActionType) (paypush.Plan, bool) {
	return paypush.Plan{}, false
}

// Record keeps the /v3/ calls.
func (s *payStandIn) Record(c payapi.Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// apply sends a transition's callbacks and waits for their attempts.
func (s *payStandIn) apply(t *testing.T, fx payworld.Effects, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, cb := range fx.Callbacks {
		s.engine.Send(cb)
	}
	s.engine.WaitIdle()
}

// call sends a request to /v3/ signed over signed, with body sent.
func (s *payStandIn) call(t *testing.T, method, target, signed, sent string) int {
	t.Helper()
	a, err := s.signer.Authorization(s.id.Merchant().MchID, method, target, []byte(signed))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(method, target, strings.NewReader(sent))
	r.Header.Set("Authorization", a.String())
	r.Header.Set("Accept", "application/json")
	r.Header.Set("User-Agent", "console-test")
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.api.ServeHTTP(w, r)
	return w.Code
}

// The PayBackend.

func (s *payStandIn) PayComplaintsPage(after string, limit int, match func(*payworld.Complaint) bool) ([]payworld.Complaint, error) {
	return s.world.Complaints(after, limit, match)
}
func (s *payStandIn) PayComplaint(id string) (payworld.Complaint, bool) { return s.world.Complaint(id) }
func (s *payStandIn) PayMerchants() []payworld.Merchant                 { return s.world.Merchants() }
func (s *payStandIn) PaySigning() *paykeys.Signing                      { return s.signing }
func (s *payStandIn) PayProbeEvery() time.Duration                      { return s.every }
func (s *payStandIn) PayKeysDir() string                                { return s.keysDir }
func (s *payStandIn) PayDeliveriesOf(match func(*paypush.Delivery) bool) []paypush.Delivery {
	return s.engine.DeliveriesOf(match)
}
func (s *payStandIn) PayPendingCallbacks() int { return s.engine.Pending() }
func (s *payStandIn) PaySignFailures(limit int) []payapi.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []payapi.Call
	for _, c := range s.calls {
		if c.SignFailure != nil {
			out = append(out, c)
		}
	}
	return out[max(0, len(out)-limit):]
}

// The Backend: no V1.5 world, the clock, and the /v3/ calls as the
// fake's call log keeps them.

func (s *payStandIn) Now() time.Time                                         { return s.clk.Now() }
func (s *payStandIn) VirtualClock() *clock.Virtual                           { return s.clk }
func (s *payStandIn) Accounts() []world.Account                              { return nil }
func (s *payStandIn) MessageWindow() time.Duration                           { return 48 * time.Hour }
func (s *payStandIn) User(string, string) (world.User, bool)                 { return world.User{}, false }
func (s *payStandIn) InboxOf(string, string) []world.Message                 { return nil }
func (s *payStandIn) Complaint(string) (world.Complaint, bool)               { return world.Complaint{}, false }
func (s *payStandIn) ResolveComplaint(string) (string, error)                { return "", world.ErrNotFound }
func (s *payStandIn) DeliveriesOf(func(*push.Delivery) bool) []push.Delivery { return nil }
func (s *payStandIn) Faults() []fault.Fault                                  { return nil }
func (s *payStandIn) PendingDeliveries() int                                 { return 0 }
func (s *payStandIn) ComplaintsPage(string, int, func(*world.Complaint) bool) ([]world.Complaint, error) {
	return nil, nil
}
func (s *payStandIn) LatestCalls(f calllog.Filter, limit int) []calllog.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []calllog.Call
	for _, c := range s.calls {
		path, _, _ := strings.Cut(c.Target, "?")
		if f.Endpoint == "" || f.Endpoint == path {
			out = append(out, calllog.Call{Time: c.Time, Endpoint: path, Method: c.Method, Body: c.Body, Answer: c.Answer, Status: c.Status})
		}
	}
	return out[max(0, len(out)-limit):]
}

// payScene files three complaints and plays their lives: c1 PROCESSING
// with a callback refused then delivered and a user's message; c2
// PROCESSED, then a reply WeChat refuses; c3 PENDING with the platform
// assisting; a request whose signature fails; a SIGNTEST probe the
// merchant wrongly acknowledges.
func payScene(t *testing.T) (s *payStandIn, c1, c2, c3 string) {
	s = newPayStandIn(t)
	mch := s.id.Merchant().MchID
	if _, _, err := s.world.CreateNotifyURL(mch, merchantAnswers(t)); err != nil {
		t.Fatal(err)
	}
	c, fx, err := s.world.File(payworld.FileSpec{Detail: hostileDetail, ProblemType: complaints.ProblemRefund, ApplyRefundAmount: 1234, PayerOpenID: "o-李雷"})
	s.apply(t, fx, err)
	c1 = c.ID()
	s.clk.Advance(5 * time.Second) // the retry of the refused callback
	fx, err = s.world.Respond(mch, c1, complaints.ResponseRequest{ComplaintedMchID: mch, ResponseContent: "您好，已安排退款"})
	s.apply(t, fx, err)
	_, fx, err = s.world.UserMessage(c1, hostileMessage)
	s.apply(t, fx, err)
	day := 3
	fx, err = s.world.UpdateRefundProgress(mch, c1, complaints.RefundProgressRequest{Action: complaints.RefundApprove, LaunchRefundDay: &day})
	s.apply(t, fx, err)

	c, fx, err = s.world.File(payworld.FileSpec{Detail: "商品质量问题"})
	s.apply(t, fx, err)
	c2 = c.ID()
	fx, err = s.world.Respond(mch, c2, complaints.ResponseRequest{ComplaintedMchID: mch, ResponseContent: "已处理"})
	s.apply(t, fx, err)
	fx, err = s.world.Complete(mch, c2, complaints.CompleteRequest{ComplaintedMchID: mch})
	s.apply(t, fx, err)
	s.clk.Advance(time.Minute)
	reply := `{"complainted_mchid":"` + mch + `","response_content":"再次回复"}`
	if code := s.call(t, "POST", complaints.PathResponse(c2), reply, reply); code != http.StatusBadRequest {
		t.Fatalf("a reply to a PROCESSED complaint: HTTP %d, want 400", code)
	}

	c, fx, err = s.world.File(payworld.FileSpec{Detail: "服务没有生效"})
	s.apply(t, fx, err)
	c3 = c.ID()
	_, fx, err = s.world.ApplyPlatformService(c3, "商家未响应", "三天没人理")
	s.apply(t, fx, err)

	if code := s.call(t, "POST", complaints.PathResponse(c3), `{"complainted_mchid":"`+mch+`"}`, hostileBody); code != http.StatusUnauthorized {
		t.Fatalf("a request signed over another body: HTTP %d, want 401", code)
	}
	s.engine.Probe(mch)
	s.engine.WaitIdle()
	return s, c1, c2, c3
}

// get serves one console page.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w.Code, w.Body.String()
}

// privateKeyLines returns a line from the middle of each private key's
// PEM in the keys directory: no page may hold one.
func privateKeyLines(t *testing.T, dir string) []string {
	t.Helper()
	var lines []string
	for _, name := range []string{apiv3.FilePrivateKey, paykeys.FileWeChatPayPrivateKey, paykeys.FilePlatformKey} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if blk, _ := pem.Decode(b); blk == nil || !strings.Contains(blk.Type, "PRIVATE KEY") {
			t.Fatalf("%s is not a private key", name)
		}
		ls := strings.Split(strings.TrimSpace(string(b)), "\n")
		lines = append(lines, strings.TrimSpace(ls[len(ls)/2]))
	}
	return lines
}

// TestPayPages: each Complaints 2.0 page says what the fake holds —
// states and counts, the history interleaved with every callback attempt
// (headers, decrypted resource, verdicts), the merchant's refused call,
// the keys and where they go, the signature failure with WeChat's string
// beside the request — shows hostile text as text, and holds no private
// key.
func TestPayPages(t *testing.T) {
	s, c1, c2, c3 := payScene(t)
	h := New(Options{Backend: s, Pay: s})
	m := s.id.Merchant()
	failure, err := apiv3.ParseAuthorization(s.PaySignFailures(1)[0].SignFailure.Authorization)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path   string
		status int
		want   []string
		not    []string
	}{
		{"/", 200, []string{`href="./pay-complaints"`, "Complaints 2.0", `<span class="n">3</span><span>complaints</span>`,
			`<span class="n">1</span><span>PENDING</span>`, `<span class="n">1</span><span>PROCESSED</span>`,
			`<span class="n">1</span><span>signature failures</span>`, "1 with the platform assisting", "1 with a user's message waiting"}, nil},
		{"/pay-complaints", 200, []string{"<h1>Complaints 2.0 (3)</h1>", c1, c2, c3, "&lt;img src=x onerror=alert(1)&gt;没收到货",
			"PENDING <span class=\"n\">1</span>", "PROCESSING <span class=\"n\">1</span>", "PROCESSED <span class=\"n\">1</span>",
			"¥12.34", "platform assisting", "user's message waits", `data-path="_mock/pay/complaints"`, "2/2 delivered"}, []string{"<img src=x"}},
		{"/pay-complaints?state=PROCESSED", 200, []string{"<h1>Complaints 2.0 (1)</h1>", c2}, []string{">" + c1 + "<", ">" + c3 + "<"}},
		{"/pay-complaints/" + c1, 200, []string{
			"The user filed the complaint", "USER_CREATE_COMPLAINT", "The merchant replied", "您好，已安排退款",
			"The user wrote to the merchant", "请尽快&lt;b&gt;退款&lt;/b&gt;",
			"Callback CREATE_COMPLAINT to the merchant", "Callback USER_RESPONSE to the merchant",
			"#1 HTTP 500", "refused", "&lt;script&gt;alert(&#39;merchant&#39;)&lt;/script&gt;", "#2 HTTP 204", "acknowledged",
			"Wechatpay-Serial", s.id.PublicKeyID(), "Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce",
			"complaint_id&#34;:&#34;" + c1, "o-李雷",
			`data-path="_mock/pay/complaints/` + c1 + `/message"`, `data-path="_mock/pay/complaints/` + c1 + `/apply-platform"`,
			`data-path="_mock/pay/complaints/` + c1 + `/platform-message"`, "/resend\"",
			"The merchant approved the refund", "refund within 3 days", `/refund-arrived"`,
		}, []string{"<img src=x", "<b>退款", "<script>alert", `/continue"`}},
		{"/pay-complaints/" + c2, 200, []string{"The merchant marked it complete", "WeChat refused the merchant&#39;s POST …/response",
			"HTTP 400", "INVALID_REQUEST", "再次回复", `/continue"`}, []string{`/message"`, `/refund-arrived"`}},
		{"/pay-complaints/" + c3, 200, []string{"The user asked the platform for help", "HTTP 401 SIGN_ERROR", `href="../pay-signatures">the string WeChat expected`, "商家未响应", "三天没人理", `/cancel-platform"`, `/platform-finish"`},
			[]string{`/apply-platform"`}},
		{"/pay-complaints/nope", 404, []string{"There is no Complaints 2.0 complaint nope"}, nil},
		{"/pay-keys", 200, []string{m.MchID, m.SerialNo, s.id.PublicKeyID(), s.id.PlatformSerial(), "public-key",
			filepath.Join(s.keysDir, "apiclient_key.pem"), filepath.Join(s.keysDir, "pub_key.pem"), "Never shown here",
			"0123…cdef", `data-path="_mock/pay/probes"><fieldset disabled><input type="hidden" name="mchid" value="` + m.MchID + `"`, `data-path="_mock/pay/merchants/` + m.MchID + `"`,
			"Probe to " + m.MchID, "wrong: a merchant that verifies callbacks refuses this one"}, nil},
		{"/pay-signatures", 200, []string{"<h1>Signature failures (1)</h1>", "POST " + complaints.PathResponse(c3), "SIGN_ERROR",
			"POST⏎\n" + complaints.PathResponse(c3) + "⏎\n", `&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;`,
			strings.ReplaceAll(failure.Signature, "+", "&#43;"), failure.Nonce, "WECHATPAY2-SHA256-RSA2048 mchid=&#34;" + m.MchID, "the signature does not verify", "nonce_str", "the fake&#39;s clock"},
			[]string{"</pre><script>"}},
	}
	keyLines := privateKeyLines(t, s.keysDir)
	for _, tt := range tests {
		status, body := get(t, h, tt.path)
		if status != tt.status {
			t.Errorf("GET %s: HTTP %d, want %d", tt.path, status, tt.status)
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
		if strings.Contains(body, "PRIVATE KEY") {
			t.Errorf("GET %s: a PEM private key on the page", tt.path)
		}
		for _, l := range keyLines {
			if strings.Contains(body, l) {
				t.Errorf("GET %s: the page holds a line of a private key", tt.path)
			}
		}
		if regexp.MustCompile(`<script>|<[a-z][^>]*\son[a-z]+=`).MatchString(body) {
			t.Errorf("GET %s: inline script or handler (the CSP forbids them)", tt.path)
		}
	}
	if t.Failed() {
		_, body := get(t, h, "/pay-complaints/"+c1)
		t.Logf("the complaint's page:\n%s", body)
	}
}

// TestPayTimelineOrder: the timeline interleaves history and callbacks in
// time order, each callback after the act it announces.
func TestPayTimelineOrder(t *testing.T) {
	s, c1, c2, _ := payScene(t)
	h := New(Options{Backend: s, Pay: s})
	c, _ := s.PayComplaint(c1)
	got, n := h.payTimeline(c)
	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind+":"+e.Title)
	}
	want := []string{
		"user:The user filed the complaint", "callback:Callback CREATE_COMPLAINT to the merchant",
		"merchant:The merchant replied",
		"user:The user wrote to the merchant", "callback:Callback USER_RESPONSE to the merchant",
		"merchant:The merchant approved the refund",
	}
	if n != 2 || strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("the timeline (%d callbacks):\n%s\nwant:\n%s", n, strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
	// c2's life shares one instant of the virtual clock: the callback
	// still follows the filing it announces, not the merchant's acts.
	c, _ = s.PayComplaint(c2)
	got2, _ := h.payTimeline(c)
	kinds = kinds[:0]
	for _, e := range got2 {
		kinds = append(kinds, e.Kind+":"+e.Title)
	}
	want = []string{"user:The user filed the complaint", "callback:Callback CREATE_COMPLAINT to the merchant",
		"merchant:The merchant replied", "merchant:The merchant marked it complete", "refused:WeChat refused the merchant's POST …/response"}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("the timeline of a life in one instant:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
	if d := got[1].Delivery; d == nil || len(d.Views) != 2 || d.Views[0].Class != "bad" || d.Views[1].Class != "ok" || !d.Delivered {
		t.Errorf("the first callback's attempts: %+v", d)
	}
}

// TestPayListPages: the list shows 50 complaints a page, with links to
// the next and the first.
func TestPayListPages(t *testing.T) {
	s := newPayStandIn(t)
	var ids []string
	for range pageSize + 2 {
		c, _, err := s.world.File(payworld.FileSpec{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID())
	}
	h := New(Options{Backend: s, Pay: s})
	_, first := get(t, h, "/pay-complaints?state=PENDING")
	if !strings.Contains(first, "Showing 1–50 of 52.") || !strings.Contains(first, ids[49]) || strings.Contains(first, ids[50]) {
		t.Errorf("the first page does not show complaints 1 to 50 of 52")
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(first)
	if next == nil {
		t.Fatal("the first page has no link to the next")
	}
	_, second := get(t, h, "/pay-complaints"+strings.ReplaceAll(next[1], "&amp;", "&"))
	if !strings.Contains(second, "Showing 51–52 of 52.") || !strings.Contains(second, ids[51]) || strings.Contains(second, ">"+ids[0]+"<") ||
		!strings.Contains(second, "« First page") || strings.Contains(second, `rel="next"`) {
		t.Errorf("the second page does not show complaints 51 and 52:\n%s", second)
	}
	if _, body := get(t, h, "/pay-complaints?after=nope"); !strings.Contains(body, "no complaint nope to start after") {
		t.Error("an unknown after is not said")
	}
}

// TestPayOff: without a PayBackend the console has no Complaints 2.0
// link, and its pages say the fake does not play it.
func TestPayOff(t *testing.T) {
	s := newPayStandIn(t)
	h := New(Options{Backend: s})
	if _, body := get(t, h, "/"); strings.Contains(body, "pay-complaints") || strings.Contains(body, "Complaints 2.0") {
		t.Error("the overview links to Complaints 2.0 on a fake that does not play it")
	}
	for _, p := range []string{"/pay-complaints", "/pay-complaints/1", "/pay-keys", "/pay-signatures"} {
		if status, body := get(t, h, p); status != http.StatusNotFound || !strings.Contains(body, "does not play Complaints 2.0") {
			t.Errorf("GET %s: HTTP %d", p, status)
		}
	}
	if !Owns("/pay-complaints/1") || !Owns("/pay-keys") || Owns("/pay/x") {
		t.Error("Owns does not name the Complaints 2.0 pages (or takes the WeChat API's /pay/)")
	}
}

// TestPaySwitchMode: in the switch the keys page says which day it is and
// the public key's share of callbacks.
func TestPaySwitchMode(t *testing.T) {
	s := newPayStandIn(t)
	if err := s.signing.SetMode(paykeys.ModeSwitch, s.clk.Now()); err != nil {
		t.Fatal(err)
	}
	s.clk.Advance(49 * time.Hour)
	_, body := get(t, New(Options{Backend: s, Pay: s}), "/pay-keys")
	for _, w := range []string{"switch", "day 3 of 7", "the public key signs 5 % of callbacks", "configure both"} {
		if !strings.Contains(body, w) {
			t.Errorf("the keys page in the switch lacks %q", w)
		}
	}
}

func TestSignLines(t *testing.T) {
	tests := []struct {
		msg  string
		want []string
	}{
		{"GET\n/v3/x?a=1\n1700000000\nabc\n\n", []string{"GET", "/v3/x?a=1", "1700000000", "abc", ""}},
		{"POST\n/v3/y\n1\nn\n{\"a\":\n\"b\"}\n", []string{"POST", "/v3/y", "1", "n", "{\"a\":\n\"b\"}"}},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range signLines(tt.msg) {
			got = append(got, l.Value)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("signLines(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
	if got := showLineEnds("a\nb\n"); got != "a⏎\nb⏎\n" {
		t.Errorf("showLineEnds: %q", got)
	}
}

func TestViewAttempts(t *testing.T) {
	tests := []struct {
		name  string
		probe bool
		a     paypush.Attempt
		class string
	}{
		{"acknowledged", false, paypush.Attempt{URL: "u", Status: 204, Verdict: "acknowledged"}, "ok"},
		{"refused", false, paypush.Attempt{URL: "u", Status: 500, Verdict: "refused"}, "bad"},
		{"too slow", false, paypush.Attempt{URL: "u", Status: 200, Verdict: "too slow"}, "bad"},
		{"tampered, acknowledged", false, paypush.Attempt{URL: "u", Status: 200, Verdict: "acknowledged", Wrong: true}, "bad"},
		{"probe refused", true, paypush.Attempt{URL: "u", Status: 401, Verdict: "refused"}, "ok"},
		{"probe acknowledged", true, paypush.Attempt{URL: "u", Status: 204, Verdict: "acknowledged", Wrong: true}, "bad"},
		{"no URL", false, paypush.Attempt{Verdict: "no answer"}, "bad"},
	}
	for _, tt := range tests {
		v := viewAttempts(paypush.Delivery{Probe: tt.probe, Attempts: []paypush.Attempt{tt.a}})
		if v[0].Class != tt.class {
			t.Errorf("%s: class %s, want %s", tt.name, v[0].Class, tt.class)
		}
	}
}

func TestYuanAndMask(t *testing.T) {
	for fen, want := range map[int64]string{0: "¥0.00", 5: "¥0.05", 1234: "¥12.34", -100: "-¥1.00"} {
		if got := yuan(fen); got != want {
			t.Errorf("yuan(%d) = %q, want %q", fen, got, want)
		}
	}
	if got := mask("0123456789abcdef0123456789abcdef"); got != "0123…cdef" {
		t.Errorf("mask: %q", got)
	}
	if got := mask("short"); got != "…" {
		t.Errorf("mask of a short secret: %q", got)
	}
}

// TestPayKeysCertificates: the keys page lists the platform certificates
// with their validity, the replaced one after a rotation, and the
// interval of scheduled probes.
func TestPayKeysCertificates(t *testing.T) {
	s := newPayStandIn(t)
	old := s.id.PlatformSerial()
	r, err := s.id.RotatePlatform(24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s.every = 6 * time.Hour
	_, body := get(t, New(Options{Backend: s, Pay: s}), "/pay-keys")
	for _, w := range []string{"<code>" + apiv3.SerialOf(r.Current.Cert) + "</code> valid", "(signs)", "<code>" + old + "</code> valid",
		"(replaced: listed until it expires)", "every 6h0m0s", "Rotate the platform certificate"} {
		if !strings.Contains(body, w) {
			t.Errorf("the keys page after a rotation lacks %q", w)
		}
	}
}

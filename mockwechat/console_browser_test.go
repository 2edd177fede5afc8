package mockwechat

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/chromium"
	"github.com/payfeedback/payfeedback/middleware"
)

// browser opens a tab of its own for a test, 1280×900, in its own
// browser context (no cookies or storage shared with another test's
// tab), in the Chromium the console's browser tests share (main_test.go):
// the tests run in parallel, each in its tab; the tab is closed when the
// test ends. Without Chromium the test is skipped on a developer's
// machine and fails in CI ($CI set), where .ci/run installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	const width, height = 1280, 900
	bctx, err := testChromium.get(width, height)
	if errors.Is(err, chromium.ErrNotFound) {
		if os.Getenv("CI") != "" {
			t.Fatalf("the console's browser tests must run in CI: %v", err)
		}
		t.Skipf("%v (CI installs it; so can you: apt-get install chromium)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// step runs browser actions, bounded by 15 s.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		if png, serr := chromedp.Run(ctx, chromedp.CaptureScreenshot()); serr == nil {
			name := filepath.Join(t.ArtifactDir(), "failed.png")
			os.WriteFile(name, png, 0o644)
			t.Logf("the page when it failed: %s", name)
		}
		t.Fatalf("%s: %v", what, err)
	}
}

// hasText waits until the element sel holds text (the page's live
// parts change under it: the wait polls the document).
func hasText(sel, text string) chromedp.Action[chromedp.Void] {
	expr := fmt.Sprintf("(document.querySelector(%q)?.textContent ?? '').includes(%q)", sel, text)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr)(ctx, t)
		return chromedp.Void{}, err
	}
}

// holds waits until the JavaScript expression expr is true.
func holds(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr)(ctx, t)
		return chromedp.Void{}, err
	}
}

// shot saves a screenshot of the window among the test's artifacts, when
// they are kept (go test -artifacts): otherwise the directory goes with
// the test, and a screenshot (the page rendered and encoded, at 1280×900)
// costs the browser a second of CPU for nothing.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if f := flag.Lookup("test.artifacts"); f == nil || f.Value.String() != "true" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// noReload marks the page, so that a later check tells whether it was
// reloaded since (the marker would be gone).
func noReload(t *testing.T, ctx context.Context, set bool) {
	t.Helper()
	expr := "window.__sameDocument === true"
	if set {
		expr = "(window.__sameDocument = true)"
	}
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil || !ok {
		t.Fatalf("the page was reloaded (or the check failed: %v): live updates must not reload it", err)
	}
}

// TestConsoleBrowserFlow drives the console in headless Chromium: file a
// complaint with the form; watch its push reach the merchant in the
// timeline without a reload; the merchant (the middleware and the client,
// in process) messages the user and marks it handled; confirm as the
// user; then advance the clock with the header's buttons past another
// complaint's deadline and see the overdue badge. Screenshots of each step
// are saved as test artifacts (go test -artifacts keeps them).
func TestConsoleBrowserFlow(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dir := t.ArtifactDir()
	t.Logf("screenshots: %s", dir)

	clk := NewVirtualClock(t0)
	fake := NewServer(Options{Clock: clk})
	defer fake.Close()
	demo := DemoAccount()
	if err := fake.SetReasons(demo.AppID, []string{"没收到货", "质量问题"}); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	merchant := newHandlerServer(t, middleware.New(middleware.Config{Keys: middleware.StaticKeys{demo.AppID: demo.PaySignKey}, Now: fake.Now})(
		middleware.Dispatcher{
			OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
				select { // the first push waits until the page shows it in flight
				case <-release:
				case <-ctx.Done():
				}
				return nil
			},
			OnConfirm: func(context.Context, *payfeedback.Notification) error { return nil },
		}))
	fake.SetNotifyURL(demo.AppID, merchant.URL)
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: demo.AppID, Secret: demo.Secret, BaseURL: fake.URL, HTTPClient: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}

	// 1. File a complaint with the form.
	step(t, ctx, "open the complaints", chromedp.Navigate(fake.URL+"/complaints"), chromedp.WaitVisible(chromedp.CSS("#live.on")),
		chromedp.Click(chromedp.CSS("details.act > summary")),
		chromedp.SetValue(chromedp.CSS(`form[data-path="_mock/complaints"] input[name=openid]`), "o-browser"),
		chromedp.SetValue(chromedp.CSS(`form[data-path="_mock/complaints"] input[name=reason]`), "没收到货"),
		chromedp.SetValue(chromedp.CSS(`form[data-path="_mock/complaints"] input[name=solution]`), "退款"))
	shot(t, ctx, dir, "1-file.png")
	step(t, ctx, "file the complaint", chromedp.Click(chromedp.CSS(`form[data-path="_mock/complaints"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("#timeline")), chromedp.WaitVisible(chromedp.CSS("#live.on")))
	cs := fake.Complaints()
	if len(cs) != 1 || cs[0].OpenID != "o-browser" || cs[0].Reason != "没收到货" || cs[0].Solution != "退款" {
		t.Fatalf("the form filed %+v", cs)
	}
	id := cs[0].FeedBackID
	noReload(t, ctx, true)

	// 2. Its push, in flight, then delivered: the timeline follows.
	step(t, ctx, "the push in flight", hasText("main", "Push request to the merchant"))
	close(release)
	step(t, ctx, "the push delivered", chromedp.WaitVisible(chromedp.CSS("#timeline .attempts li.ok")), hasText("main", "Delivered."))
	shot(t, ctx, dir, "2-pushed.png")

	// 3. The merchant messages the user and marks the complaint handled.
	bg := context.Background()
	if err := client.SendMessage(bg, "o-browser", payfeedback.TextMessage{Content: "您好，已为您退款。"}); err != nil {
		t.Fatal(err)
	}
	if err := client.UpdateFeedback(bg, "o-browser", id); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "the merchant's update", chromedp.WaitVisible(chromedp.CSS(".lead .state-handled")),
		hasText("main", "The merchant marked it handled"), hasText("main", "已为您退款"))
	shot(t, ctx, dir, "3-handled.png")

	// 4. Confirm as the user.
	step(t, ctx, "confirm", chromedp.Click(chromedp.CSS(`form[data-path$="/confirm"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".lead .state-confirmed")), hasText("main", "The user confirmed it resolved"))
	if c, _ := fake.Complaint(id); c.State != StateConfirmed {
		t.Fatalf("after the click the complaint is %s", c.State)
	}
	if _, err := fake.WaitForDelivery(bg, DeliveryDone(id, payfeedback.MsgConfirm)); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "the confirm push", hasText("main", "Push confirm to the merchant"))
	noReload(t, ctx, false)
	shot(t, ctx, dir, "4-confirmed.png")

	// 5. Another complaint, virtual goods (3 days to resolve): advance the
	// clock a day at a time from the header until it is overdue.
	step(t, ctx, "file another", chromedp.Navigate(fake.URL+"/complaints"), chromedp.WaitVisible(chromedp.CSS("#live.on")),
		chromedp.Click(chromedp.CSS("details.act > summary")),
		chromedp.SetValue(chromedp.CSS(`form[data-path="_mock/complaints"] input[name=openid]`), "o-late"),
		chromedp.SetValue(chromedp.CSS(`form[data-path="_mock/complaints"] select[name=goods]`), "virtual"),
		chromedp.Click(chromedp.CSS(`form[data-path="_mock/complaints"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("#timeline")),
		chromedp.Navigate(fake.URL+"/complaints"), chromedp.WaitVisible(chromedp.CSS("#live.on")))
	noReload(t, ctx, true)
	for day := 1; day <= 4; day++ {
		want := t0.Add(time.Duration(day) * 24 * time.Hour).Format("2006-01-02 15:04:05")
		step(t, ctx, "advance a day", chromedp.Click(chromedp.CSS(`#clock form:nth-of-type(2) button`)),
			hasText("#clock", want))
	}
	step(t, ctx, "the overdue badge", chromedp.WaitVisible(chromedp.CSS("#list .badge.overdue")))
	noReload(t, ctx, false)
	shot(t, ctx, dir, "5-overdue.png")
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#list")))
	if err != nil || !strings.Contains(text, "o-late") || !strings.Contains(text, "overdue") {
		t.Fatalf("the list after 4 days: %q %v", text, err)
	}
	if late := fake.Complaints()[1]; !late.Overdue {
		t.Fatalf("the fake says %+v", late)
	}

	// 6. As the MP admin, a reason too long: the API's own message shows,
	// and nothing changes; a good one is saved.
	reasons := `form[data-path="_mock/accounts/` + demo.AppID + `/reasons"]`
	step(t, ctx, "a reason too long", chromedp.Navigate(fake.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#live.on")),
		chromedp.SetValue(chromedp.CSS(reasons+" input[name=items]"), "这个投诉原因一共有十六个字符太长了吧"),
		chromedp.Click(chromedp.CSS(reasons+" button")),
		hasText(reasons+" .form-error", "reason 1 has 18 characters: want 1 to 15 characters"))
	shot(t, ctx, dir, "6-reason-refused.png")
	if a := fake.Accounts()[0]; a.Reasons[0] != "没收到货" {
		t.Fatalf("a refused reason changed the account: %v", a.Reasons)
	}
	step(t, ctx, "a good reason", chromedp.SetValue(chromedp.CSS(reasons+" input[name=items]"), "商品破损"),
		chromedp.Click(chromedp.CSS(reasons+" button")), hasText("#flash", "Done"))
	if a := fake.Accounts()[0]; a.Reasons[0] != "商品破损" || a.Reasons[1] != "质量问题" {
		t.Fatalf("the saved reasons: %v", a.Reasons)
	}
}

// cuttable is a reverse proxy in front of the fake whose event streams the
// test can break: cut closes every connection and holds new streams until
// mend, so the page misses what happens in between.
type cuttable struct {
	*httptest.Server
	mu   sync.Mutex
	held chan struct{} // closed by mend; nil while streams pass
}

func newCuttable(t *testing.T, target string) *cuttable {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttable{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_mock/events" {
			p.mu.Lock()
			held := p.held
			p.mu.Unlock()
			if held != nil {
				select {
				case <-held:
				case <-r.Context().Done():
					return
				}
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *cuttable) cut() {
	p.mu.Lock()
	p.held = make(chan struct{})
	p.mu.Unlock()
	p.CloseClientConnections()
}

func (p *cuttable) mend() {
	p.mu.Lock()
	close(p.held)
	p.held = nil
	p.mu.Unlock()
}

// TestConsoleBrowserLive: the live parts of the console in headless
// Chromium. When the event stream breaks and comes back, the page catches
// up with what happened meanwhile and says so (it stayed stale before,
// showing nothing of it until the next event); when calls come faster
// than the stream forwards them, the calls page's banner counts the
// events it did not show and fetches the newest (it read "undefined
// calls" before: console.js read .calls, the stream sends .events).
func TestConsoleBrowserLive(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dir := t.ArtifactDir()
	t.Logf("screenshots: %s", dir)
	fake := NewServer(Options{Clock: NewVirtualClock(t0)})
	defer fake.Close()
	proxy := newCuttable(t, fake.URL)

	// 1. The stream breaks; a complaint is filed meanwhile; the stream
	// comes back, and the list shows it without a reload.
	step(t, ctx, "open the complaints", chromedp.Navigate(proxy.URL+"/complaints"), chromedp.WaitVisible(chromedp.CSS("#live.on")))
	noReload(t, ctx, true)
	proxy.cut()
	step(t, ctx, "the break seen", hasText("#live", "reconnecting"))
	if _, err := fake.FileComplaint(testCtx(t), ComplaintSpec{OpenID: "o-meanwhile", Reason: "断线时投诉"}); err != nil {
		t.Fatal(err)
	}
	if text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#list"))); err != nil || strings.Contains(text, "o-meanwhile") {
		t.Fatalf("the page heard of the complaint during the break (%v): the test does not break the stream", err)
	}
	shot(t, ctx, dir, "live-1-broken.png")
	proxy.mend()
	step(t, ctx, "the page catches up", chromedp.WaitVisible(chromedp.CSS("#live.on")), hasText("#list", "o-meanwhile"),
		hasText("#flash", "Reconnected to the fake: the page caught up."))
	noReload(t, ctx, false)
	shot(t, ctx, dir, "live-2-caught-up.png")

	// 2. Calls faster than the stream forwards (100 of each kind a
	// second): the banner counts the events not shown.
	step(t, ctx, "open the calls", chromedp.Navigate(proxy.URL+"/calls"), chromedp.WaitVisible(chromedp.CSS("#live.on")))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := fake.Client().Get(fake.URL + payfeedback.PathToken + "?grant_type=client_credential&appid=" + DemoAccount().AppID + "&secret=wrong")
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	step(t, ctx, "the banner", hasText("#skipped", "in the last second came faster than the console shows them live"))
	close(stop)
	wg.Wait()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#skipped")))
	if err != nil || strings.Contains(text, "undefined") || !regexp.MustCompile(`^[1-9][0-9]* events? in the last second`).MatchString(text) {
		t.Fatalf("the banner reads %q (%v), want the number of events not shown", text, err)
	}
	shot(t, ctx, dir, "live-3-banner.png")
}

// TestConsoleBrowserPay drives the Complaints 2.0 pages in headless
// Chromium: set the callback URL with the keys page's form; file a
// complaint through the admin API and open it from the list; see its
// CREATE_COMPLAINT callback delivered to a verifying merchant, headers
// and decrypted resource on the page; write to the merchant as the user
// with the form and watch the act and its USER_RESPONSE callback appear
// without a reload; the merchant replies through the client and the
// state follows; file another with the list's form; the keys page holds
// no private key; a SIGNTEST probe sent with its button is refused by the
// merchant and judged right; a notification resent gets a second attempt;
// a forged signature shows beside WeChat's string to sign. Screenshots of each step are saved as test artifacts.
func TestConsoleBrowserPay(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dir := t.ArtifactDir()
	t.Logf("screenshots: %s", dir)
	// the merchant verifies callbacks on real time: the virtual clock
	// starts now
	clk := NewVirtualClock(time.Now().Truncate(time.Second))
	fake := NewServer(Options{Clock: clk, Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	merchant := newPayMerchantServer(t, fake)
	m, _ := fake.PayMerchant()
	bg := context.Background()

	// 1. The callback URL, with the keys page's form.
	urlForm := `form[data-path="_mock/pay/merchants/` + m.MchID + `/notify-url"][data-api="PUT"]`
	step(t, ctx, "set the callback URL", chromedp.Navigate(fake.URL+"/pay-keys"), chromedp.WaitVisible(chromedp.CSS("#live.on")),
		chromedp.SetValue(chromedp.CSS(urlForm+" input[name=url]"), merchant.URL),
		chromedp.Click(chromedp.CSS(urlForm+" button")), hasText("#merchants", "Callbacks go to "+merchant.URL))
	if got, _ := fake.PayMerchant(); got.NotifyURL != merchant.URL {
		t.Fatalf("the form set the callback URL %q", got.NotifyURL)
	}
	shot(t, ctx, dir, "pay-1-keys.png")

	// 2. A complaint filed through the admin API, opened from the list.
	var filed struct {
		ComplaintID string `json:"complaint_id"`
	}
	if status, body := adminCall(t, fake, "POST", "/_mock/pay/complaints",
		`{"complaint_detail":"买的耳机没收到，要求退款","problem_type":"REFUND","apply_refund_amount":5900,"payer_openid":"o-browser"}`, &filed); status != http.StatusCreated {
		t.Fatalf("POST /_mock/pay/complaints: HTTP %d %s", status, body)
	}
	id := filed.ComplaintID
	step(t, ctx, "open it from the list", chromedp.Navigate(fake.URL+"/pay-complaints"), chromedp.WaitVisible(chromedp.CSS("#live.on")),
		hasText("#list", "买的耳机没收到"), chromedp.Click(chromedp.CSS(`#list a[href$="/`+id+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#timeline")), chromedp.WaitVisible(chromedp.CSS("#live.on")),
		hasText("#timeline", "Callback CREATE_COMPLAINT to the merchant"),
		chromedp.WaitVisible(chromedp.CSS("#timeline .attempts li.ok")), hasText("#timeline", "Wechatpay-Signature"),
		hasText("#timeline", `"action_type":"CREATE_COMPLAINT"`))
	shot(t, ctx, dir, "pay-2-complaint.png")
	noReload(t, ctx, true)

	// 3. As the user, a message to the merchant: the act and its
	// callback appear without a reload.
	msg := `form[data-path="_mock/pay/complaints/` + id + `/message"]`
	step(t, ctx, "write as the user", chromedp.SetValue(chromedp.CSS(msg+" input[name=text]"), "还没收到退款，请尽快处理"),
		chromedp.Click(chromedp.CSS(msg+" button")),
		hasText("#timeline", "The user wrote to the merchant"), hasText("#timeline", "还没收到退款，请尽快处理"),
		hasText("#timeline", "Callback USER_RESPONSE to the merchant"), hasText("#head", "user's message waits"))
	if err := fake.WaitPayIdle(bg); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "its callback delivered", holds(`document.querySelectorAll("#timeline .attempts li.ok").length === 2`))
	if opened, refused := merchant.counts(); opened != 2 || refused != 0 {
		t.Fatalf("the merchant opened %d callbacks and refused %d, want 2 and 0", opened, refused)
	}
	noReload(t, ctx, false)
	step(t, ctx, "scroll to the callback", chromedp.ScrollIntoView(chromedp.CSS("#timeline > li:last-child")))
	shot(t, ctx, dir, "pay-3-message.png")

	// 4. The merchant replies through the API: PROCESSING, live.
	client, keys := payClient(t, fake)
	if err := client.Respond(bg, id, complaints.ResponseRequest{ComplaintedMchID: keys.MchID, ResponseContent: "您好，已为您安排退款"}); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "the merchant's reply", chromedp.WaitVisible(chromedp.CSS("#head .pay-PROCESSING")), hasText("#timeline", "您好，已为您安排退款"))
	noReload(t, ctx, false)
	shot(t, ctx, dir, "pay-4-processing.png")

	// 4b. Resend the first notification: a second attempt under its id.
	first := fake.pay.callbacks.Deliveries()[0]
	resend := `form[data-path="_mock/pay/deliveries/` + first.ID + `/resend"]`
	step(t, ctx, "resend", chromedp.Click(chromedp.CSS(resend+" button")),
		holds(`[...document.querySelectorAll("#timeline .attempts")][0].querySelectorAll("li.ok").length === 2`))
	if d, _ := fake.pay.callbacks.Delivery(first.ID); len(d.Attempts) != 2 || d.Attempts[1].Status != http.StatusNoContent {
		t.Fatalf("after the resend: %+v", d.Attempts)
	}
	noReload(t, ctx, false)

	// 5. Another complaint, with the list's form: the page goes to it.
	file := `form[data-path="_mock/pay/complaints"]`
	step(t, ctx, "file with the form", chromedp.Navigate(fake.URL+"/pay-complaints"), chromedp.WaitVisible(chromedp.CSS("#live.on")),
		chromedp.Click(chromedp.CSS("details.act > summary")),
		chromedp.SetValue(chromedp.CSS(file+" input[name=complaint_detail]"), "充电宝没归还成功，被扣了99元"),
		chromedp.Click(chromedp.CSS(file+" button.primary")), chromedp.WaitVisible(chromedp.CSS("#timeline")), hasText("main", "充电宝没归还成功"))
	if cs := fake.PayComplaints(); len(cs) != 2 || cs[1].Wire.ComplaintDetail != "充电宝没归还成功，被扣了99元" {
		t.Fatalf("the form filed %+v", cs)
	}

	// 6. The keys page: what to configure, no private key.
	pemBytes, err := apiv3.EncodePrivateKey(keys.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "the keys page", chromedp.Navigate(fake.URL+"/pay-keys"), chromedp.WaitVisible(chromedp.CSS("#config")),
		hasText("#config", m.SerialNo), hasText("#config", m.PublicKeyID), hasText("#config", m.PlatformSerial))
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(pemBytes)), "\n")
	if strings.Contains(html, "PRIVATE KEY") || strings.Contains(html, lines[len(lines)/2]) {
		t.Fatal("the keys page holds the merchant's private key")
	}
	// A SIGNTEST probe: the verifying merchant refuses it, as it must.
	step(t, ctx, "send a probe", chromedp.Click(chromedp.CSS(`form[data-path="_mock/pay/probes"] button`)),
		hasText("#probes", "Probe to "+m.MchID), hasText("#probes", "right: a SIGNTEST probe must be refused"))
	if _, refused := merchant.counts(); refused != 1 {
		t.Fatalf("the merchant refused %d callbacks, want the probe", refused)
	}
	step(t, ctx, "scroll to the probe", chromedp.ScrollIntoView(chromedp.CSS("#probes")))
	shot(t, ctx, dir, "pay-5-keys.png")

	// 7. A request signed over another body: WeChat's string to sign
	// beside what was received.
	signer, err := keys.Signer(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	target := complaints.PathResponse(id)
	a, err := signer.Authorization(keys.MchID, "POST", target, []byte(`{"complainted_mchid":"`+keys.MchID+`","response_content":"A"}`))
	if err != nil {
		t.Fatal(err)
	}
	sent := `{"complainted_mchid":"` + keys.MchID + `","response_content":"B"}`
	req, _ := http.NewRequest("POST", fake.URL+target, strings.NewReader(sent))
	req.Header.Set("Authorization", a.String())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "console-browser-test")
	req.Header.Set("Content-Type", "application/json")
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a request signed over another body: HTTP %d", resp.StatusCode)
	}
	step(t, ctx, "the signature failure", chromedp.Navigate(fake.URL+"/pay-signatures"), chromedp.WaitVisible(chromedp.CSS(".signfail")),
		hasText(".signfail .signmsg", "POST⏎"), hasText(".signfail .signmsg", `"response_content":"B"}⏎`), hasText(".signfail", a.Nonce))
	shot(t, ctx, dir, "pay-6-signatures.png")
}

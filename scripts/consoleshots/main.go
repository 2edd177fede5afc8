// Command consoleshots makes the screenshots of the web console shown in
// the README (docs/console-*.png) from the real console: it runs a fake
// WeChat on a virtual clock with an in-process merchant (the middleware
// and the client), plays a morning of complaints — handled, confirmed,
// rejected, overdue, in arbitration, pushes refused with 401 —, and
// photographs each page with headless Chromium, at a laptop's size and a
// phone's.
//
// Usage:
//
//	go run ./scripts/consoleshots [-out docs] [-serve]
//
// -serve leaves the fake running after the screenshots (its URL is
// printed) to look at it in a browser. Chromium: $CHROMIUM or chromium on
// $PATH (apt-get install chromium fonts-noto-cjk; the fonts draw the
// users' Chinese).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/chromium"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/mockwechat"
)

func main() {
	out := flag.String("out", "docs", "the `directory` the PNG files go to")
	serve := flag.Bool("serve", false, "keep the fake running after the screenshots, until Ctrl-C")
	flag.Parse()
	if err := run(*out, *serve); err != nil {
		log.Fatal(err)
	}
}

func run(out string, serve bool) error {
	ctx := context.Background()
	clk := mockwechat.NewVirtualClock(time.Date(2025, 3, 3, 1, 30, 0, 0, time.UTC))
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clk, Seed: 20250303})
	defer fake.Close()
	w, err := play(ctx, fake, clk)
	if err != nil {
		return err
	}
	defer w.close()

	path, err := chromium.Find()
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "consoleshots")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	shots := []struct {
		file, path string
		width      int
		height     int
		before     func() error
	}{
		{"console-overview.png", "/", 1280, 860, func() error {
			// a few events for the live log, once the page follows them
			time.Sleep(300 * time.Millisecond)
			if _, err := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{AppID: mockwechat.DemoAccount().AppID, OpenID: "o-wang", Reason: "与描述不符", Solution: "退款", Goods: payfeedback.GoodsPhysical}); err != nil {
				return err
			}
			if err := fake.WaitIdle(ctx); err != nil {
				return err
			}
			fake.Advance(10 * time.Minute)
			time.Sleep(600 * time.Millisecond)
			return nil
		}},
		{"console-complaints.png", "/complaints", 1280, 760, nil},
		{"console-complaint.png", "/complaints/" + w.rich, 1280, 1180, nil},
		{"console-user.png", "/users/" + mockwechat.DemoAccount().AppID + "/o-li", 1280, 900, nil},
		{"console-calls.png", "/calls", 1280, 640, nil},
		{"console-platform.png", "/platform", 1280, 860, nil},
		{"console-narrow.png", "/users/" + mockwechat.DemoAccount().AppID + "/o-li", 400, 860, nil},
	}
	for _, s := range shots {
		bctx, cancel, err := chromium.Launch(ctx, chromium.Options{Path: path, UserDataDir: profile, Width: s.width, Height: s.height})
		if err != nil {
			return err
		}
		png, err := shoot(bctx, fake.URL+s.path, int64(s.width), int64(s.height), s.before)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", s.file, err)
		}
		if err := os.WriteFile(filepath.Join(out, s.file), png, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", filepath.Join(out, s.file))
	}
	if serve {
		fmt.Println("the console:", fake.URL, "(Ctrl-C to stop)")
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		<-sig
	}
	return nil
}

// shoot loads a page, lets it go live, runs before (when not nil) and
// takes a screenshot of the window.
func shoot(ctx context.Context, url string, width, height int64, before func() error) ([]byte, error) {
	err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#live.on")))
	if err != nil {
		return nil, err
	}
	if before != nil {
		if err := before(); err != nil {
			return nil, err
		}
	}
	if err := chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond)); err != nil {
		return nil, err
	}
	return chromedp.Run(ctx, chromedp.CaptureScreenshot())
}

// world is what play set up.
type world struct {
	rich  string // the complaint with the richest timeline
	close func()
}

// play fills the fake: a merchant that answers most pushes, messages the
// user and marks the complaint handled; a second account whose endpoint
// refuses every push (a wrong paySignKey); complaints in every state.
func play(ctx context.Context, fake *mockwechat.Server, clk *mockwechat.VirtualClock) (*world, error) {
	demo := mockwechat.DemoAccount()
	if err := fake.SetReasons(demo.AppID, []string{"没收到货", "质量问题", "与描述不符"}); err != nil {
		return nil, err
	}
	if err := fake.SetSolutions(demo.AppID, []string{"退款", "换货", "补发"}); err != nil {
		return nil, err
	}
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: demo.AppID, Secret: demo.Secret, BaseURL: fake.URL, HTTPClient: fake.Client()})
	if err != nil {
		return nil, err
	}
	// The merchant handles complaints, except those of users whose openid
	// says "slow": those it leaves to go overdue.
	handled := make(chan *payfeedback.Notification, 64)
	merchant := httptest.NewServer(middleware.New(middleware.Config{Keys: middleware.StaticKeys{demo.AppID: demo.PaySignKey}, Now: fake.Now})(
		middleware.Dispatcher{
			OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
				if !strings.Contains(n.OpenID, "slow") {
					handled <- n
				}
				return nil
			},
			OnConfirm: func(context.Context, *payfeedback.Notification) error { return nil },
			OnReject:  func(context.Context, *payfeedback.Notification) error { return nil },
		}))
	fake.SetNotifyURL(demo.AppID, merchant.URL+"/wechat/payfeedback")
	// a second account, whose endpoint has the wrong key: every push 401
	other := mockwechat.Account{AppID: "wx5ec0dd0ffee5a1e0", Secret: "second-account-secret-0123456789", PaySignKey: "second-account-paysignkey-0123456789abcdef"}
	if err := fake.AddAccount(other); err != nil {
		return nil, err
	}
	wrong := httptest.NewServer(middleware.New(middleware.Config{Keys: middleware.StaticKeys{other.AppID: "not-the-paysignkey"}, Now: fake.Now})(middleware.Dispatcher{}))
	fake.SetNotifyURL(other.AppID, wrong.URL+"/payfeedback")
	w := &world{close: func() { merchant.Close(); wrong.Close() }}

	answer := func() error { // the merchant's work for each request received
		for {
			select {
			case n := <-handled:
				if err := client.SendMessage(ctx, n.OpenID, payfeedback.TextMessage{Content: "您好，我们已收到您的投诉，正在为您处理，请稍候。"}); err != nil {
					return err
				}
				if err := client.UpdateFeedback(ctx, n.OpenID, n.FeedBackID); err != nil {
					return err
				}
			default:
				return nil
			}
		}
	}
	file := func(spec mockwechat.ComplaintSpec) (mockwechat.Complaint, error) {
		if spec.AppID == "" {
			spec.AppID = demo.AppID
		}
		c, err := fake.FileComplaint(ctx, spec)
		if err != nil {
			return c, err
		}
		if err := fake.WaitIdle(ctx); err != nil {
			return c, err
		}
		clk.Advance(7 * time.Minute)
		return c, answer()
	}

	// Li: handled, messaged in every form, then rejected and re-handled.
	li, err := file(mockwechat.ComplaintSpec{OpenID: "o-li", Reason: "没收到货", Solution: "退款", ExtInfo: "订单已付款三天，物流一直没有更新。", Goods: payfeedback.GoodsPhysical})
	if err != nil {
		return nil, err
	}
	w.rich = li.FeedBackID
	img, err := fake.AddMedia(demo.AppID, "image")
	if err != nil {
		return nil, err
	}
	thumb, err := fake.AddMedia(demo.AppID, "thumb")
	if err != nil {
		return nil, err
	}
	for _, m := range []payfeedback.Message{
		payfeedback.ImageMessage{MediaID: img.MediaID},
		payfeedback.NewsMessage{Articles: []payfeedback.Article{
			{Title: "退款进度查询", Description: "点击查看您的退款处理进度", URL: "https://shop.example/refund/1086", PicURL: "https://shop.example/img/refund.png"},
			{Title: "物流说明", Description: "春节期间部分地区配送延迟", URL: "https://shop.example/help/shipping"},
		}},
		payfeedback.MusicMessage{Title: "客服语音说明", MusicURL: "https://shop.example/a.mp3", HQMusicURL: "https://shop.example/a-hq.mp3", ThumbMediaID: thumb.MediaID},
	} {
		if err := client.SendMessage(ctx, "o-li", m); err != nil {
			return nil, err
		}
	}
	clk.Advance(20 * time.Minute)
	if err := fake.RejectWithReason(ctx, li.FeedBackID, "还没有收到退款"); err != nil {
		return nil, err
	}
	if err := fake.WaitIdle(ctx); err != nil {
		return nil, err
	}
	clk.Advance(15 * time.Minute)
	if err := client.UpdateFeedback(ctx, "o-li", li.FeedBackID); err != nil {
		return nil, err
	}

	// Zhang: handled and confirmed.
	zhang, err := file(mockwechat.ComplaintSpec{OpenID: "o-zhang", Reason: "质量问题", Solution: "换货", Goods: payfeedback.GoodsPhysical, Shipped: true})
	if err != nil {
		return nil, err
	}
	if err := fake.Confirm(ctx, zhang.FeedBackID); err != nil {
		return nil, err
	}
	// Several users the merchant is slow to answer: they go overdue.
	for _, u := range []string{"o-slow-chen", "o-slow-zhao"} {
		if _, err := file(mockwechat.ComplaintSpec{OpenID: u, Reason: "没收到货", Solution: "补发", Goods: payfeedback.GoodsVirtual}); err != nil {
			return nil, err
		}
	}
	// A complaint to the second account: its pushes are refused.
	if _, err := file(mockwechat.ComplaintSpec{AppID: other.AppID, OpenID: "o-sun", Reason: "扣款两次", Solution: "退款", Goods: payfeedback.GoodsVirtual}); err != nil {
		return nil, err
	}
	clk.Advance(74 * time.Hour) // past the 3 days to resolve: the unanswered go overdue; retries run
	if err := answer(); err != nil {
		return nil, err
	}
	// One of the overdue complaints goes to arbitration.
	for _, c := range fake.Complaints() {
		if c.OpenID == "o-slow-zhao" {
			if err := fake.RequestArbitration(ctx, c.FeedBackID); err != nil {
				return nil, err
			}
		}
	}
	// More recent complaints, fresh.
	for _, s := range []mockwechat.ComplaintSpec{
		{OpenID: "o-zhou", Reason: "与描述不符", Solution: "退款", Goods: payfeedback.GoodsPhysical},
		{OpenID: "o-slow-wu", Reason: "质量问题", Solution: "换货", Goods: payfeedback.GoodsPhysical, Shipped: true},
		{OpenID: "o-he", Reason: "没收到货", Solution: "补发", Goods: payfeedback.GoodsPhysical},
	} {
		if _, err := file(s); err != nil {
			return nil, err
		}
	}
	// the merchant's mistakes, for the call log
	fake.Client().Get(fake.URL + payfeedback.PathUpdateFeedback + "?access_token=expired-token&openid=o-he&feedbackid=1")
	if err := client.SendMessage(ctx, "o-sun", payfeedback.TextMessage{Content: "您好"}); err == nil {
		return nil, fmt.Errorf("a message to another account's user was accepted")
	}
	fake.InjectFault(mockwechat.Fault{Endpoint: mockwechat.EndpointPush, TamperSignature: true, Count: 2})
	fake.InjectFault(mockwechat.Fault{Endpoint: payfeedback.PathToken, ErrCode: payfeedback.ErrorCode(45009)})
	return w, fake.WaitIdle(ctx)
}

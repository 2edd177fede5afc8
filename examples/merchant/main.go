// Command merchant is a complete, small merchant endpoint built on
// payfeedback: it receives complaint notifications with the middleware,
// keeps the complaints it was sent, tells the user the complaint is being
// handled, and marks it handled through the API client when the
// merchant's staff say it is resolved (POST /complaints/{id}/resolve).
// WeChat's document asks for exactly that: mark a complaint handled only
// once it really is resolved with the user, who may otherwise reject it
// and ask WeChat to arbitrate.
//
// It starts wired to `payfeedback mock` and its demo account, so the whole
// loop runs offline:
//
//	payfeedback mock --notify-url http://127.0.0.1:8000/wechat/payfeedback &
//	merchant &
//	curl -s -H 'Content-Type: application/json' -d '{"openid":"o-demo","feedback_id":"3345034770139503707","reason":"商品质量有问题"}' http://127.0.0.1:8080/_mock/complaints
//	curl -s http://127.0.0.1:8000/complaints                                  # received: the user was told
//	curl -s -X POST http://127.0.0.1:8000/complaints/3345034770139503707/resolve  # the staff resolved it
//
// --auto-resolve D marks each complaint handled D after it arrived: a
// policy for demos and for CI runs of `payfeedback check --api`, never the
// default. Against `payfeedback check --api --virtual-clock`, add
// --follow-clock: the merchant then takes its time from the fake WeChat
// (GET /_mock/clock), whose clock the suite moves days ahead to judge the
// deadlines.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "merchant:", err)
		os.Exit(1)
	}
}

// newHTTPServer returns the merchant's HTTP server, with timeouts: a
// request's headers within 10 s and the whole request within 30 s (a
// notification is a few KB), its answer within 30 s, idle keep-alive
// connections closed after 2 min, and headers bounded to 64 KiB. Without
// them, slow clients could hold connections open forever.
func newHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

func run(ctx context.Context, args []string) error {
	demo := mockwechat.DemoAccount()
	fs := flag.NewFlagSet("merchant", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8000", "listen on `HOST:PORT`")
	var cfg config
	fs.StringVar(&cfg.AppID, "appid", demo.AppID, "the official account's `appid` (default: the mock's demo account)")
	fs.StringVar(&cfg.Secret, "secret", demo.Secret, "the appSecret")
	fs.StringVar(&cfg.PaySignKey, "paysignkey", demo.PaySignKey, "the paySignKey")
	fs.StringVar(&cfg.BaseURL, "base-url", "http://127.0.0.1:8080", "the WeChat API base `URL` (default: payfeedback mock)")
	fs.Func("auto-resolve", "mark each complaint handled this `duration` after it arrived (for demos and CI runs of the suite; default: only when the staff resolve it)", func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return fmt.Errorf("want a duration such as 2h or 0s, not %q", s)
		}
		cfg.AutoResolve, cfg.AutoResolveAfter = true, d
		return nil
	})
	follow := fs.Bool("follow-clock", false, "take the time from the fake WeChat at --base-url (GET /_mock/clock), for payfeedback check --virtual-clock")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *follow {
		clock := newFollowedClock(cfg.BaseURL)
		go clock.run(ctx)
		cfg.Now, cfg.AfterFunc = clock.Now, clock.AfterFunc
	}
	m, err := newMerchant(cfg)
	if err != nil {
		return err
	}
	srv := newHTTPServer(*addr, m)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	cfg.Logger.Info("merchant listening", "notify_url", "http://"+*addr+notifyPath, "complaints", "http://"+*addr+"/complaints",
		"auto_resolve", autoResolveText(cfg), "clock", clockText(*follow, cfg.BaseURL))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func autoResolveText(cfg config) string {
	if !cfg.AutoResolve {
		return "off (POST /complaints/{id}/resolve)"
	}
	return cfg.AutoResolveAfter.String() + " after a complaint arrives"
}

func clockText(follow bool, baseURL string) string {
	if follow {
		return "the fake WeChat's, " + baseURL + "/_mock/clock"
	}
	return "local"
}

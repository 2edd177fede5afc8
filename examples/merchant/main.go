// Command merchant is a complete, small merchant endpoint built on
// payfeedback: it receives complaint notifications with the middleware,
// keeps the complaints it was sent, answers the user with a customer
// message and marks the complaint handled through the API client.
//
// It starts wired to `payfeedback mock` and its demo account, so the whole
// loop runs offline:
//
//	go run ./cmd/payfeedback mock --notify-url http://127.0.0.1:8000/wechat/payfeedback &
//	go run ./examples/merchant &
//	curl -s -H 'Content-Type: application/json' -d '{"openid":"o-demo","reason":"商品质量有问题"}' http://127.0.0.1:8080/_mock/complaints
//	curl -s http://127.0.0.1:8000/complaints
//
// This demo resolves every complaint as soon as it arrives. A real merchant
// calls UpdateFeedback only once the complaint is really resolved (WeChat's document
// warns that the user may otherwise ask WeChat to arbitrate).
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	m, err := newMerchant(cfg)
	if err != nil {
		return err
	}
	srv := newHTTPServer(*addr, m)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	cfg.Logger.Info("merchant listening", "notify_url", "http://"+*addr+notifyPath, "complaints", "http://"+*addr+"/complaints")
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

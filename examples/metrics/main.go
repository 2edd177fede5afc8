// Command metrics is a merchant endpoint that exposes the kit's metrics to
// Prometheus: the middleware's outcomes and latency (Config.Metrics), the
// replay store's degradations, and the client's calls to WeChat
// (ClientOptions.Metrics), on /metrics with
// github.com/prometheus/client_golang. That dependency lives here only: no
// package of the library imports it.
//
// By default it runs against an in-process fake WeChat (mockwechat) that
// pushes a few complaints to it, so that the metrics move:
//
//	go run ./examples/metrics &
//	curl -s http://127.0.0.1:9464/metrics | grep payfeedback_
//
// With -base-url, -appid, -secret and -paysignkey (or the variables
// PAYFEEDBACK_SECRET and PAYFEEDBACK_PAYSIGNKEY) it serves a real account
// instead, receiving on /wechat/payfeedback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// notifyPath is where notifications are received.
const notifyPath = "/wechat/payfeedback"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "metrics:", err)
		os.Exit(1)
	}
}

// account is what the endpoint serves.
type account struct {
	AppID, Secret, PaySignKey, BaseURL string
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9464", "where to serve "+notifyPath+" and /metrics")
	baseURL := fs.String("base-url", "", "the WeChat API; empty: an in-process fake pushing demo complaints")
	appID := fs.String("appid", "", "the account's appid (with -base-url)")
	secret := fs.String("secret", os.Getenv("PAYFEEDBACK_SECRET"), "the appSecret (with -base-url; env PAYFEEDBACK_SECRET)")
	key := fs.String("paysignkey", os.Getenv("PAYFEEDBACK_PAYSIGNKEY"), "the paySignKey (with -base-url; env PAYFEEDBACK_PAYSIGNKEY)")
	complaints := fs.Int("complaints", 3, "demo complaints the fake pushes (without -base-url)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	acct := account{AppID: *appID, Secret: *secret, PaySignKey: *key, BaseURL: *baseURL}
	var fake *mockwechat.Server
	if *baseURL == "" {
		fake = mockwechat.NewServer(mockwechat.Options{})
		defer fake.Close()
		demo := mockwechat.DemoAccount()
		acct = account{AppID: demo.AppID, Secret: demo.Secret, PaySignKey: demo.PaySignKey, BaseURL: fake.URL}
		if err := fake.SetNotifyURL(demo.AppID, "http://"+ln.Addr().String()+notifyPath); err != nil {
			return err
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h, err := newServer(acct, newPrometheusMetrics(reg), reg, log)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "notifications", "http://"+ln.Addr().String()+notifyPath, "metrics", "http://"+ln.Addr().String()+"/metrics")
	if fake != nil {
		for range *complaints {
			if _, err := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{Reason: "商品质量有问题", Goods: payfeedback.GoodsPhysical}); err != nil {
				return err
			}
		}
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// newServer returns the endpoint: notifications through the middleware to
// a Dispatcher that marks each complaint handled, and /metrics from reg.
func newServer(acct account, metrics *prometheusMetrics, reg *prometheus.Registry, log *slog.Logger) (http.Handler, error) {
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: acct.AppID, Secret: acct.Secret, BaseURL: acct.BaseURL, Logger: log,
		Metrics: metrics,
		Retry:   payfeedback.RetryPolicy{MaxAttempts: 3},
	})
	if err != nil {
		return nil, err
	}
	keys := middleware.StaticKeys{acct.AppID: acct.PaySignKey}
	cfg := middleware.Config{Keys: keys, Logger: log, Metrics: metrics}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	handle := func(ctx context.Context, n *payfeedback.Notification) error {
		if n.MsgType == payfeedback.MsgRequest {
			return client.UpdateFeedback(ctx, n.OpenID, n.FeedBackID)
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+notifyPath, middleware.New(cfg)(middleware.Dispatcher{
		OnRequest: handle, OnConfirm: handle, OnReject: handle, // its errors reach cfg.Logger
	}))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux, nil
}

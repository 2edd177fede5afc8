// Command cannedserver is the Go floor of the load script: a plain net/http
// server answering the three benchmarked WeChat endpoints with canned JSON,
// no state, no validation, no call log. scripts/load.sh compares the fake
// against it in the same run.
//
// With -probe it instead polls a URL until the answer contains a string
// and prints the milliseconds elapsed since -since (Unix nanoseconds), to
// measure a server's start-up to its first successful request.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen on `HOST:PORT`")
	probe := flag.String("probe", "", "poll this `URL` instead of serving")
	want := flag.String("want", "access_token", "with -probe: the `text` a successful answer contains")
	since := flag.Int64("since", 0, "with -probe: Unix `nanoseconds` to measure from (default: now)")
	timeout := flag.Duration("timeout", 10*time.Second, "with -probe: give up after this `duration`")
	flag.Parse()
	if *probe != "" {
		os.Exit(runProbe(*probe, *want, *since, *timeout))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "cannedserver:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, addr string) error {
	token := []byte(`{"access_token":"CANNED_TOKEN_0123456789abcdef0123456789abcdef0123456789abcdef0123","expires_in":7200}`)
	ok := []byte(`{"errcode":0,"errmsg":"ok"}`)
	answer := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json; encoding=utf-8")
			w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/cgi-bin/token", answer(token))
	mux.Handle("/payfeedback/update", answer(ok))
	mux.Handle("/cgi-bin/message/custom/send", answer(ok))
	srv := &http.Server{Addr: addr, Handler: mux}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return srv.Shutdown(context.Background())
	}
}

func runProbe(url, want string, since int64, timeout time.Duration) int {
	start := time.Now()
	if since > 0 {
		start = time.Unix(0, since)
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), want) {
				fmt.Printf("%.1f\n", float64(time.Since(start).Microseconds())/1000)
				return 0
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	fmt.Fprintln(os.Stderr, "cannedserver: probe timed out:", url)
	return 1
}

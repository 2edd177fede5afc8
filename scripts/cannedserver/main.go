// Command cannedserver is the Go floor of the load script: a plain net/http
// server answering the three benchmarked WeChat endpoints with canned JSON,
// no state, no validation, no call log. scripts/load.sh compares the fake
// against it in the same run.
//
// With -probe it instead polls a URL until the answer contains a string
// and prints the milliseconds elapsed since -since (Unix nanoseconds), to
// measure a server's start-up to its first successful request.
//
// With -flood it sends -n GET requests to a URL with a query parameter of
// -size bytes added, then GETs -then (e.g. the call log), and prints how
// the requests were answered, to measure a server's memory under huge
// queries.
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
	flood := flag.String("flood", "", "send -n requests with a huge query to this `URL` instead of serving")
	n := flag.Int("n", 300, "with -flood: how many requests")
	size := flag.Int("size", 1<<20, "with -flood: the `bytes` of junk added to each query")
	then := flag.String("then", "", "with -flood: GET this `URL` afterwards (e.g. the call log)")
	flag.Parse()
	if *probe != "" {
		os.Exit(runProbe(*probe, *want, *since, *timeout))
	}
	if *flood != "" {
		os.Exit(runFlood(*flood, *n, *size, *then))
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

func runFlood(url string, n, size int, then string) int {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	target := url + sep + "junk=" + strings.Repeat("a", size)
	client := &http.Client{Timeout: 30 * time.Second}
	statuses := map[int]int{}
	for range n {
		resp, err := client.Get(target)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cannedserver: flood:", err)
			return 1
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses[resp.StatusCode]++
	}
	listed := int64(0)
	if then != "" {
		resp, err := client.Get(then)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cannedserver: flood:", err)
			return 1
		}
		listed, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	fmt.Printf("answered %v, listing %d bytes\n", statuses, listed)
	return 0
}

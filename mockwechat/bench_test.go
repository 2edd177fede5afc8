package mockwechat

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// discardWriter is a minimal ResponseWriter, so the handler benchmarks
// measure the fake, not a recorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

func benchServer(b *testing.B) (*Server, string, Complaint) {
	s, err := New(Options{Clock: NewVirtualClock(t0)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	c, err := s.FileComplaint(context.Background(), ComplaintSpec{OpenID: "o1"})
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := s.Token("")
	return s, tok, c
}

func serveBench(b *testing.B, s *Server, newReq func() *http.Request) {
	b.ReportAllocs()
	w := &discardWriter{h: http.Header{}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		w.code = 0
		r := newReq()
		r.Host = "127.0.0.1" // httptest.NewRequest's example.com does not name the fake
		s.ServeHTTP(w, r)
		if w.code != 200 {
			b.Fatalf("status %d", w.code)
		}
	}
}

func BenchmarkTokenHandler(b *testing.B) {
	s, _, _ := benchServer(b)
	demo := DemoAccount()
	target := payfeedback.PathToken + "?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret
	serveBench(b, s, func() *http.Request { return httptest.NewRequest("GET", target, nil) })
}

func BenchmarkUpdateHandler(b *testing.B) {
	s, tok, c := benchServer(b)
	target := payfeedback.PathUpdateFeedback + "?" + url.Values{"access_token": {tok}, "openid": {"o1"}, "feedbackid": {c.FeedBackID}}.Encode()
	serveBench(b, s, func() *http.Request { return httptest.NewRequest("GET", target, nil) })
}

func BenchmarkCustomSendHandler(b *testing.B) {
	s, tok, _ := benchServer(b)
	target := payfeedback.PathSendMessage + "?access_token=" + tok
	body := []byte(`{"touser":"o1","msgtype":"text","text":{"content":"Hello from the merchant"}}`)
	serveBench(b, s, func() *http.Request { return httptest.NewRequest("POST", target, bytes.NewReader(body)) })
}

// BenchmarkPushThroughput files b.N complaints pushed to a local receiver
// answering "success", with the retry machinery and delivery log on, and
// reports pushes/s (target ≥ 5,000/s).
func BenchmarkPushThroughput(b *testing.B) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	}))
	defer rcv.Close()
	s, err := New(Options{Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k", NotifyURL: rcv.URL}}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := s.FileComplaint(ctx, ComplaintSpec{}); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	delivered := 0
	for _, d := range s.Deliveries() {
		if d.Delivered {
			delivered++
		}
	}
	if delivered != min(b.N, DefaultDeliveryLogSize) {
		b.Fatalf("%d delivered of %d", delivered, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pushes/s")
}

// BenchmarkComplaints100k holds 100,000 complaints (users and orders
// created with them) and reports the heap they take and the process RSS
// (target ≤ 200 MiB RSS). Run with -benchtime=1x.
func BenchmarkComplaints100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := New(Options{Clock: NewVirtualClock(t0)})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < n; j++ {
			if _, err := s.FileComplaint(ctx, ComplaintSpec{Reason: "商品质量有问题", Solution: "补发货给我", ExtInfo: "明天六点前联系我 18610847266",
				Goods: payfeedback.GoodsKind(j % 2)}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
		b.ReportMetric(rssMiB(), "rss-MiB")
		if len(s.Complaints()) != n {
			b.Fatal("complaints lost")
		}
		s.Close()
	}
}

// rssMiB reads VmRSS from /proc (0 where there is no /proc).
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkAdvance15Days advances a virtual clock by 15 days over 10,000
// open complaints (each going overdue on the way); target ≤ 1 s per op.
func BenchmarkAdvance15Days(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clk := NewVirtualClock(t0)
		s, err := New(Options{Clock: clk})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 10_000; j++ {
			s.FileComplaint(ctx, ComplaintSpec{Goods: payfeedback.GoodsKind(j % 2), PaidAt: t0.Add(-time.Duration(j%96) * time.Hour)})
		}
		b.StartTimer()
		clk.Advance(15 * 24 * time.Hour)
		b.StopTimer()
		overdue := 0
		for _, c := range s.Complaints() {
			if c.Overdue {
				overdue++
			}
		}
		if overdue != 10_000 {
			b.Fatalf("%d overdue of 10,000", overdue)
		}
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkCloseAfter64Clients measures Close after 64 clients, each with
// a keep-alive connection left idle and one that never sent a request.
func BenchmarkCloseAfter64Clients(b *testing.B) {
	demo := DemoAccount()
	for range b.N {
		b.StopTimer()
		s := NewServer(Options{Clock: NewVirtualClock(t0)})
		target := s.URL + payfeedback.PathToken + "?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret
		var conns []net.Conn
		for range 64 {
			c := &http.Client{Transport: &http.Transport{}}
			resp, err := c.Get(target)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, conn)
		}
		eventually(b, "64 new and 64 idle connections", func() bool { return openConns(s, "new") >= 64 && openConns(s, "idle") >= 64 })
		b.StartTimer()
		s.Close()
		b.StopTimer()
		for _, c := range conns {
			c.Close()
		}
	}
}

// BenchmarkUpdateHandlerConsoleTabs is BenchmarkUpdateHandler on a
// served fake without, then with, twenty console tabs on GET
// /_mock/events (ten following complaints, pushes, the clock and the world
// as the overview does; ten following calls as the calls page does): what
// open tabs cost an API call.
func BenchmarkUpdateHandlerConsoleTabs(b *testing.B) {
	for _, tabs := range []int{0, 20} {
		b.Run("tabs="+strconv.Itoa(tabs), func(b *testing.B) {
			s := NewServer(Options{Clock: NewVirtualClock(t0)})
			defer s.Close()
			c, err := s.FileComplaint(context.Background(), ComplaintSpec{OpenID: "o1"})
			if err != nil {
				b.Fatal(err)
			}
			tok, _ := s.Token("")
			for i := range tabs {
				kinds := "complaint,push,clock,world"
				if i%2 == 1 {
					kinds = "call"
				}
				resp, err := s.Client().Get(s.URL + "/_mock/events?kinds=" + kinds)
				if err != nil {
					b.Fatal(err)
				}
				go io.Copy(io.Discard, resp.Body)
				defer resp.Body.Close()
			}
			eventually(b, "the console tabs following the stream", func() bool { return s.events.Clients() >= tabs })
			target := payfeedback.PathUpdateFeedback + "?" + url.Values{"access_token": {tok}, "openid": {"o1"}, "feedbackid": {c.FeedBackID}}.Encode()
			serveBench(b, s, func() *http.Request { return httptest.NewRequest("GET", target, nil) })
		})
	}
}

// BenchmarkNewPay: the start-up of a fake that plays Complaints 2.0, New
// to Close: with fresh keys (three RSA key generations, concurrent), and
// with a keys directory that holds them (loaded). Targets: 300 ms and
// 50 ms (docs/performance.md).
func BenchmarkNewPay(b *testing.B) {
	dir := b.TempDir()
	first, err := New(Options{Pay: &PayOptions{KeysDir: dir}})
	if err != nil {
		b.Fatal(err)
	}
	first.Close()
	for _, bc := range []struct {
		name string
		pay  PayOptions
	}{{"fresh-keys", PayOptions{}}, {"keys-dir", PayOptions{KeysDir: dir}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				s, err := New(Options{Pay: &bc.pay})
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

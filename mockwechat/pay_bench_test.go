package mockwechat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// BenchmarkMemoryPerComplaintV15VsPay is the fake's heap per complaint,
// V1.5 beside Complaints 2.0, each filed through the Go API as a user
// files it and announced to a merchant that acknowledges (a V1.5 push, a
// 2.0 callback, each in its delivery log): B/complaint over n complaints
// once the announcements settled. The 2.0 world alone is
// payworld.BenchmarkMemoryPerComplaint. Run with -benchtime=1x.
func BenchmarkMemoryPerComplaintV15VsPay(b *testing.B) {
	const n = 10_000
	ack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Wechatpay-Signature") != "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Write([]byte("success"))
	}))
	defer ack.Close()
	keys := b.TempDir() // written once, so that key generation is not measured
	NewServer(Options{Pay: &PayOptions{KeysDir: keys}}).Close()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		file func(*Server) error
	}{
		{"v1.5", func(s *Server) error {
			_, err := s.FileComplaint(ctx, ComplaintSpec{Reason: "商品与描述不符", Solution: "退款", ExtInfo: "联系商家未解决，要求退款"})
			return err
		}},
		{"2.0", func(s *Server) error {
			_, err := s.FilePayComplaint(ctx, PayComplaintSpec{Detail: "商品与描述不符，联系商家未解决，要求退款"})
			return err
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				acc := DemoAccount()
				acc.NotifyURL = ack.URL
				s := NewServer(Options{Clock: NewVirtualClock(time.Now()), Accounts: []Account{acc}, Pay: &PayOptions{KeysDir: keys}})
				if err := s.SetPayNotifyURL("", ack.URL); err != nil {
					b.Fatal(err)
				}
				for range n {
					if err := tc.file(s); err != nil {
						b.Fatal(err)
					}
				}
				wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
				if err := s.WaitIdle(wctx); err != nil {
					b.Fatal(err)
				}
				if err := s.WaitPayIdle(wctx); err != nil {
					b.Fatal(err)
				}
				cancel()
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/complaint")
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
				s.Close()
			}
		})
	}
}

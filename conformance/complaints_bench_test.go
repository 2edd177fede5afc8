package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
)

// BenchmarkPayPlan is the Complaints 2.0 plan's cost, every case judged
// (with the Observer), against the reference merchant: in-process, as
// conformancetest runs it (target ≤ 2 s), and over loopback, as the CLI
// runs it (target ≤ 10 s). RSA signing is the cost: each callback is one
// signature by one of WeChat's 2048-bit keys, and signatures/op counts
// them (the callbacks the merchant received).
//
//	go test -run '^$' -bench PayPlan -benchtime 10x ./conformance/
func BenchmarkPayPlan(b *testing.B) {
	for _, loopback := range []bool{false, true} {
		name := "in-process"
		if loopback {
			name = "loopback"
		}
		b.Run(name, func(b *testing.B) {
			var callbacks atomic.Int64
			api := newPayAPI()
			ref := payReference(api, time.Now)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				callbacks.Add(1)
				ref.ServeHTTP(w, r)
			})
			opts := conformance.Options{Plan: conformance.PlanComplaints, PayKeys: payKeys(), Observer: api, Handler: h, Run: "^(accept|refuse|once)/"}
			if loopback {
				srv := httptest.NewServer(h)
				defer srv.Close()
				opts.Handler, opts.URL = nil, srv.URL+"/wechat/complaints"
			}
			for b.Loop() {
				rep, err := conformance.Run(context.Background(), opts)
				if err != nil || rep.Failed() || rep.Counts().Passed != rep.Counts().Total {
					b.Fatalf("err %v, %s", err, rep.Summary())
				}
			}
			b.ReportMetric(float64(callbacks.Load())/float64(b.N), "signatures/op")
		})
	}
}

// BenchmarkPayChaos is the Complaints 2.0 chaos campaign of 1,000
// complaints against the reference merchant, with the Observer (target
// ≤ 30 s), in-process and over loopback; signatures/op counts the RSA
// signatures it makes (each genuine callback, each retry and concurrent
// copy signed anew, the forged and stale copies).
//
//	go test -run '^$' -bench PayChaos -benchtime 3x ./conformance/
func BenchmarkPayChaos(b *testing.B) {
	for _, loopback := range []bool{false, true} {
		name := "in-process"
		if loopback {
			name = "loopback"
		}
		b.Run(name, func(b *testing.B) {
			var callbacks atomic.Int64
			api := newPayAPI()
			ref := payReference(api, time.Now)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				callbacks.Add(1)
				ref.ServeHTTP(w, r)
			})
			opts := conformance.Options{Plan: conformance.PlanComplaints, PayKeys: payKeys(), Observer: api, Handler: h,
				Run: "^chaos/", Chaos: 1000, Seed: 4711}
			if loopback {
				srv := httptest.NewServer(h)
				defer srv.Close()
				opts.Handler, opts.URL = nil, srv.URL+"/wechat/complaints"
			}
			var signatures int64
			for b.Loop() {
				rep, err := conformance.Run(context.Background(), opts)
				if err != nil || rep.Failed() {
					b.Fatalf("err %v, %s", err, rep.Summary())
				}
				r, _ := rep.Result("chaos/callbacks")
				var n int64
				if _, err := fmt.Sscanf(r.Message[strings.Index(r.Message, "stale; ")+len("stale; "):], "%d RSA signatures", &n); err != nil {
					b.Fatalf("no signature count in %q", r.Message)
				}
				signatures += n
			}
			b.ReportMetric(float64(signatures)/float64(b.N), "signatures/op")
			b.ReportMetric(float64(callbacks.Load())/float64(b.N), "callbacks/op")
		})
	}
}

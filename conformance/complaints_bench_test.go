package conformance_test

import (
	"context"
	"fmt"
	"net"
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

// BenchmarkPayPlanAPI is the whole Complaints 2.0 plan with its API part
// (Options.API: the embedded fake, the Observer cases, the scenario of
// the api cases) against the sound in-process merchant of
// TestAPIMerchants, which calls the fake with complaints.Client:
// in-process (Options.Merchant, on the virtual clock; target ≤ 2 s) and
// over loopback (the merchant on a URL of its own, the fake at a fixed
// address, real clock; target ≤ 10 s). callbacks/op counts the callbacks
// the merchant received (the suite's and the fake's, one RSA signature
// each), calls/op its API calls (each signed by the merchant, and its
// answer by the fake).
//
//	go test -run '^$' -bench PayPlanAPI -benchtime 5x ./conformance/
func BenchmarkPayPlanAPI(b *testing.B) {
	for _, loopback := range []bool{false, true} {
		name := "in-process"
		if loopback {
			name = "loopback"
		}
		b.Run(name, func(b *testing.B) {
			var callbacks, calls atomic.Int64
			counted := func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					callbacks.Add(1)
					h.ServeHTTP(w, r)
				})
			}
			build := apiMerchant(apiMistakes{calls: &calls})
			opts := conformance.Options{Plan: conformance.PlanComplaints, PayKeys: payKeys(), Run: "^(accept|refuse|once|api)/",
				Merchant: func(env conformance.APIEnv) http.Handler { return counted(build(env)) }}
			if loopback {
				addr := freePayAddr(b)
				srv := httptest.NewServer(counted(build(conformance.APIEnv{BaseURL: "http://" + addr, Now: time.Now, AfterFunc: func(d time.Duration, f func()) { time.AfterFunc(d, f) }})))
				defer srv.Close()
				opts.Merchant, opts.URL, opts.API, opts.APIAddr = nil, srv.URL+"/wechat/complaints", true, addr
			}
			for b.Loop() {
				rep, err := conformance.Run(context.Background(), opts)
				if err != nil || rep.Failed() || rep.Counts().Skipped != 0 {
					b.Fatalf("err %v, %s", err, rep.Summary())
				}
			}
			b.ReportMetric(float64(callbacks.Load())/float64(b.N), "callbacks/op")
			b.ReportMetric(float64(calls.Load())/float64(b.N), "calls/op")
		})
	}
}

// freePayAddr returns a loopback address nothing listens on.
func freePayAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

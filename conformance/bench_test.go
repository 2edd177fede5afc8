package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/payfeedback/payfeedback/conformance"
)

// BenchmarkSuiteInProcess is conformancetest.Run's cost: the whole suite,
// API cases and their 25 virtual hours included, against the reference
// merchant in-process (docs/performance.md: ≤ 1 s).
//
//	go test -run '^$' -bench SuiteInProcess -benchtime 20x ./conformance/
func BenchmarkSuiteInProcess(b *testing.B) {
	for b.Loop() {
		rep, err := conformance.Run(context.Background(), conformance.Options{
			Merchant: reference, AppID: testAppID, PaySignKey: testKey, API: true,
		})
		if err != nil || rep.Counts().Passed != len(conformance.Cases())-1 { // all but the chaos campaign, skipped
			b.Fatalf("err %v, %s", err, rep.Summary())
		}
	}
}

// BenchmarkSuiteLoopback is the CLI's cost against a merchant on loopback
// that answers promptly, in real time (docs/performance.md: ≤ 5 s).
//
//	go test -run '^$' -bench SuiteLoopback -benchtime 10x ./conformance/
func BenchmarkSuiteLoopback(b *testing.B) {
	lazy := new(lazyHandler)
	srv := httptest.NewServer(lazy)
	defer srv.Close()
	for b.Loop() {
		rep, err := conformance.Run(context.Background(), conformance.Options{
			URL: srv.URL + "/payfeedback", AppID: testAppID, PaySignKey: testKey, API: true,
			APIReady: func(env conformance.APIEnv) {
				var h http.Handler = reference(env)
				lazy.h.Store(&h)
			},
		})
		if err != nil || rep.Counts().Passed != len(conformance.Cases())-1 { // all but the chaos campaign, skipped
			b.Fatalf("err %v, %s", err, rep.Summary())
		}
	}
	srv.CloseClientConnections()
}

// BenchmarkChaos is the chaos campaign of 1,000 complaints against the
// reference merchant, in-process with the embedded fake and over loopback
// as the CLI runs it (docs/performance.md: ≤ 10 s).
//
//	go test -run '^$' -bench Chaos -benchtime 3x ./conformance/
func BenchmarkChaos(b *testing.B) {
	b.Run("in-process", func(b *testing.B) {
		for b.Loop() {
			rep, err := conformance.Run(context.Background(), conformance.Options{
				Merchant: reference, AppID: testAppID, PaySignKey: testKey, API: true, Chaos: 1000, Seed: 1, Run: "^chaos/",
			})
			if err != nil || rep.Failed() {
				b.Fatalf("err %v, %s", err, rep.Results[0].Message)
			}
		}
	})
	b.Run("loopback", func(b *testing.B) {
		lazy := new(lazyHandler)
		srv := httptest.NewServer(lazy)
		defer srv.Close()
		for b.Loop() {
			rep, err := conformance.Run(context.Background(), conformance.Options{
				URL: srv.URL + "/payfeedback", AppID: testAppID, PaySignKey: testKey, API: true, Chaos: 1000, Seed: 1, Run: "^chaos/",
				APIReady: func(env conformance.APIEnv) {
					var h http.Handler = reference(env)
					lazy.h.Store(&h)
				},
			})
			if err != nil || rep.Failed() {
				b.Fatalf("err %v, %s", err, rep.Results[0].Message)
			}
		}
		srv.CloseClientConnections()
	})
}

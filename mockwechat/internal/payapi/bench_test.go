package payapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// discard is a ResponseWriter that keeps nothing, its header map reused:
// the fake and the floor write into the same kind.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) reset()                      { clear(d.h) }

// detailBench is a fake holding one complaint, a signed request for its
// detail, and the floor: a bare handler that answers the same bytes signed
// by the same key, and does nothing else.
type detailBench struct {
	fake, floor http.Handler
	req         *http.Request
}

func newDetailBench(b *testing.B) detailBench {
	f := newFake(b, paykeys.ModePublicKey, Options{})
	f.handler.o.Recorder = nil // the wiring's call log is not the endpoint's cost
	c := f.file(b, payworld.FileSpec{ProblemType: complaints.ProblemRefund})
	req := signedRequest(b, f, http.MethodGet, complaints.PathComplaint(c.ID()), nil)
	req.RequestURI = complaints.PathComplaint(c.ID())
	answer := encodeJSON(c.Wire)
	signer := f.id.PublicKeySigner()
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json; charset=utf-8"}
		if err := signer.SignHeaders(h, answer); err != nil {
			panic(err)
		}
		w.WriteHeader(http.StatusOK)
		w.Write(answer)
	})
	return detailBench{fake: f.handler, floor: floor, req: req}
}

// BenchmarkDetail serves a signed detail request in-process: the fake (the
// signature checked, the world read, the answer encoded and signed) and the
// floor (the same answer's bytes signed by the same key). Target: the fake
// ≥ 85 % of the floor's throughput.
func BenchmarkDetail(b *testing.B) {
	d := newDetailBench(b)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"fake", d.fake}, {"floor", d.floor}} {
		b.Run(c.name, func(b *testing.B) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				c.h.ServeHTTP(w, d.req)
			}
			if w.h.Get(apiv3.HeaderSignature) == "" {
				b.Fatal("unsigned")
			}
		})
	}
}

// BenchmarkDetailRatio runs the fake and the floor in turns, each request
// timed, so that a loaded machine slows both alike; it reports each one's
// ns/op and the fake's share of the floor's throughput (floor/fake).
func BenchmarkDetailRatio(b *testing.B) {
	d := newDetailBench(b)
	w := &discard{h: http.Header{}}
	var fake, floor time.Duration
	for b.Loop() {
		w.reset()
		t := time.Now()
		d.fake.ServeHTTP(w, d.req)
		fake += time.Since(t)
		w.reset()
		t = time.Now()
		d.floor.ServeHTTP(w, d.req)
		floor += time.Since(t)
	}
	b.ReportMetric(float64(fake.Nanoseconds())/float64(b.N), "fake-ns/op")
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(100*float64(floor)/float64(fake), "%-of-floor")
}

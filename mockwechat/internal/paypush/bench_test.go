package paypush

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/payfeedback/payfeedback/complaints"
)

// BenchmarkSend: one callback, encrypted, signed (one RSA-2048 signature
// per callback, by the WeChat Pay public key's private half) and POSTed
// to a loopback receiver answering 204, waited for. The receiver does not
// verify: the figure is the fake's cost plus a loopback round trip (both
// ends' allocations counted). On the 2-core CI machine, loaded by other
// jobs (go test -run '^$' -bench BenchmarkSend -benchtime 2s -count 3
// ./mockwechat/internal/paypush/): 1.09-1.33 ms/op, about 17.4 KB and 153
// allocations per callback; the RSA signature is most of it.
func BenchmarkSend(b *testing.B) {
	var got atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	r := newRig(b, t0, func(o *Options) { o.LogSize = 1000 })
	r.host.setURL(rcv.URL)
	c := cb("200202503010000000000000001", complaints.ActionUserResponse)
	b.ReportAllocs()
	for b.Loop() {
		r.e.Send(c)
		r.e.WaitIdle()
	}
	b.ReportMetric(1, "rsa-signatures/op")
	if n := int(got.Load()); n < b.N || r.e.Pending() != 0 {
		b.Fatalf("%d received of %d, %d pending", n, b.N, r.e.Pending())
	}
}

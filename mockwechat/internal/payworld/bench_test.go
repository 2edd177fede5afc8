package payworld

import (
	"runtime"
	"testing"

	"github.com/payfeedback/payfeedback/complaints"
)

// BenchmarkMemoryPerComplaint holds 100,000 complaints and reports the heap
// each takes (B/complaint): "filed" as a user files them (one order, the
// encrypted payer_phone, one history entry), "handled" after the
// merchant's reply and complete (three entries). Compare with V1.5's
// BenchmarkComplaints100k in mockwechat (heap-MiB for 100,000). Run with
// -benchtime=1x.
func BenchmarkMemoryPerComplaint(b *testing.B) {
	const n = 100_000
	for _, handled := range []bool{false, true} {
		name := "filed"
		if handled {
			name = "handled"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				w, _ := newWorld(b, Rules{})
				for range n {
					c, _, err := w.File(FileSpec{MchID: mch1, Detail: "商品与描述不符，联系商家未解决，要求退款"})
					if err != nil {
						b.Fatal(err)
					}
					if handled {
						if _, err := w.Respond(mch1, c.ID(), complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "您好，已为您安排退款"}); err != nil {
							b.Fatal(err)
						}
						if _, err := w.Complete(mch1, c.ID(), complaints.CompleteRequest{ComplaintedMchID: mch1}); err != nil {
							b.Fatal(err)
						}
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/complaint")
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
				runtime.KeepAlive(w)
			}
		})
	}
}

// BenchmarkDetail is the world's part of a detail request: look up, check,
// deep copy.
func BenchmarkDetail(b *testing.B) {
	w, _ := newWorld(b, Rules{})
	c, _, _ := w.File(FileSpec{MchID: mch1})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Detail(mch1, c.ID()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList is the world's part of a list page of 50 among 10,000
// complaints of one day: two binary searches and 50 copies.
func BenchmarkList(b *testing.B) {
	w, _ := newWorld(b, Rules{})
	for range 10_000 {
		w.File(FileSpec{MchID: mch1})
	}
	q := complaints.ListRequest{BeginDate: day(1), EndDate: day(1), Limit: 50, Offset: 5000}
	b.ReportAllocs()
	for b.Loop() {
		if p, err := w.List(mch1, q); err != nil || len(p.Data) != 50 {
			b.Fatal(err)
		}
	}
}

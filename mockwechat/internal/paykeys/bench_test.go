package paykeys

import (
	"testing"
	"time"
)

// BenchmarkOpenFresh makes an identity from nothing: three RSA keys
// generated concurrently, two certificates (target ≤ 300 ms a start on a
// quiet 2-core machine). cpu-ms/op is the process's CPU time per start,
// which a loaded machine does not inflate as it does the wall time:
// divided by the cores, it is the wall time a quiet machine would take.
func BenchmarkOpenFresh(b *testing.B) {
	c0 := cpuTime()
	for b.Loop() {
		if _, err := Open(Options{Now: at(t0)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkOpenFreshDir is BenchmarkOpenFresh writing a keys directory.
func BenchmarkOpenFreshDir(b *testing.B) {
	c0 := cpuTime()
	for b.Loop() {
		if _, err := Open(Options{Dir: b.TempDir(), Now: at(t0)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkOpenDir loads an identity from a keys directory (target
// ≤ 50 ms a start).
func BenchmarkOpenDir(b *testing.B) {
	dir, err := generated()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Open(Options{Dir: dir, Now: at(t0)}); err != nil {
			b.Fatal(err)
		}
	}
}

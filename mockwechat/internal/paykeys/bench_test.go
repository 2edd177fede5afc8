package paykeys

import (
	"testing"

	"github.com/payfeedback/payfeedback/internal/benchcpu"
)

// BenchmarkOpenFresh makes an identity from nothing: three RSA keys
// generated concurrently, two certificates (target ≤ 300 ms a start on a
// quiet 2-core machine). cpu-ns/op is the process's CPU time per start,
// which a loaded machine does not inflate as it does the wall time:
// divided by the cores, it is the wall time a quiet machine would take.
func BenchmarkOpenFresh(b *testing.B) {
	start := benchcpu.Now()
	for b.Loop() {
		if _, err := Open(Options{Now: at(t0)}); err != nil {
			b.Fatal(err)
		}
	}
	benchcpu.Report(b, start)
}

// BenchmarkOpenFreshDir is BenchmarkOpenFresh writing a keys directory.
func BenchmarkOpenFreshDir(b *testing.B) {
	start := benchcpu.Now()
	for b.Loop() {
		if _, err := Open(Options{Dir: b.TempDir(), Now: at(t0)}); err != nil {
			b.Fatal(err)
		}
	}
	benchcpu.Report(b, start)
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

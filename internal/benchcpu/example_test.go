package benchcpu_test

import (
	"fmt"

	"github.com/payfeedback/payfeedback/internal/benchcpu"
)

// A benchmark takes the CPU time before its loop and reports it after:
//
//	start := benchcpu.Now()
//	for b.Loop() { … }
//	benchcpu.Report(b, start) // cpu-ns/op beside ns/op
func Example() {
	start := benchcpu.Now()
	x := 0
	for i := range 20_000_000 {
		x += i % 7
	}
	fmt.Println("CPU time counted:", benchcpu.Now() > start, x > 0)
	// Output: CPU time counted: true true
}

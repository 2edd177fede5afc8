package benchcpu

import (
	"testing"
	"time"
)

// Now returns the CPU time the process has used so far: give it to Report,
// or subtract two readings.
func Now() time.Duration { return process() }

// Report adds the process's CPU time since start, per iteration of b, as
// the metric cpu-ns/op. Where the platform gives no CPU time, it adds
// nothing.
func Report(b *testing.B, start time.Duration) {
	if end := process(); end > 0 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

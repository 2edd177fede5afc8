//go:build !unix

package payfeedback

import "time"

// processCPU is not measured here: BenchmarkInterleavedCPU reports nothing.
func processCPU() time.Duration { return 0 }

//go:build unix

package payfeedback

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the test process used so far (user and
// system, GC workers included). On a shared machine it is steadier than
// wall time, which counts time spent waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

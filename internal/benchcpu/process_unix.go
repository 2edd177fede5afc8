//go:build unix

package benchcpu

import (
	"syscall"
	"time"
)

// process returns the CPU time the process used so far (user and system,
// every thread).
func process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build !unix

package benchcpu

import "time"

// process is not measured on this platform.
func process() time.Duration { return 0 }

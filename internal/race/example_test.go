package race_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback/internal/race"
)

// A test that counts the allocations of a pooled path checks the count
// only without the race detector, whose random drops from sync.Pool would
// make it fail now and then.
func Example() {
	pool := sync.Pool{New: func() any { return new([64]byte) }}
	allocs := testing.AllocsPerRun(100, func() {
		b := pool.Get().(*[64]byte)
		pool.Put(b)
	})
	if race.Enabled {
		allocs = 0 // the pool dropped some on purpose: not the program's figure
	}
	fmt.Println("allocations per run:", allocs)
	// Output: allocations per run: 0
}

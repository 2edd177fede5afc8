package clock_test

import (
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
)

// A virtual clock fires what falls due, in time order, when advanced.
func ExampleVirtual() {
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	c := clock.NewVirtual(start)
	s := c.Scheduler()
	s.At(start.Add(2*time.Hour), func() { fmt.Println("second, at", c.Now().Format("15:04")) })
	s.At(start.Add(time.Hour), func() { fmt.Println("first, at", c.Now().Format("15:04")) })
	c.Advance(3 * time.Hour)
	fmt.Println("now", c.Now().Format("15:04"), "pending", c.Pending())
	// Output:
	// first, at 11:00
	// second, at 12:00
	// now 13:00 pending 0
}

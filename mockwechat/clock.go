package mockwechat

import (
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
)

// VirtualClock is a clock that moves only when told to. Give one to
// Options.Clock to make time a test input: Advance fires, in order, every
// event that falls due (push retries, complaints going overdue,
// arbitration evidence deadlines) and waits for the pushes they start, so
// when Advance returns the world is what it would be after that much real
// time. A VirtualClock may be shared by several servers. Its methods are
// safe for concurrent use; Advance calls are serialised.
type VirtualClock struct{ c *clock.Virtual }

// NewVirtualClock returns a virtual clock reading start.
func NewVirtualClock(start time.Time) *VirtualClock {
	return &VirtualClock{c: clock.NewVirtual(start)}
}

// Now returns the clock's current time.
func (v *VirtualClock) Now() time.Time { return v.c.Now() }

// Advance moves the clock forward by d (a negative d is treated as 0),
// firing every event due on the way in time order, each at its own
// instant. Before each event and before returning it waits until the
// pushes already started have been attempted. Do not call Advance from
// inside a push receiver that the same clock's server is waiting on: that
// deadlocks until the push times out.
func (v *VirtualClock) Advance(d time.Duration) { v.c.Advance(d) }

// AdvanceTo moves the clock forward to t, like Advance. A t before Now
// leaves the clock where it is.
func (v *VirtualClock) AdvanceTo(t time.Time) { v.c.AdvanceTo(t) }

// Set puts the clock at t, forward or back, firing nothing: a reset to
// the start of a scenario. It waits for an Advance in progress. Events of
// the servers on the clock stay scheduled; those before t fire at the
// next Advance.
func (v *VirtualClock) Set(t time.Time) { v.c.Set(t) }

// Pending returns how many events are scheduled and not yet fired.
func (v *VirtualClock) Pending() int { return v.c.Pending() }

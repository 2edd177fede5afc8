package clock

import (
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// recorder collects what fired, safe for the scheduler's goroutines.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) add(s string) func() {
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got = append(r.got, s)
	}
}

func (r *recorder) fired() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func TestRealSchedulerOrderCancelClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewReal()
		var rec recorder
		now := time.Now()
		r.At(now.Add(3*time.Second), rec.add("c"))
		r.At(now.Add(time.Second), rec.add("a"))
		r.At(now.Add(time.Second), rec.add("a2")) // same instant: scheduling order
		dropped := r.At(now.Add(2*time.Second), rec.add("cancelled"))
		r.Cancel(dropped)
		r.At(now.Add(-time.Hour), rec.add("past")) // due already: fires at once
		time.Sleep(2500 * time.Millisecond)        // the bubble's clock: 2.5 s pass at once, nothing real is waited for
		synctest.Wait()
		if got := rec.fired(); !slices.Equal(got, []string{"past", "a", "a2"}) {
			t.Fatalf("fired %v, want past a a2", got)
		}
		r.Close()
		r.At(time.Now(), rec.add("after close"))
		time.Sleep(time.Hour) // the bubble's clock
		synctest.Wait()
		r.Wait()
		if got := rec.fired(); len(got) != 3 {
			t.Fatalf("fired after Close: %v", got)
		}
	})
}

func TestVirtualHooksAndAdvanceTo(t *testing.T) {
	c := NewVirtual(t0)
	var settles int
	var moves [][2]time.Time
	detach := c.Attach(Hooks{
		Settle: func() { settles++ },
		Moved:  func(from, to time.Time) { moves = append(moves, [2]time.Time{from, to}) },
	})
	s := c.Scheduler()
	var rec recorder
	s.At(t0.Add(time.Minute), rec.add("one"))
	c.Advance(time.Hour)
	if settles != 3 { // before the event, after it (loop), and at the end
		t.Errorf("settle ran %d times, want 3", settles)
	}
	if len(moves) != 1 || !moves[0][0].Equal(t0) || !moves[0][1].Equal(t0.Add(time.Hour)) {
		t.Fatalf("moves %v", moves)
	}
	c.AdvanceTo(t0) // in the past: nothing moves
	if len(moves) != 1 || !c.Now().Equal(t0.Add(time.Hour)) {
		t.Fatalf("AdvanceTo the past moved the clock: %v %v", c.Now(), moves)
	}
	detach()
	c.Advance(time.Minute)
	if len(moves) != 1 {
		t.Fatal("a detached hook still hears moves")
	}
}

// TestVirtualSchedulerClose: closing one server's scheduler forgets its
// events on the shared clock and leaves the other server's.
func TestVirtualSchedulerClose(t *testing.T) {
	c := NewVirtual(t0)
	a, b := c.Scheduler(), c.Scheduler()
	var rec recorder
	a.At(t0.Add(time.Minute), rec.add("a"))
	b.At(t0.Add(time.Minute), rec.add("b"))
	if c.Pending() != 2 {
		t.Fatalf("pending %d", c.Pending())
	}
	a.Close()
	a.At(t0.Add(time.Minute), rec.add("a after close"))
	if c.Pending() != 1 {
		t.Fatalf("pending after one server closed: %d, want 1", c.Pending())
	}
	c.Advance(time.Hour)
	if got := rec.fired(); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("fired %v, want only b", got)
	}
	if a.Virtual() != c || NewReal().Virtual() != nil {
		t.Fatal("Virtual() does not name the clock underneath")
	}
}

// TestClearAndSet: Clear forgets one server's events on a shared clock and
// goes on scheduling; Set moves the clock back without firing.
func TestClearAndSet(t *testing.T) {
	c := NewVirtual(t0)
	a, b := c.Scheduler(), c.Scheduler()
	var rec recorder
	a.At(t0.Add(time.Hour), rec.add("a-old"))
	b.At(t0.Add(time.Hour), rec.add("b"))
	a.Clear()
	a.At(t0.Add(2*time.Hour), rec.add("a-new"))
	c.Advance(3 * time.Hour)
	if got := rec.fired(); !slices.Equal(got, []string{"b", "a-new"}) {
		t.Fatalf("fired %v, want b a-new", got)
	}
	c.Set(t0)
	if !c.Now().Equal(t0) || len(rec.fired()) != 2 {
		t.Fatalf("Set: now %v, fired %v", c.Now(), rec.fired())
	}
	a.At(t0.Add(time.Minute), rec.add("again"))
	c.Advance(time.Minute)
	if got := rec.fired(); len(got) != 3 || got[2] != "again" {
		t.Fatalf("after Set: fired %v", got)
	}

	synctest.Test(t, func(t *testing.T) {
		r := NewReal()
		var rec recorder
		r.At(time.Now().Add(time.Second), rec.add("old"))
		r.Clear()
		r.At(time.Now().Add(2*time.Second), rec.add("new"))
		time.Sleep(3 * time.Second) // the bubble's clock
		synctest.Wait()
		if got := rec.fired(); !slices.Equal(got, []string{"new"}) {
			t.Fatalf("real: fired %v, want new", got)
		}
		r.Close()
		r.Wait()
	})
}

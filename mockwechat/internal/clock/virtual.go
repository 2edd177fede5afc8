package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Virtual is a clock that moves only when told to. Advance fires, in
// order, every event that falls due, and before each one (and before
// returning) runs the Settle hooks of the servers attached, which wait for
// the pushes already started; so when Advance returns the world is what it
// would be after that much real time. Several servers may share one
// Virtual. Its methods are safe for concurrent use; Advance calls are
// serialised.
type Virtual struct {
	advancing sync.Mutex // one Advance at a time; taken before mu

	mu     sync.Mutex // guards the fields below
	now    time.Time
	events eventHeap
	seq    uint64
	hooks  map[uint64]Hooks
	hookID uint64
}

// Hooks are what a server attached to a Virtual clock wants to hear.
type Hooks struct {
	// Settle waits until the work started by fired events is done (the
	// pushes in flight); it runs before each event and at the end of an
	// Advance.
	Settle func()
	// Moved hears that an Advance moved the clock from one time to another.
	Moved func(from, to time.Time)
}

// NewVirtual returns a virtual clock reading start.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start, hooks: make(map[uint64]Hooks)}
}

// Now returns the clock's current time.
func (c *Virtual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (a negative d is treated as 0),
// firing every event due on the way in time order, each at its own instant.
// Before each event and before returning it waits until the pushes already
// started have been attempted. Do not call Advance from inside a push
// receiver that the same clock's server is waiting on: that deadlocks until
// the push times out.
func (c *Virtual) Advance(d time.Duration) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.advanceTo(c.Now().Add(max(d, 0)))
}

// AdvanceTo moves the clock forward to t, like Advance. A t before Now
// leaves the clock where it is.
func (c *Virtual) AdvanceTo(t time.Time) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.advanceTo(t)
}

// Set puts the clock at t, forward or back, firing nothing: a reset to
// the start of a scenario. It waits for an Advance in progress. Events of
// the servers on the clock stay scheduled; those before t fire at the
// next Advance.
func (c *Virtual) Set(t time.Time) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *Virtual) advanceTo(target time.Time) {
	from := c.Now()
	for {
		c.settle()
		e := c.popDue(target)
		if e == nil {
			break
		}
		e.f()
	}
	c.settle()
	if to := c.Now(); to.After(from) {
		for _, h := range c.attached() {
			if h.Moved != nil {
				h.Moved(from, to)
			}
		}
	}
}

// popDue takes the next event due by target and moves the clock to it; nil
// when none is due, the clock then reading target.
func (c *Virtual) popDue(target time.Time) *Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.events) == 0 || c.events[0].when.After(target) {
		if target.After(c.now) {
			c.now = target
		}
		return nil
	}
	e := heap.Pop(&c.events).(*Event)
	if e.when.After(c.now) {
		c.now = e.when
	}
	return e
}

func (c *Virtual) settle() {
	for _, h := range c.attached() {
		if h.Settle != nil {
			h.Settle()
		}
	}
}

func (c *Virtual) attached() []Hooks {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Hooks, 0, len(c.hooks))
	for _, h := range c.hooks {
		out = append(out, h)
	}
	return out
}

// Attach registers a server's hooks; detach removes them.
func (c *Virtual) Attach(h Hooks) (detach func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hookID++
	id := c.hookID
	c.hooks[id] = h
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.hooks, id)
	}
}

// Pending returns how many events are scheduled and not yet fired.
func (c *Virtual) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

func (c *Virtual) schedule(at time.Time, f func()) *Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	e := &Event{when: at, seq: c.seq, f: f}
	heap.Push(&c.events, e)
	return e
}

func (c *Virtual) cancel(e *Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events.remove(e)
}

// Scheduler returns a Scheduler on this clock for one server. Closing it
// cancels the events that server scheduled and has not seen fire, so a
// closed server leaves nothing behind on a shared clock.
func (c *Virtual) Scheduler() Scheduler {
	return &virtualScheduler{c: c, mine: make(map[*Event]struct{})}
}

// virtualScheduler is one server's view of a shared Virtual clock.
type virtualScheduler struct {
	c *Virtual

	mu     sync.Mutex // guards mine and closed; taken before c.mu
	mine   map[*Event]struct{}
	closed bool
}

func (v *virtualScheduler) Now() time.Time { return v.c.Now() }

func (v *virtualScheduler) At(t time.Time, f func()) *Event {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return &Event{when: t, index: -1}
	}
	var e *Event
	e = v.c.schedule(t, func() {
		v.mu.Lock()
		_, live := v.mine[e]
		delete(v.mine, e)
		v.mu.Unlock()
		if live {
			f()
		}
	})
	v.mine[e] = struct{}{}
	return e
}

func (v *virtualScheduler) Cancel(e *Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.mine, e)
	v.c.cancel(e)
}

func (v *virtualScheduler) Clear() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for e := range v.mine {
		v.c.cancel(e)
	}
	clear(v.mine)
}

func (v *virtualScheduler) Close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closed = true
	for e := range v.mine {
		v.c.cancel(e)
	}
	clear(v.mine)
}

func (v *virtualScheduler) Virtual() *Virtual { return v.c }

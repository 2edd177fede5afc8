package mockwechat

import (
	"container/heap"
	"sync"
	"time"
)

// VirtualClock is a clock that moves only when told to. Give one to
// Options.Clock to make time a test input: Advance fires, in order, every
// event that falls due (push retries, complaints going overdue, arbitration
// evidence deadlines), and between events it waits for the pushes they
// started, so that when Advance returns the world is what it would be after
// that much real time. Token expiry, messaging windows and media expiry are
// judged against Now at each call, so they take effect exactly at the
// advanced time.
//
// A VirtualClock may be shared by several servers. Its methods are safe for
// concurrent use; Advance calls are serialised.
type VirtualClock struct {
	advancing sync.Mutex // one Advance at a time

	mu     sync.Mutex
	now    time.Time
	events eventHeap
	seq    uint64
	hooks  map[uint64]func() // settle hooks of the servers using the clock
	hookID uint64
}

// NewVirtualClock returns a virtual clock reading start.
func NewVirtualClock(start time.Time) *VirtualClock {
	return &VirtualClock{now: start, hooks: make(map[uint64]func())}
}

// Now returns the clock's current time.
func (c *VirtualClock) Now() time.Time {
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
func (c *VirtualClock) Advance(d time.Duration) {
	if d < 0 {
		d = 0
	}
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	c.advanceTo(target)
}

// AdvanceTo moves the clock forward to t, like Advance. A t before Now
// leaves the clock where it is.
func (c *VirtualClock) AdvanceTo(t time.Time) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.advanceTo(t)
}

func (c *VirtualClock) advanceTo(target time.Time) {
	for {
		c.settle()
		c.mu.Lock()
		if len(c.events) == 0 || c.events[0].when.After(target) {
			if target.After(c.now) {
				c.now = target
			}
			c.mu.Unlock()
			break
		}
		e := heap.Pop(&c.events).(*event)
		if e.when.After(c.now) {
			c.now = e.when
		}
		c.mu.Unlock()
		e.f()
	}
	c.settle()
}

// settle runs the servers' hooks, which wait for in-flight pushes.
func (c *VirtualClock) settle() {
	c.mu.Lock()
	hooks := make([]func(), 0, len(c.hooks))
	for _, h := range c.hooks {
		hooks = append(hooks, h)
	}
	c.mu.Unlock()
	for _, h := range hooks {
		h()
	}
}

func (c *VirtualClock) addHook(f func()) (remove func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hookID++
	id := c.hookID
	c.hooks[id] = f
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.hooks, id)
	}
}

// Pending returns how many events are scheduled and not yet fired.
func (c *VirtualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

func (c *VirtualClock) schedule(at time.Time, f func()) *event {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	e := &event{when: at, seq: c.seq, f: f}
	heap.Push(&c.events, e)
	return e
}

func (c *VirtualClock) cancel(e *event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.index >= 0 && e.index < len(c.events) && c.events[e.index] == e {
		heap.Remove(&c.events, e.index)
	}
}

// scheduler is the clock a server runs on: virtual, or real time driven by
// one time.Timer over the same kind of heap.
type scheduler interface {
	now() time.Time
	// at runs f at t (at once, asynchronously, when t is not in the future).
	at(t time.Time, f func()) *event
	cancel(e *event)
	// close stops firing events; it does not wait for running ones.
	close()
}

// event is one scheduled callback.
type event struct {
	when  time.Time
	seq   uint64 // ties broken by scheduling order
	f     func()
	index int
}

type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *eventHeap) Push(x any) {
	e := x.(*event)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}

// virtualScheduler adapts a VirtualClock shared with other servers.
type virtualScheduler struct {
	c *VirtualClock
}

func (v virtualScheduler) now() time.Time                  { return v.c.Now() }
func (v virtualScheduler) at(t time.Time, f func()) *event { return v.c.schedule(t, f) }
func (v virtualScheduler) cancel(e *event)                 { v.c.cancel(e) }
func (v virtualScheduler) close()                          {}

// realScheduler fires events on real time: one time.Timer armed for the
// earliest event; due events run one after the other on the timer's
// goroutine, tracked by wg.
type realScheduler struct {
	mu     sync.Mutex
	events eventHeap
	seq    uint64
	timer  *time.Timer
	armed  time.Time
	closed bool
	wg     *sync.WaitGroup
}

func newRealScheduler(wg *sync.WaitGroup) *realScheduler {
	return &realScheduler{wg: wg}
}

func (r *realScheduler) now() time.Time { return time.Now() }

func (r *realScheduler) at(t time.Time, f func()) *event {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	e := &event{when: t, seq: r.seq, f: f}
	if r.closed {
		e.index = -1
		return e
	}
	heap.Push(&r.events, e)
	r.arm()
	return e
}

func (r *realScheduler) cancel(e *event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.index >= 0 && e.index < len(r.events) && r.events[e.index] == e {
		heap.Remove(&r.events, e.index)
	}
}

// arm (r.mu held) makes the timer fire at the earliest event.
func (r *realScheduler) arm() {
	if len(r.events) == 0 {
		return
	}
	first := r.events[0].when
	if r.timer != nil && !r.armed.IsZero() && !first.Before(r.armed) {
		return
	}
	d := time.Until(first)
	if d < 0 {
		d = 0
	}
	r.armed = first
	if r.timer == nil {
		r.timer = time.AfterFunc(d, r.fire)
		return
	}
	r.timer.Reset(d)
}

func (r *realScheduler) fire() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.wg.Add(1)
	defer r.wg.Done()
	r.armed = time.Time{}
	for {
		if r.closed || len(r.events) == 0 || r.events[0].when.After(time.Now()) {
			break
		}
		e := heap.Pop(&r.events).(*event)
		r.mu.Unlock()
		e.f()
		r.mu.Lock()
	}
	if !r.closed {
		r.arm()
	}
	r.mu.Unlock()
}

func (r *realScheduler) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
	r.events = nil
}

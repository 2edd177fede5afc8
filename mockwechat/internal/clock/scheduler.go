package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Scheduler is the clock a server runs on, virtual or real: it tells the
// time and runs callbacks at a time.
type Scheduler interface {
	// Now returns the current time on this clock.
	Now() time.Time
	// At runs f at t (soon, on another goroutine, when t is not in the
	// future on a real clock; at the next Advance on a virtual one).
	At(t time.Time, f func()) *Event
	// Cancel forgets an event not yet fired.
	Cancel(e *Event)
	// Clear forgets every event not yet fired and goes on scheduling: a
	// server's reset. It does not wait for a callback already running.
	Clear()
	// Close stops firing events and forgets those not yet fired. It does
	// not wait for a callback already running.
	Close()
	// Virtual returns the virtual clock underneath, nil on real time.
	Virtual() *Virtual
}

// Event is one scheduled callback.
type Event struct {
	when  time.Time
	seq   uint64 // ties broken by scheduling order
	f     func()
	index int // in its heap; -1 once out of it
}

// eventHeap orders events by time, then by scheduling order.
type eventHeap []*Event

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
	e := x.(*Event)
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

// remove takes e out of the heap when it is still in it.
func (h *eventHeap) remove(e *Event) {
	if e.index >= 0 && e.index < len(*h) && (*h)[e.index] == e {
		heap.Remove(h, e.index)
	}
}

// Real is a Scheduler on real time: one time.Timer armed for the earliest
// event; due events run one after the other on the timer's goroutine.
type Real struct {
	mu      sync.Mutex // guards the fields below
	events  eventHeap
	seq     uint64
	timer   *time.Timer
	armed   time.Time
	closed  bool
	running sync.WaitGroup // callbacks being run
}

// NewReal returns a Scheduler on real time.
func NewReal() *Real { return &Real{} }

// Now returns time.Now().
func (r *Real) Now() time.Time { return time.Now() }

// At runs f at t on real time.
func (r *Real) At(t time.Time, f func()) *Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	e := &Event{when: t, seq: r.seq, f: f, index: -1}
	if r.closed {
		return e
	}
	heap.Push(&r.events, e)
	r.arm()
	return e
}

// Cancel forgets an event not yet fired.
func (r *Real) Cancel(e *Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events.remove(e)
}

// arm (r.mu held) makes the timer fire at the earliest event.
func (r *Real) arm() {
	if len(r.events) == 0 {
		return
	}
	first := r.events[0].when
	if r.timer != nil && !r.armed.IsZero() && !first.Before(r.armed) {
		return
	}
	r.armed = first
	d := max(time.Until(first), 0)
	if r.timer == nil {
		r.timer = time.AfterFunc(d, r.fire)
		return
	}
	r.timer.Reset(d)
}

func (r *Real) fire() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.running.Add(1) // under mu, so that it happens before a Wait after Close
	r.armed = time.Time{}
	r.mu.Unlock()
	defer r.running.Done()
	for {
		e := r.popDue()
		if e == nil {
			break
		}
		e.f()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.arm()
	}
}

func (r *Real) popDue() *Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || len(r.events) == 0 || r.events[0].when.After(time.Now()) {
		return nil
	}
	return heap.Pop(&r.events).(*Event)
}

// Clear forgets every event not yet fired.
func (r *Real) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		e.index = -1
	}
	r.events = nil
}

// Close stops firing and forgets every event not yet fired.
func (r *Real) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
	r.events = nil
}

// Wait waits for the callbacks running now (after Close: for the last
// ones).
func (r *Real) Wait() { r.running.Wait() }

// Virtual returns nil: the clock is real.
func (r *Real) Virtual() *Virtual { return nil }

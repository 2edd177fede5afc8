package events

import (
	"sync"

	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// Bus carries out Effects: it publishes the changes on the feed, keeps the
// deadlines on the clock, and hands the notifications to the push engine.
// When a deadline falls due it asks the world what follows (the fire
// function given to OnTimer) and carries that out too.
type Bus struct {
	feed  *Feed
	sched clock.Scheduler
	push  *push.Engine

	mu     sync.Mutex // guards the fields below; taken before the clock's
	fire   func(TimerKey) Effects
	timers map[TimerKey]*clock.Event
	closed bool
}

// NewBus returns a bus onto these.
func NewBus(feed *Feed, sched clock.Scheduler, engine *push.Engine) *Bus {
	return &Bus{feed: feed, sched: sched, push: engine, timers: make(map[TimerKey]*clock.Event)}
}

// OnTimer sets what a deadline falling due does: fire returns its effects.
func (b *Bus) OnTimer(fire func(TimerKey) Effects) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fire = fire
}

// Apply carries out fx: changes first (so that the feed tells a complaint
// filed before its push), then deadlines, then pushes.
func (b *Bus) Apply(fx Effects) {
	if b.feed.Listening() { // else the closures alone would cost allocations
		for _, c := range fx.Changes {
			kind := KindWorld
			if c.Complaint() {
				kind = KindComplaint
			}
			b.feed.Publish(kind, func(e *Event) { e.Change = &c })
		}
	}
	if len(fx.Timers) > 0 || len(fx.Cancels) > 0 {
		b.schedule(fx)
	}
	for _, n := range fx.Push {
		b.push.Send(n)
	}
}

func (b *Bus) schedule(fx Effects) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range fx.Cancels {
		if ev, ok := b.timers[k]; ok {
			b.sched.Cancel(ev)
			delete(b.timers, k)
		}
	}
	if b.closed {
		return
	}
	for _, t := range fx.Timers {
		if ev, ok := b.timers[t.Key]; ok {
			b.sched.Cancel(ev)
		}
		slot := new(*clock.Event) // read by fired under b.mu, after it is set
		*slot = b.sched.At(t.At, func() { b.fired(t.Key, slot) })
		b.timers[t.Key] = *slot
	}
}

// fired runs a deadline that fell due, unless it was replaced or the bus
// closed since.
func (b *Bus) fired(k TimerKey, slot **clock.Event) {
	b.mu.Lock()
	if b.closed || b.timers[k] != *slot || b.fire == nil {
		b.mu.Unlock()
		return
	}
	delete(b.timers, k)
	fire := b.fire
	b.mu.Unlock()
	b.Apply(fire(k))
}

// Pending returns how many deadlines are scheduled.
func (b *Bus) Pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.timers)
}

// Reset forgets every deadline, cancelling it on the clock, and goes on
// scheduling: a server's reset. A deadline firing meanwhile finds itself
// forgotten and does nothing.
func (b *Bus) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ev := range b.timers {
		b.sched.Cancel(ev)
	}
	clear(b.timers)
}

// Close makes the bus schedule and fire nothing more.
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	clear(b.timers)
}

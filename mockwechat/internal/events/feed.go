package events

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed says the fake is closed: its feed ends, waits return it.
var ErrClosed = errors.New("mockwechat: server closed")

// DefaultBuffer is how many events a subscription holds when its reader
// falls behind, by default.
const DefaultBuffer = 1024

// Feed publishes what happens in the fake to subscribers and wakes
// waiters. Publishing never blocks: a subscriber whose buffer is full
// misses the event (Subscription.Dropped counts them, and Seq shows the
// gap); a waiter is woken by whatever is published next. With nobody
// listening, Publish costs an atomic load and builds nothing.
type Feed struct {
	now       func() time.Time
	listening atomic.Bool   // a subscriber or a waiter: read without mu
	wanted    atomic.Uint32 // the kinds someone wants (kindBits): read without mu

	mu     sync.Mutex // guards the fields below; a leaf lock
	seq    uint64
	subs   map[*Subscription]struct{}
	wake   chan struct{} // closed at the next Publish; nil while nobody waits
	closed bool
}

// NewFeed returns a feed stamping events with now (the fake's clock).
func NewFeed(now func() time.Time) *Feed {
	return &Feed{now: now, subs: make(map[*Subscription]struct{})}
}

// Publish tells subscribers an event of kind, filled in by build (called
// only when a subscriber takes it), and wakes waiters. A kind nobody
// subscribed to costs two atomic loads; an event beyond a subscription's
// rate (SubscribeOptions.PerSecond) is counted there, not built.
func (f *Feed) Publish(kind Kind, build func(e *Event)) {
	if !f.listening.Load() || f.wanted.Load()&kind.bit() == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	if f.wake != nil {
		close(f.wake)
		f.wake = nil
		defer f.relisten() // nobody waits any more
	}
	var e *Event
	var now time.Time // real time, read once, for the rates
	for s := range f.subs {
		if !s.wants(kind) {
			continue
		}
		if s.perSecond > 0 {
			if now.IsZero() {
				now = time.Now()
			}
			if !s.allow(kind, now) {
				s.skipped.Add(1)
				continue
			}
		}
		if e == nil {
			f.seq++
			e = &Event{Seq: f.seq, Time: f.now(), Kind: kind}
			build(e)
		}
		if !s.offer(*e) {
			s.dropped.Add(1)
		}
	}
}

// Wake wakes the waiters without an event: something they may be waiting
// for changed without anything to tell (a push engine gone idle).
func (f *Feed) Wake() {
	if !f.listening.Load() {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.wake != nil {
		close(f.wake)
		f.wake = nil
		f.relisten()
	}
}

// relisten (f.mu held) says whether anyone listens, and to what: a
// waiter wakes at any event.
func (f *Feed) relisten() {
	f.listening.Store(len(f.subs) > 0 || f.wake != nil)
	var wanted uint32
	if f.wake != nil {
		wanted = allKinds
	}
	for s := range f.subs {
		wanted |= s.kinds
	}
	f.wanted.Store(wanted)
}

// Changed returns a channel closed at the next Publish, or at Close.
func (f *Feed) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		c := make(chan struct{})
		close(c)
		return c
	}
	if f.wake == nil {
		f.wake = make(chan struct{})
		f.relisten()
	}
	return f.wake
}

// Subscribe returns a subscription to every event, holding up to buffer
// events (≤ 0: DefaultBuffer). Close it when done. On a closed feed its
// channel is closed at once.
func (f *Feed) Subscribe(buffer int) *Subscription {
	return f.SubscribeWith(SubscribeOptions{Buffer: buffer})
}

// SubscribeOptions choose what a subscription receives.
type SubscribeOptions struct {
	// Buffer is how many events it holds for a reader that falls behind
	// (≤ 0: DefaultBuffer); beyond, events are dropped (Dropped).
	Buffer int
	// Kinds are the kinds of events it receives; empty: every kind.
	Kinds []Kind
	// PerSecond, when positive, bounds the events of each kind it
	// receives in a second (of real time); the others are counted
	// (Skipped) and never built.
	PerSecond int
	// Sink, when set, receives the events instead of the subscription's
	// channel (Events is then nil), and Buffer is the sink's business.
	Sink *Sink
}

// Sink is where a subscription puts its events when they must become
// something else on the way (the fake's public Event). Offer is called
// with the feed's lock held, one event at a time and in order: it must
// not block, nor call the feed; it reports whether it took the event
// (false counts as dropped). Close is called once, when the subscription
// or the feed closes.
type Sink struct {
	Offer func(Event) bool
	Close func()
}

// SubscribeWith returns a subscription as o says. Close it when done.
func (f *Feed) SubscribeWith(o SubscribeOptions) *Subscription {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	s := &Subscription{feed: f, sink: o.Sink, kinds: kindsMask(o.Kinds), perSecond: o.PerSecond}
	if s.sink == nil {
		s.c = make(chan Event, o.Buffer)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		s.end()
		return s
	}
	f.subs[s] = struct{}{}
	f.relisten()
	return s
}

// Close ends the feed: subscriptions' channels close, waiters wake.
func (f *Feed) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for s := range f.subs {
		s.end()
	}
	clear(f.subs)
	if f.wake != nil {
		close(f.wake)
		f.wake = nil
	}
	f.relisten()
}

// Closed reports whether Close was called.
func (f *Feed) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Subscription receives the feed's events in order.
type Subscription struct {
	c       chan Event // nil with a sink
	sink    *Sink
	feed    *Feed
	dropped atomic.Uint64
	skipped atomic.Uint64

	// guarded by feed.mu
	kinds     uint32 // kindBits wanted
	perSecond int
	window    time.Time     // start of the current second
	taken     [numKinds]int // events of each kind taken in the window
}

// offer hands e to the subscriber without blocking, and reports whether
// it took it (feed.mu held).
func (s *Subscription) offer(e Event) bool {
	if s.sink != nil {
		return s.sink.Offer(e)
	}
	select {
	case s.c <- e:
		return true
	default:
		return false
	}
}

// end closes the subscriber's channel, or its sink (feed.mu held, once).
func (s *Subscription) end() {
	if s.sink != nil {
		s.sink.Close()
		return
	}
	close(s.c)
}

// wants reports whether s takes events of kind (feed.mu held).
func (s *Subscription) wants(k Kind) bool { return s.kinds&k.bit() != 0 }

// allow counts an event of kind against the rate, one budget per kind (a
// flood of calls leaves complaints their share); feed.mu held.
func (s *Subscription) allow(k Kind, now time.Time) bool {
	if now.Sub(s.window) >= time.Second {
		s.window, s.taken = now, [numKinds]int{}
	}
	i := k.index()
	if s.taken[i] >= s.perSecond {
		return false
	}
	s.taken[i]++
	return true
}

// Events returns the channel of events, closed when the subscription or
// the feed is closed; nil for a subscription with a Sink.
func (s *Subscription) Events() <-chan Event { return s.c }

// Dropped returns how many events this subscription missed because its
// buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Skipped returns how many events this subscription did not receive
// because of its rate (SubscribeOptions.PerSecond).
func (s *Subscription) Skipped() uint64 { return s.skipped.Load() }

// SetKinds changes the kinds of events the subscription receives (empty:
// every kind).
func (s *Subscription) SetKinds(kinds []Kind) {
	f := s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	s.kinds = kindsMask(kinds)
	if _, ok := f.subs[s]; ok {
		f.relisten()
	}
}

// Close ends the subscription; its channel closes.
func (s *Subscription) Close() {
	f := s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[s]; !ok {
		return // closed already, or by the feed
	}
	delete(f.subs, s)
	s.end()
	f.relisten()
}

// Wait calls check now and after every publication until check reports
// done or an error, ctx ends (ctx's error) or the feed closes (ErrClosed).
// It returns check's last value.
func Wait[T any](ctx context.Context, f *Feed, check func() (T, bool, error)) (T, error) {
	for {
		changed := f.Changed()
		v, done, err := check()
		if err != nil || done {
			return v, err
		}
		if f.Closed() {
			return v, ErrClosed
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-changed:
		}
	}
}

// Listening reports whether anyone subscribes or waits.
func (f *Feed) Listening() bool { return f.listening.Load() }

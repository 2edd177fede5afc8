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
	listening atomic.Bool // a subscriber or a waiter: read without mu

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
// only when someone subscribes), and wakes waiters.
func (f *Feed) Publish(kind Kind, build func(e *Event)) {
	if !f.listening.Load() {
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
	}
	if len(f.subs) > 0 {
		f.seq++
		e := Event{Seq: f.seq, Time: f.now(), Kind: kind}
		build(&e)
		for s := range f.subs {
			select {
			case s.c <- e:
			default:
				s.dropped.Add(1)
			}
		}
	}
	f.relisten()
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

// relisten (f.mu held) says whether anyone listens.
func (f *Feed) relisten() {
	f.listening.Store(len(f.subs) > 0 || f.wake != nil)
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

// Subscribe returns a subscription holding up to buffer events (≤ 0:
// DefaultBuffer). Close it when done. On a closed feed its channel is
// closed at once.
func (f *Feed) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	s := &Subscription{c: make(chan Event, buffer), feed: f}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(s.c)
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
		close(s.c)
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
	c       chan Event
	feed    *Feed
	dropped atomic.Uint64
}

// Events returns the channel of events, closed when the subscription or
// the feed is closed.
func (s *Subscription) Events() <-chan Event { return s.c }

// Dropped returns how many events this subscription missed because its
// buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription; its channel closes.
func (s *Subscription) Close() {
	f := s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[s]; !ok {
		return // closed already, or by the feed
	}
	delete(f.subs, s)
	close(s.c)
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

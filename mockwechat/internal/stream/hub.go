package stream

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// Defaults of Options.
const (
	DefaultPerSecond    = 100
	DefaultClientBuffer = 256
	// subscriptionBuffer is the hub's buffer on the feed: the one reader
	// encodes quickly, so it falls behind only under a flood of calls.
	subscriptionBuffer = 4096
)

// Options configure a Hub.
type Options struct {
	// Subscribe subscribes to the fake's feed (Feed.SubscribeWith).
	Subscribe func(events.SubscribeOptions) *events.Subscription
	// PerSecond bounds the events of each kind forwarded to clients in a
	// second: under load the fake answers tens of thousands of calls a
	// second, which no page can show and which the fake should not spend
	// its time encoding. The others are never built (the feed counts
	// them) and are told once a second as an EventSkipped. 0:
	// DefaultPerSecond.
	PerSecond int
	// ClientBuffer is how many frames a client may have waiting; beyond,
	// it misses events and gets an EventGap. 0: DefaultClientBuffer.
	ClientBuffer int
	// Heartbeat is how often an idle stream gets a comment line, which
	// keeps proxies from closing it and finds clients gone. 0: 25 s.
	Heartbeat time.Duration
	// WriteTimeout bounds one write to a client; a client that does not
	// read within it is disconnected. 0: 10 s.
	WriteTimeout time.Duration
}

// Hub fans the feed out to SSE clients (see the package doc).
//
// Lock order: Hub.mu is a leaf, never held while writing to a client or
// calling the feed, except Subscription.Close (the feed's lock is a leaf).
type Hub struct {
	o       Options
	clients atomic.Int64 // connected clients, for tests and the console

	mu   sync.Mutex // guards the fields below
	subs map[*client]struct{}
	sub  *events.Subscription // nil while nobody is connected
}

// New returns a hub over o.Subscribe.
func New(o Options) *Hub {
	if o.PerSecond <= 0 {
		o.PerSecond = DefaultPerSecond
	}
	if o.ClientBuffer <= 0 {
		o.ClientBuffer = DefaultClientBuffer
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 25 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	return &Hub{o: o, subs: make(map[*client]struct{})}
}

// Clients returns how many clients are connected.
func (h *Hub) Clients() int { return int(h.clients.Load()) }

// client is one connected stream.
type client struct {
	kinds      map[events.Kind]bool // nil: every kind
	feedbackID string               // "": every complaint
	frames     chan []byte
	lagged     atomic.Uint64 // frames missed since the last gap told
	done       chan struct{} // closed when the feed ends
}

// wants reports whether the client asked for this event.
func (c *client) wants(e *events.Event) bool {
	if c.kinds != nil && !c.kinds[e.Kind] {
		return false
	}
	if c.feedbackID == "" {
		return true
	}
	switch {
	case e.Change != nil:
		return e.Change.FeedBackID == c.feedbackID
	case e.Push != nil:
		return e.Push.FeedBackID == c.feedbackID
	case e.Call != nil:
		return e.Call.Query.Get("feedbackid") == c.feedbackID
	}
	return true // the clock
}

// kinds returns the kinds the clients want, nil for every kind (h.mu
// held): the subscription takes only those, so that a kind nobody shows
// costs the fake nothing.
func (h *Hub) kinds() []events.Kind {
	set := map[events.Kind]bool{}
	for c := range h.subs {
		if c.kinds == nil {
			return nil
		}
		for k := range c.kinds {
			set[k] = true
		}
	}
	out := make([]events.Kind, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// join adds a client, subscribing to the feed for the first one.
func (h *Hub) join(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[c] = struct{}{}
	h.clients.Add(1)
	if h.sub == nil {
		h.sub = h.o.Subscribe(events.SubscribeOptions{Buffer: subscriptionBuffer, Kinds: h.kinds(), PerSecond: h.o.PerSecond})
		go h.pump(h.sub)
		return
	}
	h.sub.SetKinds(h.kinds())
}

// leave removes a client, giving the subscription back after the last.
func (h *Hub) leave(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[c]; !ok {
		return
	}
	delete(h.subs, c)
	h.clients.Add(-1)
	switch {
	case h.sub == nil:
	case len(h.subs) == 0:
		h.sub.Close()
		h.sub = nil
	default:
		h.sub.SetKinds(h.kinds())
	}
}

// pump reads the subscription until it closes: given back (the last
// client left) or ended by the feed (the fake closed: every client ends).
func (h *Hub) pump(sub *events.Subscription) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	heartbeat := []byte(": ping\n\n")
	var dropped, skipped uint64 // what the subscription missed, last seen
	lastSent := time.Now()
	for {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				h.ended(sub)
				return
			}
			if d := sub.Dropped(); d != dropped {
				h.broadcast(nil, notice(EventGap, "missed", d-dropped))
				dropped = d
			}
			frame, err := encode(e)
			if err != nil {
				continue // an event that cannot be JSON: nothing to tell
			}
			h.broadcast(&e, frame)
			lastSent = time.Now()
		case now := <-tick.C:
			if n := sub.Skipped(); n != skipped {
				h.broadcast(nil, notice(EventSkipped, "events", n-skipped))
				skipped = n
				lastSent = now
			}
			if now.Sub(lastSent) >= h.o.Heartbeat {
				h.broadcast(nil, heartbeat)
				lastSent = now
			}
		}
	}
}

// ended handles the end of a subscription: when it is still the hub's,
// the feed closed it, and every client ends.
func (h *Hub) ended(sub *events.Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sub != sub {
		return // given back by leave
	}
	h.sub = nil
	for c := range h.subs {
		close(c.done)
		delete(h.subs, c)
		h.clients.Add(-1)
	}
}

// broadcast queues frame for every client that wants e (nil: every
// client), never waiting: a full queue counts a missed frame.
func (h *Hub) broadcast(e *events.Event, frame []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		if e == nil || c.wants(e) {
			offer(c, frame)
		}
	}
}

func offer(c *client, frame []byte) {
	select {
	case c.frames <- frame:
	default:
		c.lagged.Add(1)
	}
}

// parseKinds reads ?kinds=complaint,push (empty: every kind).
func parseKinds(v string) (map[events.Kind]bool, error) {
	if v == "" {
		return nil, nil
	}
	out := map[events.Kind]bool{}
	for _, k := range strings.Split(v, ",") {
		switch kind := events.Kind(strings.TrimSpace(k)); kind {
		case events.KindComplaint, events.KindWorld, events.KindPush, events.KindCall, events.KindClock, events.KindPay, events.KindPayCallback:
			out[kind] = true
		default:
			return nil, &kindError{k}
		}
	}
	return out, nil
}

type kindError struct{ kind string }

func (e *kindError) Error() string {
	return "mockwechat: events: unknown kind " + text.Clip(e.kind, 32) + ": want complaint, world, push, call, clock, pay or pay-callback (comma-separated)"
}

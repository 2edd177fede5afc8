package push

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/shardqueue"
)

// Host is what the engine needs from the rest of the fake, asked afresh at
// each attempt.
type Host interface {
	// Target returns the account's payfeedback_url and paySignKey now;
	// url "" when it has none.
	Target(appID string) (url, key string)
	// TimeStamp returns the TimeStamp of the next notification to the
	// user, in Unix seconds.
	TimeStamp(appID, openID string) int64
	// Fault takes up one use of a push fault matching the notification,
	// and returns its plan; false when none matches.
	Fault(appID string, t payfeedback.MsgType) (Plan, bool)
}

// Options configure an Engine. Host and Sched are required; the other
// zero values take the fake's documented defaults from the caller.
type Options struct {
	Host  Host
	Sched clock.Scheduler
	// Context bounds every attempt: when it ends, attempts in flight are
	// abandoned. nil: context.Background().
	Context context.Context
	// Retry is the delay before each retry of a failed attempt.
	Retry []time.Duration
	// Timeout bounds one attempt (real time).
	Timeout time.Duration
	// Concurrency is how many pushes run at once; pushes for one
	// complaint are always attempted in order.
	Concurrency int
	// StrictAck counts an attempt delivered only on 2xx with the body
	// "success".
	StrictAck bool
	// Rate paces attempts to at most this many per second (real time); 0
	// means unpaced.
	Rate float64
	// LogSize and LogBytes bound the finished deliveries kept.
	LogSize  int
	LogBytes int64
	// Observe hears every Report; it must not block. nil: nobody.
	Observe func(Report)
	// Done hears that an attempt is over, once Idle and Pending count it;
	// it must not block. nil: nobody.
	Done func()
	// Logger receives failures; nil: discard.
	Logger *slog.Logger
	// Targets says where pushes may go, checked when each connection is
	// made; the zero value: loopback only (see Targets).
	Targets Targets
}

// Engine delivers notifications: per-complaint ordered shards, retries on
// the fake's clock, faults by plan, and the delivery log. Safe for
// concurrent use.
type Engine struct {
	opts    Options
	ctx     context.Context
	client  *http.Client
	limiter *rate.Limiter // nil: unpaced
	log     *slog.Logger

	mu      sync.Mutex                   // guards the fields below; a leaf: held for no call out
	shards  *shardqueue.Queue[*delivery] // per-complaint queues of attempts (its Mu is mu)
	deliv   deliveryLog
	nextID  uint64
	held    map[string][]*delivery // out-of-order holds per appid
	stopped bool                   // no new attempt starts
	// gen counts resets: a delivery of an older generation is forgotten,
	// its attempts abandoned (attempts, their context, is cancelled).
	gen      uint64
	attempts context.Context
	abandon  context.CancelFunc
}

// delivery is a Delivery and what the engine needs to go on with it.
type delivery struct {
	Delivery
	n       payfeedback.Notification
	shard   int
	genuine int    // attempts counted against the retry schedule
	bytes   int64  // estimated size, once finished
	gen     uint64 // the engine's generation when it was sent
}

func (d *delivery) size() int64 {
	if d.bytes == 0 {
		d.bytes = 256
		for i := range d.Attempts {
			d.bytes += d.Attempts[i].size()
		}
	}
	return d.bytes
}

// New returns an engine ready to Send.
func New(o Options) *Engine {
	e := &Engine{
		opts: o,
		ctx:  o.Context,
		log:  o.Logger,
		client: &http.Client{
			Timeout: o.Timeout,
			Transport: &http.Transport{
				Proxy:               nil,
				DialContext:         o.Targets.DialContext,
				MaxIdleConnsPerHost: max(o.Concurrency, 1) * 2,
				IdleConnTimeout:     30 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		deliv: newDeliveryLog(o.LogSize, o.LogBytes),
		held:  make(map[string][]*delivery),
	}
	if e.ctx == nil {
		e.ctx = context.Background()
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if o.Rate > 0 {
		e.limiter = rate.NewLimiter(rate.Limit(o.Rate), 1)
	}
	e.attempts, e.abandon = context.WithCancel(e.ctx)
	e.shards = shardqueue.New(shardqueue.Options[*delivery]{Mu: &e.mu, Shards: o.Concurrency, Work: e.attempt, Done: o.Done})
	return e
}

// Send creates the delivery of n and queues its first attempt; false when
// the account has no payfeedback_url (nothing is pushed) or the engine is
// stopped.
func (e *Engine) Send(n payfeedback.Notification) bool {
	url, _ := e.opts.Host.Target(n.AppID)
	if url == "" {
		e.log.Debug("mockwechat: no payfeedback_url, nothing pushed", "appid", n.AppID, "msgtype", n.MsgType)
		return false
	}
	shard := e.shards.Shard(n.FeedBackID)
	now := e.opts.Sched.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return false
	}
	e.nextID++
	d := &delivery{
		Delivery: Delivery{Ref: Ref{ID: e.nextID, AppID: n.AppID, OpenID: n.OpenID, FeedBackID: n.FeedBackID,
			MsgType: n.MsgType, URL: url}, Created: now},
		n:     n,
		shard: shard,
		gen:   e.gen,
	}
	e.deliv.pending[d.ID] = d
	e.enqueueLocked(d)
	return true
}

// enqueueLocked queues an attempt (e.mu held). Once the engine is stopped
// nothing new is attempted: the delivery stays pending. A delivery from
// before a Reset is forgotten.
func (e *Engine) enqueueLocked(d *delivery) {
	if e.stopped || d.gen != e.gen {
		return
	}
	d.NextAttempt = time.Time{}
	e.shards.PushLocked(d.shard, d)
}

func (e *Engine) enqueue(d *delivery) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.enqueueLocked(d)
}

// later schedules the next attempt of d at t on the fake's clock.
func (e *Engine) later(d *delivery, t time.Time) {
	e.mu.Lock()
	d.NextAttempt = t
	e.mu.Unlock()
	e.opts.Sched.At(t, func() { e.enqueue(d) })
}

// hold keeps d back until the next attempt of another notification of the
// same account, or the first retry delay at the latest.
func (e *Engine) hold(d *delivery) {
	wait := 15 * time.Second
	if len(e.opts.Retry) > 0 {
		wait = e.opts.Retry[0]
	}
	t := e.opts.Sched.Now().Add(wait)
	e.mu.Lock()
	e.held[d.AppID] = append(e.held[d.AppID], d)
	d.NextAttempt = t
	e.mu.Unlock()
	e.opts.Sched.At(t, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		list := e.held[d.AppID]
		for i, h := range list {
			if h == d {
				e.held[d.AppID] = append(list[:i:i], list[i+1:]...)
				e.enqueueLocked(d)
				return
			}
		}
	})
}

// Deliveries returns deep copies of the delivery log by ID: every pending
// delivery and the last finished ones.
func (e *Engine) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deliv.snapshot()
}

// DeliveriesOf returns deep copies of the deliveries that match, by ID;
// only those are copied.
func (e *Engine) DeliveriesOf(match func(*Delivery) bool) []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deliv.matching(match)
}

// Idle reports whether no attempt is queued or being made.
func (e *Engine) Idle() bool { return e.shards.Idle() }

// WaitIdle blocks until no attempt is queued or being made.
func (e *Engine) WaitIdle() { e.shards.WaitIdle() }

// Pending returns how many deliveries are not finished.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.deliv.pending)
}

// Stop makes the engine queue no new attempt: Send refuses, and a retry
// or a held delivery that comes due stays pending. Attempts already
// queued or being made go on: WaitIdle waits for them (the fake's Close
// waits for what was queued before it, then stops).
func (e *Engine) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopped = true
}

// Reset forgets every delivery, pending or finished, and goes on: a
// server's reset. Queued attempts are dropped, attempts being made are
// cancelled (their context ends) and their outcome is not recorded;
// retries already scheduled on the clock find their delivery forgotten
// and do nothing. Delivery IDs go on from where they were, so that a
// reader paging with ?after= is not confused. WaitIdle after Reset waits
// for the cancelled attempts to return.
func (e *Engine) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gen++
	e.abandon()
	e.attempts, e.abandon = context.WithCancel(e.ctx)
	e.shards.DropLocked(nil)
	e.held = make(map[string][]*delivery)
	e.deliv = newDeliveryLog(e.opts.LogSize, e.opts.LogBytes)
}

// current reports whether d is of the engine's generation, and the
// context its attempts run in.
func (e *Engine) current(d *delivery) (context.Context, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.attempts, d.gen == e.gen
}

// Close waits for the shard goroutines and closes idle connections. Call
// it after Stop and WaitIdle.
func (e *Engine) Close() {
	e.shards.Wait()
	e.mu.Lock()
	e.abandon()
	e.mu.Unlock()
	if t, ok := e.client.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}

func (e *Engine) observe(r Report) {
	if e.opts.Observe != nil {
		e.opts.Observe(r)
	}
}

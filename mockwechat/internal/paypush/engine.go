package paypush

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/shardqueue"
)

// Host is what the engine asks the rest of the fake, afresh at each attempt.
type Host interface {
	// Target returns the merchant's callback URL and its APIv3 key now;
	// url "" when the merchant has none (the delivery then fails that
	// attempt with a clear message and is retried on the ladder).
	Target(mchid string) (url, apiv3Key string)
	// Fault takes up one use of a callback fault matching the callback and
	// returns its plan; false when none matches.
	Fault(mchid string, a complaints.ActionType) (Plan, bool)
}

// The defaults of Options.
const (
	// DefaultTimeout bounds one attempt: WeChat's 5 seconds.
	DefaultTimeout = 5 * time.Second
	// DefaultConcurrency is how many callbacks are attempted at once.
	DefaultConcurrency = 8
	// DefaultLogSize and DefaultLogBytes bound the finished deliveries kept.
	DefaultLogSize  = 10000
	DefaultLogBytes = 64 << 20
)

// Options configure New. Host, Sched, Signing and Now are required.
type Options struct {
	Host    Host             // required
	Sched   clock.Scheduler  // required: retries on the fake's clock
	Signing *paykeys.Signing // required: Signing.Callback(now) is the signer of each attempt
	// Targets says where callbacks may go, checked when each connection
	// is made (push.Targets' dial check); nil: loopback only.
	Targets *push.Targets
	// Context bounds attempts; nil: context.Background().
	Context context.Context
	// Retry is the delay before each retry of a failed attempt; nil: the
	// Complaints 2.0 ladder (Ladder).
	Retry []time.Duration
	// Timeout bounds one attempt, real time; 0: DefaultTimeout (5 s,
	// WeChat's limit).
	Timeout time.Duration
	// Concurrency is how many callbacks are attempted at once (0:
	// DefaultConcurrency); callbacks of one complaint are attempted in
	// order.
	Concurrency int
	// LogSize and LogBytes bound the finished deliveries kept (0:
	// DefaultLogSize and DefaultLogBytes); pending ones are all kept.
	LogSize  int
	LogBytes int64
	// Observe hears every attempt and state change; it must not block.
	Observe func(Report)
	// Done hears that an attempt is over, once Idle and Pending count it;
	// it must not block.
	Done func()
	// Logger receives failures; nil: discard.
	Logger *slog.Logger
	// Seed makes the notification ids reproducible (0: drawn at random).
	// The switch mix is drawn by Signing, from its own seed.
	Seed uint64
	// Now is the fake's clock: create_time and Wechatpay-Timestamp.
	// Required.
	Now func() time.Time
	// Transport carries the POSTs (nil: the engine's own, dialling through
	// Targets). Tests give an in-memory one to run in a synctest bubble.
	Transport http.RoundTripper
}

// Engine delivers Complaints 2.0 callbacks and probes: per-complaint
// ordered shards, retries on the fake's clock, faults by plan, and the
// delivery log. Safe for concurrent use.
type Engine struct {
	opts   Options // with the defaults filled in
	ctx    context.Context
	client *http.Client
	log    *slog.Logger
	ids    idSource
	other  func() (*apiv3.Signer, error) // the key no merchant knows, made on first use

	mu      sync.Mutex                   // guards the fields below; a leaf: held for no call out
	shards  *shardqueue.Queue[*delivery] // per-complaint queues of attempts (its Mu is mu)
	deliv   deliveryLog
	counter uint64                 // notification ids made
	seq     uint64                 // deliveries made, for their order
	held    map[string][]*delivery // out-of-order holds, per complaint
	stopped bool
	// gen counts resets: a delivery of an older generation is forgotten,
	// its attempt abandoned (attempts, their context, is cancelled).
	gen      uint64
	attempts context.Context
	abandon  context.CancelFunc
}

// delivery is a Delivery and what the engine needs to go on with it
// (guarded by Engine.mu).
type delivery struct {
	Delivery
	seq   uint64
	shard int
	gen   uint64
	tries int // attempts on the ladder since the notification was (re)sent
	// wait numbers the schedule: an event of the clock (a retry, the end
	// of a hold) acts only if wait is still what it was when scheduled.
	wait    uint64
	queued  bool  // in a shard's queue
	running bool  // being attempted
	again   bool  // resent while being attempted
	carry   *Plan // the rest of an out-of-order fault, for the held attempt
	bytes   int64 // estimated size, once finished
}

func (d *delivery) size() int64 {
	if d.bytes == 0 {
		d.bytes = int64(256 + len(d.ID) + len(d.MchID) + len(d.ComplaintID) + len(d.Plaintext))
		for i := range d.Attempts {
			d.bytes += d.Attempts[i].size()
		}
	}
	return d.bytes
}

// key names the complaint of d: its callbacks are attempted in order, and
// an out-of-order hold waits for the next of them.
func (d *delivery) key() string { return d.MchID + "/" + d.ComplaintID }

// New returns an engine ready to Send, or an error naming the option
// missing.
func New(o Options) (*Engine, error) {
	switch {
	case o.Host == nil:
		return nil, errors.New("paypush: Options.Host is nil: give the fake's view of merchants (callback URL, APIv3 key, faults)")
	case o.Sched == nil:
		return nil, errors.New("paypush: Options.Sched is nil: give the fake's clock.Scheduler (retries run on it)")
	case o.Signing == nil:
		return nil, errors.New("paypush: Options.Signing is nil: give the fake's paykeys.Signing (it picks the key of each callback)")
	case o.Now == nil:
		return nil, errors.New("paypush: Options.Now is nil: give the fake's clock (create_time and Wechatpay-Timestamp)")
	case o.Timeout < 0, o.Concurrency < 0, o.LogSize < 0, o.LogBytes < 0:
		return nil, errors.New("paypush: Options.Timeout, Concurrency, LogSize and LogBytes must not be negative (0: the default)")
	}
	if o.Retry == nil {
		o.Retry = Ladder()
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.LogSize == 0 {
		o.LogSize = DefaultLogSize
	}
	if o.LogBytes == 0 {
		o.LogBytes = DefaultLogBytes
	}
	e := &Engine{opts: o, ctx: o.Context, log: o.Logger, ids: newIDSource(o.Seed), other: sync.OnceValues(newOtherSigner),
		deliv: newDeliveryLog(o.LogSize, o.LogBytes), held: make(map[string][]*delivery)}
	if e.ctx == nil {
		e.ctx = context.Background()
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	transport := o.Transport
	if transport == nil {
		var targets push.Targets // the zero Targets: loopback only
		if o.Targets != nil {
			targets = *o.Targets
		}
		transport = &http.Transport{
			Proxy:               nil,
			DialContext:         targets.DialContext,
			MaxIdleConnsPerHost: o.Concurrency * 2,
			IdleConnTimeout:     30 * time.Second,
		}
	}
	e.client = &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	e.attempts, e.abandon = context.WithCancel(e.ctx)
	e.shards = shardqueue.New(shardqueue.Options[*delivery]{Mu: &e.mu, Shards: o.Concurrency,
		Take: takenLocked, Work: e.attempt, Finish: e.attemptedLocked, Done: o.Done})
	return e, nil
}

// Send queues the callback for c (payworld.Callback) and returns its
// notification id (kept across retries: WeChat's envelope "id"). The
// callbacks of one complaint are attempted in the order sent. Once the
// engine is stopped the delivery is kept pending, not attempted.
func (e *Engine) Send(c payworld.Callback) string {
	plain, err := plaintextOf(c.ComplaintID, c.ActionType)
	if err != nil { // two strings always encode
		e.log.Error("paypush: encoding a callback's plaintext", "err", err)
	}
	return e.queue(Delivery{MchID: c.MchID, ComplaintID: c.ComplaintID, EventType: c.EventType, ActionType: c.ActionType, Plaintext: string(plain)})
}

// SendPlan queues the callback for c as Send does, its first attempt made
// under plan p instead of a fault's (a trigger's overrides: another
// action_type, unknown members, a tampered signature…); its retries and
// resends take faults as any callback's do.
func (e *Engine) SendPlan(c payworld.Callback, p Plan) string {
	plain, err := plaintextOf(c.ComplaintID, c.ActionType)
	if err != nil { // two strings always encode
		e.log.Error("paypush: encoding a callback's plaintext", "err", err)
	}
	return e.queuePlan(e.nextID(), Delivery{MchID: c.MchID, ComplaintID: c.ComplaintID, EventType: c.EventType, ActionType: c.ActionType, Plaintext: string(plain)}, &p)
}

// Probe queues a SIGNTEST probe to the merchant's callback URL now and
// returns its id. A probe is a genuine-looking COMPLAINT.STATE_CHANGE
// callback of a complaint that does not exist, encrypted with the
// merchant's APIv3 key, whose Wechatpay-Signature is WECHATPAY/SIGNTEST/
// and random Base64: the merchant must refuse it (4xx or 5xx). It is sent
// once, never retried, and takes no fault.
func (e *Engine) Probe(mchid string) string {
	id := e.nextID()
	plain, err := plaintextOf(probeComplaintID(id, e.opts.Now()), complaints.ActionUserResponse)
	if err != nil {
		e.log.Error("paypush: encoding a probe's plaintext", "err", err)
	}
	return e.queueAs(id, Delivery{MchID: mchid, EventType: complaints.EventStateChange, ActionType: complaints.ActionUserResponse, Probe: true, Plaintext: string(plain)})
}

// Deliveries returns deep copies of every delivery kept, pending and the
// last finished ones, oldest first.
func (e *Engine) Deliveries() []Delivery {
	return e.DeliveriesOf(func(*Delivery) bool { return true })
}

// DeliveriesOf returns deep copies of the deliveries that match, oldest
// first; only those are copied. match runs with the engine locked: it
// must not call the engine.
func (e *Engine) DeliveriesOf(match func(*Delivery) bool) []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deliv.matching(match)
}

// Delivery returns a deep copy of the delivery of notification id.
func (e *Engine) Delivery(id string) (Delivery, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.deliv.find(id); d != nil {
		return d.Delivery.Clone(), true
	}
	return Delivery{}, false
}

// current reports whether d is of the engine's generation, and the
// context its attempts run in.
func (e *Engine) current(d *delivery) (context.Context, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.attempts, d.gen == e.gen && !e.stopped
}

// refLocked returns the Ref of d's attempt number n (e.mu held).
func (e *Engine) refLocked(d *delivery, n int) Ref {
	return Ref{ID: d.ID, MchID: d.MchID, ComplaintID: d.ComplaintID, ActionType: d.ActionType, Probe: d.Probe, N: n, Of: e.of(d)}
}

// of is how many attempts the ladder allows d.
func (e *Engine) of(d *delivery) int {
	if d.Probe {
		return 1
	}
	return 1 + len(e.opts.Retry)
}

func (e *Engine) observe(r Report) {
	if e.opts.Observe != nil {
		e.opts.Observe(r)
	}
}

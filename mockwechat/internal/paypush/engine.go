package paypush

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
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
	// Timeout bounds one attempt, real time; 0: 5 s (WeChat's limit).
	Timeout time.Duration
	// Concurrency is how many callbacks are attempted at once (0: 8);
	// callbacks of one complaint are attempted in order.
	Concurrency int
	// LogSize and LogBytes bound the finished deliveries kept (0: 10000
	// and 64 MiB); pending ones are all kept.
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
	opts Options
}

// New returns an engine ready to Send, or an error naming the option
// missing.
func New(o Options) (*Engine, error) {
	return nil, errors.New("paypush: not built yet")
}

// Send queues the callback for c (payworld.Callback) and returns its
// notification id (kept across retries: WeChat's envelope "id").
func (e *Engine) Send(c payworld.Callback) string { return "" }

// Probe queues a SIGNTEST probe to the merchant's callback URL now;
// returns its id.
func (e *Engine) Probe(mchid string) string { return "" }

// Resend sends a past notification again, same id and plaintext, newly
// signed; ErrUnknown if none.
func (e *Engine) Resend(id string) (string, error) { return "", ErrUnknown }

// Deliveries returns deep copies of every delivery kept, oldest first.
func (e *Engine) Deliveries() []Delivery { return nil }

// DeliveriesOf returns deep copies of the deliveries that match, oldest
// first; only those are copied.
func (e *Engine) DeliveriesOf(match func(*Delivery) bool) []Delivery { return nil }

// Delivery returns a deep copy of the delivery of notification id.
func (e *Engine) Delivery(id string) (Delivery, bool) { return Delivery{}, false }

// Idle reports whether no attempt is queued or being made.
func (e *Engine) Idle() bool { return true }

// WaitIdle blocks until no attempt is queued or being made.
func (e *Engine) WaitIdle() {}

// Pending returns how many deliveries are not finished.
func (e *Engine) Pending() int { return 0 }

// Stop ends the engine: no new attempt starts, attempts being made are
// abandoned, and it returns once every goroutine of the engine is gone.
func (e *Engine) Stop() {}

// Reset forgets everything (the fake's /_mock/reset).
func (e *Engine) Reset() {}

// Snapshot returns deep copies of every delivery kept, finished and
// pending (for --state).
func (e *Engine) Snapshot() []Delivery { return nil }

// Restore replaces the deliveries with ds; pending ones are rescheduled on
// the fake's clock.
func (e *Engine) Restore(ds []Delivery) error { return nil }

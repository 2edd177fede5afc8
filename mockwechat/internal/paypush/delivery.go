package paypush

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// ErrUnknown is returned by Resend for an id the engine never sent, or
// one it has forgotten (Reset, or trimmed from the delivery log).
var ErrUnknown = errors.New("paypush: no such notification: it was never sent, or the delivery log no longer holds it")

// Delivery is one notification (a complaint callback, or a SIGNTEST probe)
// and every attempt to deliver it to the merchant's callback URL.
type Delivery struct {
	// ID is the notification id: the envelope's "id", 36 characters, the
	// same on every attempt and on a Resend.
	ID    string `json:"id"`
	MchID string `json:"mchid"`
	// ComplaintID is the complaint the callback is about; "" for a probe.
	ComplaintID string                `json:"complaint_id,omitempty"`
	EventType   complaints.EventType  `json:"event_type,omitempty"`
	ActionType  complaints.ActionType `json:"action_type,omitempty"`
	// Probe: a SIGNTEST probe (docs/complaints-v3.md, "Callbacks"), sent
	// once with a signature the merchant must refuse. For a probe,
	// Delivered says the merchant acknowledged it (wrong), Failed that it
	// did not (right when the verdict is "refused").
	Probe bool `json:"probe,omitempty"`
	// Plaintext is the resource before encryption, as the merchant
	// decrypts it ({"complaint_id","action_type"}), for the console. A
	// fault that changes it for one attempt records that attempt's own in
	// Attempt.Plaintext.
	Plaintext string `json:"plaintext"`
	// Queued is when the notification was made, on the fake's clock: the
	// envelope's create_time.
	Queued time.Time `json:"queued"`
	// Delivered: an attempt was answered 2xx within the timeout.
	Delivered bool `json:"delivered"`
	// Failed: every attempt of the ladder failed (a probe: its one attempt
	// was not acknowledged).
	Failed bool `json:"failed"`
	// Attempts lists every attempt, duplicates and dropped ones included,
	// oldest first.
	Attempts []Attempt `json:"attempts"`
	// Next is when the next attempt is due on the fake's clock; zero when
	// none is scheduled.
	Next time.Time `json:"next,omitzero"`
}

// Done reports whether the delivery is finished: delivered or failed.
func (d Delivery) Done() bool { return d.Delivered || d.Failed }

// Clone returns a deep copy of d.
func (d Delivery) Clone() Delivery {
	d.Attempts = slices.Clone(d.Attempts)
	for i := range d.Attempts {
		d.Attempts[i].Headers = maps.Clone(d.Attempts[i].Headers)
	}
	return d
}

// The verdicts of an attempt (Attempt.Verdict).
const (
	// VerdictAcknowledged: the merchant answered 2xx within the timeout;
	// right for a genuine callback, wrong for a probe or a faulted one it
	// should have refused (Attempt.Wrong).
	VerdictAcknowledged = "acknowledged"
	// VerdictRefused: the merchant answered 4xx or 5xx (or another
	// non-2xx status); right for a probe or a callback it cannot verify.
	VerdictRefused = "refused"
	// VerdictNoAnswer: no HTTP answer (connection refused, no callback URL,
	// a target refused, a dropped attempt).
	VerdictNoAnswer = "no answer"
	// VerdictTooSlow: no answer within the timeout (5 s: WeChat counts it
	// failed).
	VerdictTooSlow = "too slow"
)

// Attempt is one POST of a notification (or one not sent: a drop, a
// missing callback URL).
type Attempt struct {
	// Time is when the attempt was made, on the fake's clock.
	Time time.Time `json:"time"`
	// URL is the callback URL it went to ("" when the merchant had none).
	URL string `json:"url"`
	// Headers are the Wechatpay-* headers sent, and Request-ID.
	Headers map[string]string `json:"headers"`
	// Body is the envelope sent (clipped at 64 KiB).
	Body string `json:"body"`
	// Plaintext is the resource of this attempt when a fault changed it
	// (unknown members, another action_type); "" when it is the
	// delivery's.
	Plaintext string `json:"plaintext,omitempty"`
	// Status is the HTTP status answered; 0: no answer.
	Status int `json:"status"`
	// Response is the start of the merchant's answer (clipped at 1 KiB,
	// internal/text.Clip).
	Response string `json:"response"`
	// Latency is the real time the attempt took.
	Latency time.Duration `json:"latency_ns"`
	// Err says why there was no answer, and what to do.
	Err string `json:"error,omitempty"`
	// Fault names the faults this attempt carried ("tamper-signature",
	// "duplicate", "stale 6m0s"…; Plan.String).
	Fault string `json:"fault,omitempty"`
	// Verdict judges the merchant's answer: "acknowledged" (2xx; for a
	// probe: wrong, a probe must be refused), "refused" (4xx/5xx; for a
	// probe: right), "no answer", "too slow" (over 5 s: WeChat counts it
	// failed).
	Verdict string `json:"verdict"`
	// Copy: the second of two identical requests sent at once (a
	// duplicate fault); it does not count on the ladder.
	Copy bool `json:"copy,omitempty"`
	// Wrong: the merchant acknowledged what a verifying merchant refuses
	// (a probe, a tampered signature or body, a stale timestamp, another
	// key).
	Wrong bool `json:"wrong,omitempty"`
}

// size estimates the memory an attempt takes, for the log's byte budget.
func (a *Attempt) size() int64 {
	n := 160 + len(a.URL) + len(a.Body) + len(a.Plaintext) + len(a.Response) + len(a.Err) + len(a.Fault) + len(a.Verdict)
	for k, v := range a.Headers {
		n += 32 + len(k) + len(v)
	}
	return int64(n)
}

// Report is what the engine tells its observer: an attempt made, or a
// delivery's state changed.
type Report struct {
	Delivery Ref
	// Attempt is the attempt made (Phase PhaseAttempt), nil otherwise.
	Attempt *Attempt
	Phase   Phase
}

// Ref names a delivery in a Report.
type Ref struct {
	ID, MchID, ComplaintID string
	ActionType             complaints.ActionType
	Probe                  bool
	// N is the attempt's number on the ladder, from 1 (for PhaseQueued,
	// the number of the attempt queued); Of how many the ladder allows
	// (1 + retries; 1 for a probe).
	N, Of int
}

// Phase is what a Report tells.
type Phase string

// The phases.
const (
	// PhaseQueued: an attempt is queued (a new notification, a Resend, a
	// retry scheduled on the fake's clock at Delivery.Next).
	PhaseQueued Phase = "queued"
	// PhaseHeld: an out-of-order fault holds the notification back until
	// the complaint's next callback is sent.
	PhaseHeld Phase = "held"
	// PhaseAttempt: an attempt was made (Report.Attempt).
	PhaseAttempt Phase = "attempt"
	// PhaseDelivered: the merchant acknowledged the notification.
	PhaseDelivered Phase = "delivered"
	// PhaseFailed: the ladder is exhausted (a probe: not acknowledged).
	PhaseFailed Phase = "failed"
)

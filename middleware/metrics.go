package middleware

import (
	"errors"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Metrics receives what the middleware did with each request, for counters
// and latency histograms (examples/metrics exposes them to Prometheus).
// Observe runs on the request path: it must be safe for concurrent use,
// quick, and must not block. The middleware calls it without allocating.
type Metrics interface {
	Observe(Observation)
}

// MetricsFunc adapts a function to Metrics.
type MetricsFunc func(Observation)

// Observe implements Metrics by calling f.
func (f MetricsFunc) Observe(o Observation) { f(o) }

// Outcome is what became of a request, or of the replay memory.
type Outcome uint8

// The outcomes an Observation reports.
const (
	// OutcomeAccepted: a new notification, handled by the next handler,
	// which succeeded (2xx).
	OutcomeAccepted Outcome = iota + 1
	// OutcomeDuplicate: an exact re-delivery of a notification already
	// handled, acknowledged without running the handler.
	OutcomeDuplicate
	// OutcomeRefused: answered through the ErrorHandler before the handler
	// ran; Observation.Err and Reason say why.
	OutcomeRefused
	// OutcomeHandlerError: the next handler ran and did not succeed (any
	// status but 2xx, or a panic); the sender will deliver again.
	OutcomeHandlerError
	// OutcomeReplayDegraded: not a request. The replay store was full and
	// forgot a notification still inside the freshness window, which would
	// be handled again if replayed: size the store (MemoryOptions.MaxEntries).
	OutcomeReplayDegraded
)

// String returns the outcome's name, fit for a metric label.
func (o Outcome) String() string {
	switch o {
	case OutcomeAccepted:
		return "accepted"
	case OutcomeDuplicate:
		return "duplicate"
	case OutcomeRefused:
		return "refused"
	case OutcomeHandlerError:
		return "handler_error"
	case OutcomeReplayDegraded:
		return "replay_degraded"
	}
	return "invalid"
}

// Observation is one request's outcome, or a degradation of the replay
// memory (OutcomeReplayDegraded).
type Observation struct {
	// Outcome is what happened.
	Outcome Outcome
	// Status is the HTTP status answered (0 for OutcomeReplayDegraded).
	Status int
	// Err is the *Error of a refusal (errors.Is tells its class; Reason
	// names it); nil otherwise.
	Err error
	// AppID is the notification's AppId; "" when the body could not be
	// decoded.
	AppID string
	// MsgType is the notification's MsgType; "" when the body could not be
	// decoded.
	MsgType payfeedback.MsgType
	// SharedSignature is true when the notification's AppSignature had
	// been used by one with other unsigned fields and it was taken anyway
	// (AcceptSharedSignature): count it, it is either a coincidence or a
	// forgery (see SharedSignaturePolicy).
	SharedSignature bool
	// Latency is the time the middleware spent on the request, the next
	// handler included (0 for OutcomeReplayDegraded).
	Latency time.Duration
}

// Reason names the class of a refusal in a few stable words, fit for a
// metric label: "bad_signature", "too_old", "signature_reused",
// "store_full", "store_unavailable", … ("other" for an unclassified error
// such as a failed body read; "" when Err is nil).
func (o Observation) Reason() string {
	if o.Err == nil {
		return ""
	}
	return reasonOf(o.Err)
}

func reasonOf(err error) string {
	// In the order they are tested: ErrMissingSignature before
	// ErrMissingElement, which it wraps; ErrStoreFull before
	// ErrStoreUnavailable, which wraps it.
	reasons := [...]struct {
		err   error
		label string
	}{
		{ErrMethodNotAllowed, "method_not_allowed"},
		{payfeedback.ErrTooLarge, "too_large"},
		{payfeedback.ErrMissingSignature, "missing_signature"},
		{payfeedback.ErrMalformed, "malformed"},
		{payfeedback.ErrNotXMLRoot, "not_xml_root"},
		{payfeedback.ErrDOCTYPE, "doctype"},
		{payfeedback.ErrMissingElement, "missing_element"},
		{payfeedback.ErrBadTimestamp, "bad_timestamp"},
		{payfeedback.ErrUnknownMsgType, "unknown_msgtype"},
		{payfeedback.ErrConflictingElement, "conflicting_element"},
		{payfeedback.ErrUnknownSignMethod, "unknown_sign_method"},
		{ErrUnknownApp, "unknown_app"},
		{ErrKeysUnavailable, "keys_unavailable"},
		{payfeedback.ErrEmptyKey, "empty_key"},
		{payfeedback.ErrBadSignature, "bad_signature"},
		{ErrTooOld, "too_old"},
		{ErrTooNew, "too_new"},
		{ErrSignatureReused, "signature_reused"},
		{ErrInFlight, "in_flight"},
		{ErrStoreFull, "store_full"},
		{ErrStoreUnavailable, "store_unavailable"},
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.label
		}
	}
	return "other"
}

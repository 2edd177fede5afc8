package callback

import (
	"errors"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// Metrics receives what the middleware did with each request, for counters
// and latency histograms. Observe runs on the request path: it must be safe
// for concurrent use, quick, and must not block.
type Metrics interface {
	Observe(Observation)
}

// MetricsFunc adapts a function to Metrics.
type MetricsFunc func(Observation)

// Observe implements Metrics by calling f.
func (f MetricsFunc) Observe(o Observation) { f(o) }

// Outcome is what became of a request.
type Outcome uint8

// The outcomes an Observation reports.
const (
	// OutcomeAccepted: a new callback, handled by the next handler, which
	// succeeded (2xx).
	OutcomeAccepted Outcome = iota + 1
	// OutcomeDuplicate: a retry of a callback already handled,
	// acknowledged without running the handler.
	OutcomeDuplicate
	// OutcomeRefused: answered through the ErrorHandler before the
	// handler ran; Observation.Err and Reason say why.
	OutcomeRefused
	// OutcomeHandlerError: the next handler ran and did not succeed (any
	// status but 2xx, or a panic); WeChat will retry.
	OutcomeHandlerError
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
	}
	return "invalid"
}

// Observation is one request's outcome.
type Observation struct {
	Outcome Outcome
	// Status is the HTTP status answered.
	Status int
	// Err is the *Error of a refusal; nil otherwise.
	Err error
	// EventType and ActionType are the callback's, once decrypted ("" before).
	EventType  complaints.EventType
	ActionType complaints.ActionType
	// Serial is the Wechatpay-Serial received ("" when absent).
	Serial string
	// Latency is the time the middleware spent, the next handler included.
	Latency time.Duration
}

// Reason names the class of a refusal in a few stable words, fit for a
// metric label: "bad_signature", "probe", "unknown_serial", "too_old", … ;
// "other" for an unclassified error, "" when Err is nil.
func (o Observation) Reason() string { return reasonOf(o.Err) }

func reasonOf(err error) string {
	if err == nil {
		return ""
	}
	// In order: ErrSignatureProbe before ErrBadSignature, which it matches.
	reasons := [...]struct {
		err   error
		label string
	}{
		{ErrMethodNotAllowed, "method_not_allowed"},
		{ErrTooLarge, "too_large"},
		{ErrReadBody, "read_body"},
		{apiv3.ErrMissingHeader, "missing_header"},
		{apiv3.ErrSignatureType, "signature_type"},
		{apiv3.ErrMalformedTimestamp, "bad_timestamp"},
		{apiv3.ErrTooOld, "too_old"},
		{apiv3.ErrTooNew, "too_new"},
		{apiv3.ErrSignatureProbe, "probe"},
		{apiv3.ErrUnknownSerial, "unknown_serial"},
		{apiv3.ErrCertificateExpired, "certificate_expired"},
		{apiv3.ErrBadSignature, "bad_signature"},
		{apiv3.ErrMalformedNotification, "malformed"},
		{apiv3.ErrAlgorithm, "algorithm"},
		{apiv3.ErrDecrypt, "decrypt"},
		{complaints.ErrInvalidEvent, "invalid_event"},
		{ErrNotComplaint, "not_complaint"},
		{ErrInFlight, "in_flight"},
		{ErrStoreUnavailable, "store_unavailable"},
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.label
		}
	}
	return "other"
}

package callback

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// Sentinel errors of the middleware's own checks. Every refusal reaches
// the ErrorHandler as an *Error whose Err wraps one of these or one of
// apiv3's (ErrBadSignature, ErrSignatureProbe, ErrUnknownSerial, ErrTooOld,
// ErrDecrypt, ErrMalformedNotification, …) or complaints.ErrInvalidEvent,
// so callers classify refusals with errors.Is.
var (
	// ErrMethodNotAllowed: the request is not a POST (405).
	ErrMethodNotAllowed = errors.New("callback: method not allowed: WeChat POSTs callbacks")
	// ErrTooLarge: the body is larger than Config.MaxBodySize (413).
	ErrTooLarge = errors.New("callback: body too large")
	// ErrReadBody: the body could not be read (400).
	ErrReadBody = errors.New("callback: reading the body failed")
	// ErrNotComplaint: the callback is genuine but its event_type is not a
	// complaint's (COMPLAINT.*): another product's callback sent to this
	// URL (400; WeChat retries it, so fix the URL registered for that
	// product).
	ErrNotComplaint = errors.New("callback: not a complaint callback")
	// ErrInFlight: an identical callback is still being handled and did
	// not finish within Config.InFlightWait (503 with Retry-After).
	ErrInFlight = errors.New("callback: an identical callback is still being handled")
	// ErrStoreUnavailable: the ReplayStore failed (503 with Retry-After:
	// WeChat retries; nothing is lost).
	ErrStoreUnavailable = errors.New("callback: replay store failed")
	// ErrNoEvent: the Dispatcher was reached without the middleware in
	// front of it (500).
	ErrNoEvent = errors.New("callback: no verified event in the request context")
	// ErrHandler: a Dispatcher's handler returned an error (500: WeChat
	// retries).
	ErrHandler = errors.New("callback: event handler failed")
)

// Error is a refusal: the HTTP status to answer, a one-line reason safe to
// send back (it never holds a key or a decrypted field), and the error
// behind it.
type Error struct {
	// Status is the HTTP status code to answer (4xx or 5xx: WeChat retries
	// any answer but 200 and 204).
	Status int
	// Reason is one line for WeChat's delivery log and the merchant's,
	// without secrets.
	Reason string
	// Err wraps the sentinel error (errors.Is works through Error).
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := "callback: " + strconv.Itoa(e.Status) + " " + e.Reason
	if e.Err != nil && e.Err.Error() != e.Reason {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns Err, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// failure is the body WeChat documents for a refused callback.
type failure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// DefaultErrorHandler answers err as WeChat documents a refusal: the
// *Error's status and the JSON body {"code":"FAIL","message":Reason}
// (500 and "internal error" for any other error, whose text may come from
// user code and is not sent). Headers set before (Allow, Retry-After) are
// kept.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	status, reason := http.StatusInternalServerError, "internal error"
	var e *Error
	if errors.As(err, &e) {
		status, reason = e.Status, e.Reason
	}
	body, _ := json.Marshal(failure{Code: "FAIL", Message: reason})
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// acknowledge answers an accepted callback: 204, no body, as WeChat
// documents ("HTTP应答状态码需返回200或204，无需返回应答报文").
func acknowledge(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// setRetryAfter asks WeChat to retry in a second (503 answers).
func setRetryAfter(w http.ResponseWriter) {
	w.Header()["Retry-After"] = []string{"1"}
}

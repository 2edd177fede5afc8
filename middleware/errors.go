package middleware

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Sentinel errors of the checks the payfeedback package does not define
// itself. Every refusal reaches the ErrorHandler as an *Error whose Err wraps
// one of these or one of the payfeedback sentinels (ErrMalformed,
// ErrBadSignature, …), so callers test the class with errors.Is.
var (
	// ErrMethodNotAllowed: the request is not a POST (405).
	ErrMethodNotAllowed = errors.New("middleware: method not allowed: WeChat POSTs notifications")
	// ErrUnknownApp: the resolver knows no paySignKey for the AppId (403).
	ErrUnknownApp = errors.New("middleware: unknown AppId: no paySignKey configured for it")
	// ErrKeysUnavailable: the KeyResolver failed for another reason than an
	// unknown AppId (503 with Retry-After: the sender retries later).
	ErrKeysUnavailable = errors.New("middleware: paySignKey lookup failed")
	// ErrTooOld: the TimeStamp is older than Config.MaxAge (401).
	ErrTooOld = errors.New("middleware: TimeStamp too old")
	// ErrTooNew: the TimeStamp is further in the future than
	// Config.MaxFuture (401).
	ErrTooNew = errors.New("middleware: TimeStamp in the future")
	// ErrSignatureReused: the AppSignature was already seen with different
	// unsigned fields (MsgType, FeedBackId, …) within the freshness window:
	// one of the two copies was altered (409).
	ErrSignatureReused = errors.New("middleware: AppSignature already used with different unsigned fields")
	// ErrInFlight: an identical copy is still being handled and did not
	// finish within Config.InFlightWait (503 with Retry-After).
	ErrInFlight = errors.New("middleware: an identical notification is still being handled")
	// ErrStoreUnavailable: the ReplayStore failed (503 with Retry-After:
	// the sender retries; nothing is lost).
	ErrStoreUnavailable = errors.New("middleware: replay store failed")
	// ErrStoreFull: the ReplayStore is full of notifications still inside
	// their freshness window and would have to forget one to take this one
	// (503 with Retry-After: the sender retries; nothing is handled twice).
	// A store's Claim reports it by an error wrapping it, such as a
	// *StoreFullError; the middleware's error wraps ErrStoreUnavailable
	// too.
	ErrStoreFull = errors.New("middleware: replay store full")
	// ErrNoNotification: the Dispatcher was reached without the middleware
	// in front of it (500).
	ErrNoNotification = errors.New("middleware: no verified notification in the request context")
	// ErrNoHandler: the Dispatcher has no handler for the notification's
	// MsgType (501).
	ErrNoHandler = errors.New("middleware: no handler for this MsgType")
	// ErrHandler: the Dispatcher's handler returned an error (500).
	ErrHandler = errors.New("middleware: notification handler failed")
)

// StoreFullError is the error of a ReplayStore that refuses a new key
// because it is full (errors.Is(err, ErrStoreFull)). RetryAfter says when
// the first entry leaves the store; the middleware answers it in
// Retry-After, in whole seconds.
type StoreFullError struct {
	// RetryAfter is how long until the store expects room (at least a
	// second, from MemoryStore).
	RetryAfter time.Duration
}

// Error implements error.
func (e *StoreFullError) Error() string {
	return "middleware: replay store full of fresh notifications: room in " + e.RetryAfter.Round(time.Second).String() +
		"; raise the store's capacity"
}

// Is reports whether target is ErrStoreFull.
func (e *StoreFullError) Is(target error) bool { return target == ErrStoreFull }

// Error is a refusal: the HTTP status to answer, a one-line reason safe to
// send back (it never holds a key), and the error behind it.
type Error struct {
	// Status is the HTTP status code to answer.
	Status int
	// Reason is one line for the sender, without secrets.
	Reason string
	// Err wraps the sentinel error (errors.Is works through Error).
	Err error
	// RetryAfter, on a 503, is when the sender should try again; the
	// middleware sends it as Retry-After, in whole seconds.
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	msg := "middleware: " + strconv.Itoa(e.Status) + " " + e.Reason
	if e.Err != nil && e.Err.Error() != e.Reason {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns Err, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// DefaultErrorHandler answers err as plain text: the *Error's Status and
// Reason, or 500 "internal error" for any other error (its text is not sent,
// since it may come from user code). Headers the middleware set before
// calling it (Allow, Retry-After) are kept.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	status, reason := http.StatusInternalServerError, "internal error"
	var e *Error
	if errors.As(err, &e) {
		status, reason = e.Status, e.Reason
	}
	// Fresh header values: a wrapping middleware that edits one in place
	// edits this response only.
	h := w.Header()
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(reason + "\n"))
}

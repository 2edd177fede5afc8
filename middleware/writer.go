package middleware

import (
	"context"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

// writeSuccess answers WeChat's "success". The header value is a fresh
// slice: a wrapping middleware editing it in place edits this response
// only.
func writeSuccess(w http.ResponseWriter) {
	w.Header()["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(successMsg)
}

// successMsg is the body of writeSuccess. Sharing it is safe: an io.Writer
// must not modify the slice it is given.
var successMsg = []byte("success")

// setRetryAfter asks the sender to retry in a second (503 answers).
func setRetryAfter(w http.ResponseWriter) {
	w.Header()["Retry-After"] = []string{"1"}
}

// handlerState is what the middleware hands to the next handler, and the
// detached context it records the outcome with, in one allocation.
type handlerState struct {
	ctx      notificationContext
	sw       statusWriter
	detached detachedContext
}

// detachedContext is context.WithoutCancel of the request's context: the
// outcome is recorded in the store even when the sender hung up meanwhile.
// It lives in handlerState, so it costs no allocation of its own.
type detachedContext struct {
	parent context.Context
}

func (detachedContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (detachedContext) Done() <-chan struct{}       { return nil }
func (detachedContext) Err() error                  { return nil }
func (c *detachedContext) Value(key any) any        { return c.parent.Value(key) }
func (c *detachedContext) String() string           { return "payfeedback detached request context" }

// notificationContext carries the verified notification under contextKey;
// it is context.WithValue's job, fused with the statusWriter's allocation.
type notificationContext struct {
	context.Context
	n *payfeedback.Notification
}

// Value implements context.Context.
func (c *notificationContext) Value(key any) any {
	if key == (contextKey{}) {
		return c.n
	}
	return c.Context.Value(key)
}

func (c *notificationContext) String() string {
	return "payfeedback notification context"
}

// statusWriter records the status the next handler answers.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush,
// deadlines, …).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

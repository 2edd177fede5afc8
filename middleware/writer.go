package middleware

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// writeSuccess answers WeChat's "success": status 200, and the body from
// one shared slice. It never touches the headers: net/http then sniffs the
// Content-Type ("text/plain; charset=utf-8" for this body, as for an empty
// handler writing it), whereas setting one makes net/http copy the header
// map when the status is written, an allocation and a map per answer.
// TestSuccessOverHTTP holds the answer's headers.
func writeSuccess(w http.ResponseWriter) {
	_, _ = w.Write(successMsg)
}

// successMsg is the body of writeSuccess. Sharing it is safe: an io.Writer
// must not modify the slice it is given.
var successMsg = []byte("success")

// setRetryAfter asks the sender to retry after d (a 503), in whole
// seconds, at least one.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	secs := int64((d + time.Second - 1) / time.Second)
	if secs <= 1 {
		w.Header()["Retry-After"] = []string{"1"}
		return
	}
	w.Header()["Retry-After"] = []string{strconv.FormatInt(secs, 10)}
}

// detachedContext is context.WithoutCancel of the request's context: the
// outcome is recorded in the store even when the sender hung up meanwhile.
// It lives in the request's state, so it costs no allocation of its own.
type detachedContext struct {
	parent context.Context
}

func (detachedContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (detachedContext) Done() <-chan struct{}       { return nil }
func (detachedContext) Err() error                  { return nil }
func (c *detachedContext) Value(key any) any        { return c.parent.Value(key) }
func (c *detachedContext) String() string           { return "payfeedback detached request context" }

// notificationContext carries the verified notification under contextKey
// and the request's state under stateKey; it is context.WithValue's job,
// fused with the request's allocation.
type notificationContext struct {
	context.Context
	st *request
}

// Value implements context.Context.
func (c *notificationContext) Value(key any) any {
	switch key {
	case contextKey{}:
		return c.st.n
	case stateKey{}:
		return c.st
	}
	return c.Context.Value(key)
}

func (c *notificationContext) String() string {
	return "payfeedback notification context"
}

// stateKey finds the request's state in its context: a Dispatcher behind
// the middleware leaves the cause of a failure there.
type stateKey struct{}

// stateFrom returns the state of the request of ctx, or nil.
func stateFrom(ctx context.Context) *request {
	st, _ := ctx.Value(stateKey{}).(*request)
	return st
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

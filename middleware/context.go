package middleware

import (
	"context"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

// contextKey is the unexported type of the context key, so no other package
// can set or read the value except through FromContext and NewContext.
type contextKey struct{}

// FromContext returns the verified notification the middleware put in the
// request's context, or nil when there is none.
func FromContext(ctx context.Context) *payfeedback.Notification {
	n, _ := ctx.Value(contextKey{}).(*payfeedback.Notification)
	return n
}

// NewContext returns a copy of ctx carrying n, as the middleware does after
// verifying it. It exists to test handlers (such as a Dispatcher's) without
// signing documents; the middleware is what guarantees that n is verified.
func NewContext(ctx context.Context, n *payfeedback.Notification) context.Context {
	return context.WithValue(ctx, contextKey{}, n)
}

// SharedSignature reports whether the notification in ctx was handled
// although its AppSignature had been used by a notification with other
// unsigned fields (Config.SharedSignature AcceptSharedSignature): two
// genuine notifications of one user in one second, or a forged copy. A
// handler may check such a notification against its own records before
// acting on it (see SharedSignaturePolicy). False outside the middleware.
func SharedSignature(ctx context.Context) bool {
	st := stateFrom(ctx)
	return st != nil && st.claim.shared
}

// reqState is what the middleware keeps for one notification, in one
// allocation: the notification (n points to note) with room for its
// pictures, the claim and the bytes of its key, the context handed to the
// next handler and the detached one the outcome is recorded with, the
// writer recording the status, and the cause of a Dispatcher's failure.
// With the notification's values (one string, see Notification.Own) that
// is the request's second and last allocation behind a Dispatcher.
type reqState struct {
	n        *payfeedback.Notification
	note     payfeedback.Notification
	pics     [payfeedback.MaxPictures]string
	claim    Claim
	keyBuf   [keyBufSize]byte
	ctx      notificationContext
	detached detachedContext
	sw       statusWriter
	cause    *Error
}

// notificationContext carries the verified notification under contextKey
// and the request's state under stateKey; it is context.WithValue's job,
// fused with the request's allocation.
type notificationContext struct {
	context.Context
	st *reqState
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
func stateFrom(ctx context.Context) *reqState {
	st, _ := ctx.Value(stateKey{}).(*reqState)
	return st
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

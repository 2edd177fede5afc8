package middleware

import (
	"context"

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

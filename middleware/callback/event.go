package callback

import (
	"context"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// Event is a verified, decrypted complaint callback: the envelope WeChat
// signed, and the decrypted resource, which names the complaint and what
// happened to it. It carries nothing else of the complaint: fetch the
// detail (complaints.Client) before acting, and treat the detail, not the
// order of callbacks, as the truth of the complaint's state.
type Event struct {
	// Notification is the envelope: ID (kept across WeChat's retries),
	// CreateTime, EventType, Summary, and the encrypted Resource.
	apiv3.Notification
	// Event is the decrypted resource: ComplaintID, ActionType, and Raw,
	// the plaintext with any member this kit does not declare.
	complaints.Event
	// Serial is the Wechatpay-Serial of the key that signed: a public key
	// id or a platform certificate's serial (which one, during WeChat's
	// switch, is worth a log line and a metric label).
	Serial string
}

// Type returns the envelope's event type, typed.
func (e *Event) Type() complaints.EventType { return complaints.EventType(e.EventType) }

type contextKey struct{}

// FromContext returns the event the middleware verified for this request,
// or nil when the request did not pass through it.
func FromContext(ctx context.Context) *Event {
	e, _ := ctx.Value(contextKey{}).(*Event)
	return e
}

// eventContext carries the event under contextKey: context.WithValue's
// job, fused with the request's other per-request state.
type eventContext struct {
	context.Context
	e *Event
}

func (c *eventContext) Value(key any) any {
	if key == (contextKey{}) {
		return c.e
	}
	return c.Context.Value(key)
}

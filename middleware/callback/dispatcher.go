package callback

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/payfeedback/payfeedback/complaints"
)

// HandlerFunc handles one verified complaint event.
type HandlerFunc func(ctx context.Context, e *Event) error

// Dispatcher is the handler to put behind the middleware: it calls the
// function registered for the event's action type and answers 204 when it
// returns nil.
//
// Register a type under either spelling WeChat uses: a handler for
// USER_APPLY_PLATFORM_SERVICE also receives USER_APPLY_PLATFORM_SERIVCE
// (complaints.ActionType.Canonical). A type nobody registered goes to
// Default, as WeChat advises ("对于非关注的动作类型，建议走统一的默认流程并增加监控");
// without a Default it is acknowledged and logged, never refused: WeChat
// adds action types, and refusing one would have it retried for a week.
//
// A function's error is answered 500 (or, when it is an *Error with a
// status of 400 or more, that status and reason): WeChat retries, and the
// middleware runs the function again for the retry, so nothing is lost.
// The error's text is logged, never sent.
//
// Callbacks carry only the complaint's id: a handler fetches the detail
// (complaints.Client.Detail) and acts on what it says, since callbacks may
// arrive out of order.
type Dispatcher struct {
	// Handlers maps an action type to its handler.
	Handlers map[complaints.ActionType]HandlerFunc
	// Default handles every action type without a handler (nil:
	// acknowledge and log at Info).
	Default HandlerFunc
	// ErrorHandler answers failures (nil: DefaultErrorHandler).
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the functions' errors and the unrouted types (nil:
	// slog.Default()).
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (d *Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e := FromContext(ctx)
	if e == nil {
		d.fail(w, r, &Error{Status: http.StatusInternalServerError,
			Reason: "dispatcher mounted without the callback middleware", Err: ErrNoEvent})
		return
	}
	fn := d.handler(e.ActionType)
	if fn == nil {
		d.logger().LogAttrs(ctx, slog.LevelInfo, "payfeedback: complaint callback with no handler for its action type, acknowledged",
			slog.String("id", e.ID), slog.String("complaint_id", e.ComplaintID), slog.String("action_type", string(e.ActionType)))
		acknowledge(w)
		return
	}
	if err := fn(ctx, e); err != nil {
		fe := &Error{Status: http.StatusInternalServerError, Reason: "event handler failed: WeChat will retry", Err: errors.Join(ErrHandler, err)}
		var ue *Error
		if errors.As(err, &ue) && ue.Status >= 400 && ue.Status <= 599 {
			fe.Status, fe.Reason = ue.Status, ue.Reason
		}
		d.logger().LogAttrs(ctx, slog.LevelError, "payfeedback: complaint event handler failed",
			slog.String("id", e.ID), slog.String("complaint_id", e.ComplaintID), slog.String("action_type", string(e.ActionType)),
			slog.Int("status", fe.Status), slog.String("error", err.Error()))
		d.fail(w, r, fe)
		return
	}
	acknowledge(w)
}

// handler returns the function for a, under its own or its canonical
// spelling, or Default.
func (d *Dispatcher) handler(a complaints.ActionType) HandlerFunc {
	if fn := d.Handlers[a]; fn != nil {
		return fn
	}
	for k, fn := range d.Handlers {
		if fn != nil && k.Canonical() == a.Canonical() {
			return fn
		}
	}
	return d.Default
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

func (d *Dispatcher) fail(w http.ResponseWriter, r *http.Request, e *Error) {
	if d.ErrorHandler != nil {
		d.ErrorHandler(w, r, e)
		return
	}
	DefaultErrorHandler(w, r, e)
}

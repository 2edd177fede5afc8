package middleware

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/payfeedback/payfeedback"
)

// Dispatcher is the handler to put behind the middleware: it calls the
// function for the notification's MsgType and answers 200 "success" when it
// returns nil.
//
// A function's error is answered 500 (or, when it is an *Error with a status
// of 400 or more, that status and reason): the sender delivers again later,
// and the middleware runs the function again for that copy, so nothing is
// lost. The error's text is logged, never sent. A MsgType without a function
// is answered 501 for the same reason: to ignore a kind on purpose, give a
// function that returns nil.
//
// The functions receive the request's context and the verified
// notification; they should be idempotent by FeedBackId and MsgType, since
// WeChat may re-send a notification re-signed with a new TimeStamp, which the
// middleware cannot tell from a new one.
type Dispatcher struct {
	// OnRequest handles a new complaint (MsgType request).
	OnRequest func(ctx context.Context, n *payfeedback.Notification) error
	// OnConfirm handles the user's confirmation that the complaint is
	// resolved (MsgType confirm).
	OnConfirm func(ctx context.Context, n *payfeedback.Notification) error
	// OnReject handles the user's rejection of the merchant's handling
	// (MsgType reject).
	OnReject func(ctx context.Context, n *payfeedback.Notification) error
	// ErrorHandler answers failures (nil: DefaultErrorHandler); err is an
	// *Error wrapping ErrNoNotification, ErrNoHandler or ErrHandler (and
	// the function's error).
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the functions' errors. Nil, behind the middleware:
	// the middleware's record of the failure carries the error, to
	// middleware.Config.Logger (or the default logging), so one logger
	// configuration covers both. Nil without the middleware: nothing is
	// logged.
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (d Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	n := FromContext(ctx)
	if n == nil {
		d.fail(w, r, &Error{Status: http.StatusInternalServerError,
			Reason: "dispatcher mounted without the payfeedback middleware", Err: ErrNoNotification})
		return
	}
	if e := d.handle(ctx, n); e != nil {
		if st := stateFrom(ctx); st != nil {
			st.cause = e // the middleware logs the failure with it
		}
		d.fail(w, r, e)
		return
	}
	writeSuccess(w)
}

// handle calls the function for n's MsgType: nil when it succeeded, else
// the *Error to answer.
func (d Dispatcher) handle(ctx context.Context, n *payfeedback.Notification) *Error {
	var fn func(context.Context, *payfeedback.Notification) error
	switch n.MsgType {
	case payfeedback.MsgRequest:
		fn = d.OnRequest
	case payfeedback.MsgConfirm:
		fn = d.OnConfirm
	case payfeedback.MsgReject:
		fn = d.OnReject
	}
	if fn == nil {
		if d.Logger != nil {
			d.Logger.LogAttrs(ctx, slog.LevelError, "payfeedback: no handler for this MsgType: set one (a func returning nil ignores the kind)",
				notificationAttrs(n)...)
		}
		return &Error{Status: http.StatusNotImplemented,
			Reason: "no handler for MsgType " + string(n.MsgType), Err: ErrNoHandler}
	}
	err := fn(ctx, n)
	if err == nil {
		return nil
	}
	e := &Error{Status: http.StatusInternalServerError, Reason: "notification handler failed: will retry", Err: errors.Join(ErrHandler, err)}
	var ue *Error
	if errors.As(err, &ue) && ue.Status >= 400 && ue.Status <= 599 {
		e.Status, e.Reason = ue.Status, ue.Reason
	}
	if d.Logger != nil {
		d.Logger.LogAttrs(ctx, slog.LevelError, "payfeedback: notification handler failed",
			append(notificationAttrs(n), slog.Int("status", e.Status), slog.String("error", err.Error()))...)
	}
	return e
}

func (d Dispatcher) fail(w http.ResponseWriter, r *http.Request, e *Error) {
	if d.ErrorHandler != nil {
		d.ErrorHandler(w, r, e)
		return
	}
	DefaultErrorHandler(w, r, e)
}

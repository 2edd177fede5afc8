package middleware

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
)

// notificationAttrs names a notification in logs: no key, no body, no
// OpenId (personal data).
func notificationAttrs(n *payfeedback.Notification) []slog.Attr {
	return []slog.Attr{
		slog.String("appid", n.AppID),
		slog.String("msgtype", string(n.MsgType)),
		slog.String("feedbackid", n.FeedBackID),
	}
}

// causeText is the text of the error behind a Dispatcher's failure: the
// function's own error, without the ErrHandler it is joined with.
func causeText(e *Error) string {
	if u, ok := e.Err.(interface{ Unwrap() []error }); ok {
		if errs := u.Unwrap(); len(errs) == 2 && errs[0] == ErrHandler {
			return errs[1].Error()
		}
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Reason
}

// causeLimiter lets through one record per cause a minute, counting the
// others.
type causeLimiter struct {
	mu    sync.Mutex // guards causes
	cause map[string]*causeWindow
}

type causeWindow struct {
	since      time.Time // when the last record of the cause was let through
	suppressed int       // records left out since
}

func newCauseLimiter() *causeLimiter {
	return &causeLimiter{cause: make(map[string]*causeWindow)}
}

// allow reports whether a record of cause may be logged at now, and how
// many were left out since the last one.
func (l *causeLimiter) allow(cause string, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.cause[cause]
	if w == nil {
		l.cause[cause] = &causeWindow{since: now}
		return true, 0
	}
	if now.Sub(w.since) < time.Minute && !now.Before(w.since) {
		w.suppressed++
		return false, 0
	}
	n := w.suppressed
	w.since, w.suppressed = now, 0
	return true, n
}

// defaultHandler is a slog.Handler writing to slog.Default()'s handler of
// the moment, so that a program setting its default logger after New is
// heard.
type defaultHandler struct{}

func (defaultHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return slog.Default().Handler().Enabled(ctx, level)
}

func (defaultHandler) Handle(ctx context.Context, r slog.Record) error {
	return slog.Default().Handler().Handle(ctx, r)
}

func (h defaultHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return slog.Default().Handler().WithAttrs(attrs)
}

func (h defaultHandler) WithGroup(name string) slog.Handler {
	return slog.Default().Handler().WithGroup(name)
}

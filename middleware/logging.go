package middleware

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

// reporter answers refusals and reports every outcome: to the error
// handler, to the logger (or the default logging) and to Metrics.
type reporter struct {
	onError func(http.ResponseWriter, *http.Request, error)
	log     *slog.Logger  // Config.Logger; nil: quiet instead
	quiet   *causeLimiter // the default logging, when log is nil
	metrics Metrics       // nil: no observations, no latency clock
}

// refuse logs a refusal, hands it to the error handler and observes it.
func (m *reporter) refuse(w http.ResponseWriter, r *http.Request, n *payfeedback.Notification, e *Error, start time.Time) {
	if e.Status == http.StatusServiceUnavailable {
		setRetryAfter(w, e.RetryAfter)
	}
	level := slog.LevelWarn
	if e.Status >= 500 {
		level = slog.LevelError
	}
	ctx := r.Context()
	if log, suppressed := m.logger(ctx, level, reasonOf(e)); log != nil {
		attrs := []slog.Attr{slog.Int("status", e.Status), slog.String("reason", e.Reason)}
		if n != nil {
			attrs = append(attrs, notificationAttrs(n)...)
		}
		if e.Status >= 500 && e.Err != nil {
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		}
		attrs = append(attrs, slog.String("remote", r.RemoteAddr))
		log.LogAttrs(ctx, level, "payfeedback: notification refused", m.quietAttrs(attrs, suppressed)...)
	}
	m.onError(w, r, e)
	m.observe(OutcomeRefused, e.Status, e, n, false, start)
}

// handlerFailed logs a handler's failure, with its cause when a
// Dispatcher gave one.
func (m *reporter) handlerFailed(ctx context.Context, n *payfeedback.Notification, status int, cause *Error) {
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	log, suppressed := m.logger(ctx, level, "handler_error")
	if log == nil {
		return
	}
	attrs := append(notificationAttrs(n), slog.Int("status", status))
	if cause != nil {
		attrs = append(attrs, slog.String("error", causeText(cause)))
	}
	log.LogAttrs(ctx, level, "payfeedback: notification handler failed; a re-delivery will run it again",
		m.quietAttrs(attrs, suppressed)...)
}

// sharedSignature warns that a notification was taken although its
// signature had been used by another (AcceptSharedSignature).
func (m *reporter) sharedSignature(ctx context.Context, n *payfeedback.Notification) {
	log, suppressed := m.logger(ctx, slog.LevelWarn, "shared_signature")
	if log == nil {
		return
	}
	log.LogAttrs(ctx, slog.LevelWarn,
		"payfeedback: AppSignature already used by a notification with other unsigned fields: taken (Config.SharedSignature); genuine when the user had two notifications in one second, forged otherwise",
		m.quietAttrs(notificationAttrs(n), suppressed)...)
}

// observe hands an outcome to Metrics, if any. n may be nil.
func (m *reporter) observe(o Outcome, status int, err error, n *payfeedback.Notification, shared bool, start time.Time) {
	if m.metrics == nil {
		return
	}
	obs := Observation{Outcome: o, Status: status, Err: err, SharedSignature: shared, Latency: time.Since(start)}
	if n != nil {
		obs.AppID, obs.MsgType = n.AppID, n.MsgType
	}
	m.metrics.Observe(obs)
}

// logNotification logs an accepted or acknowledged notification, to
// Config.Logger only (the default logging leaves them out).
func (m *reporter) logNotification(ctx context.Context, msg string, n *payfeedback.Notification, status int, attrs []slog.Attr) {
	if m.log == nil || !m.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	m.log.LogAttrs(ctx, slog.LevelInfo, msg, append(append(notificationAttrs(n), slog.Int("status", status)), attrs...)...)
}

func (m *reporter) logStoreError(ctx context.Context, op string, n *payfeedback.Notification, err error) {
	if log, suppressed := m.logger(ctx, slog.LevelError, "store_"+op); log != nil {
		log.LogAttrs(ctx, slog.LevelError, "payfeedback: replay store "+op+" failed",
			m.quietAttrs(append(notificationAttrs(n), slog.String("error", err.Error())), suppressed)...)
	}
}

// logger returns the logger for a record of level about cause, or nil to
// log nothing: Config.Logger when set, else slog.Default() for the first
// record of each cause in a minute (suppressed: how many of that cause
// were left out since the last one).
func (m *reporter) logger(ctx context.Context, level slog.Level, cause string) (log *slog.Logger, suppressed int) {
	if m.log != nil {
		if !m.log.Enabled(ctx, level) {
			return nil, 0
		}
		return m.log, 0
	}
	log = slog.Default()
	if !log.Enabled(ctx, level) {
		return nil, 0
	}
	ok, suppressed := m.quiet.allow(cause, time.Now())
	if !ok {
		return nil, 0
	}
	return log, suppressed
}

// quietAttrs adds, to a record of the default logging, how many records of
// its cause were left out and how to change that.
func (m *reporter) quietAttrs(attrs []slog.Attr, suppressed int) []slog.Attr {
	if m.log != nil {
		return attrs
	}
	if suppressed > 0 {
		attrs = append(attrs, slog.Int("suppressed", suppressed))
	}
	return append(attrs, slog.String("logging", "one record per cause a minute; set middleware.Config.Logger to log every one"))
}

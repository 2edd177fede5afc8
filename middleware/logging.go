package middleware

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

// refuse logs a refusal, hands it to the error handler and observes it.
func (v *verifier) refuse(w http.ResponseWriter, r *http.Request, n *payfeedback.Notification, e *Error, start time.Time) {
	level := slog.LevelWarn
	if e.Status >= 500 {
		level = slog.LevelError
	}
	ctx := r.Context()
	if v.log.Enabled(ctx, level) {
		attrs := []slog.Attr{slog.Int("status", e.Status), slog.String("reason", e.Reason)}
		if n != nil {
			attrs = append(attrs, notificationAttrs(n)...)
		}
		if e.Status >= 500 && e.Err != nil {
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		}
		attrs = append(attrs, slog.String("remote", r.RemoteAddr))
		v.log.LogAttrs(ctx, level, "payfeedback: notification refused", attrs...)
	}
	v.onError(w, r, e)
	v.observe(OutcomeRefused, e.Status, e, n, start)
}

// observe hands an outcome to Metrics, if any. n may be nil.
func (v *verifier) observe(o Outcome, status int, err error, n *payfeedback.Notification, start time.Time) {
	if v.metrics == nil {
		return
	}
	obs := Observation{Outcome: o, Status: status, Err: err, Latency: time.Since(start)}
	if n != nil {
		obs.AppID, obs.MsgType = n.AppID, n.MsgType
	}
	v.metrics.Observe(obs)
}

func (v *verifier) logNotification(ctx context.Context, msg string, n *payfeedback.Notification, status int) {
	level := slog.LevelInfo
	if status > 299 {
		level = slog.LevelWarn
	}
	if !v.log.Enabled(ctx, level) {
		return
	}
	v.log.LogAttrs(ctx, level, msg, append(notificationAttrs(n), slog.Int("status", status))...)
}

func (v *verifier) logStoreError(ctx context.Context, op string, n *payfeedback.Notification, err error) {
	if v.log.Enabled(ctx, slog.LevelError) {
		v.log.LogAttrs(ctx, slog.LevelError, "payfeedback: replay store "+op+" failed",
			append(notificationAttrs(n), slog.String("error", err.Error()))...)
	}
}

// notificationAttrs names a notification in logs: no key, no body, no
// OpenId (personal data).
func notificationAttrs(n *payfeedback.Notification) []slog.Attr {
	return []slog.Attr{
		slog.String("appid", n.AppID),
		slog.String("msgtype", string(n.MsgType)),
		slog.String("feedbackid", n.FeedBackID),
	}
}

package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
)

// check verifies SignMethod, AppId, AppSignature and freshness at t.
func (v *verifier) check(ctx context.Context, w http.ResponseWriter, n *payfeedback.Notification, t time.Time) *Error {
	if n.SignMethod != "" && !strings.EqualFold(n.SignMethod, payfeedback.SignMethodSHA1) {
		return &Error{Status: http.StatusBadRequest, Reason: "unknown SignMethod: want sha1", Err: payfeedback.ErrUnknownSignMethod}
	}
	key, err := v.keys.PaySignKey(ctx, n.AppID)
	switch {
	case errors.Is(err, ErrUnknownApp):
		return &Error{Status: http.StatusForbidden, Reason: "unknown AppId", Err: err}
	case err != nil:
		setRetryAfter(w)
		return &Error{Status: http.StatusServiceUnavailable, Reason: "paySignKey lookup failed: try again later",
			Err: fmt.Errorf("%w: %w", ErrKeysUnavailable, err)}
	case key == "":
		return &Error{Status: http.StatusInternalServerError, Reason: "no paySignKey configured for this AppId",
			Err: payfeedback.ErrEmptyKey}
	}
	if err := n.Verify(key); err != nil {
		return &Error{Status: http.StatusUnauthorized, Reason: "AppSignature does not match", Err: err}
	}
	ts, err := n.Unix()
	if err != nil { // ParseNotification already refuses it
		return &Error{Status: http.StatusBadRequest, Reason: err.Error(), Err: err}
	}
	now := t.Unix()
	if ts < now-int64(v.maxAge/time.Second) {
		return &Error{Status: http.StatusUnauthorized, Reason: "TimeStamp too old: check the sender's clock or raise MaxAge", Err: ErrTooOld}
	}
	if ts > now+int64(v.maxFuture/time.Second) {
		return &Error{Status: http.StatusUnauthorized, Reason: "TimeStamp in the future: check the clocks", Err: ErrTooNew}
	}
	return nil
}

package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Verifier runs the middleware's checks without net/http: on a body held
// in memory, for a merchant whose framework is not net/http, or who stores
// each notification in a queue and processes it later. The middleware is
// built on it; a Verifier behaves as the middleware of the same Config.
//
// Verify decodes a body and runs every check but the replay memory's:
// SignMethod, AppId, AppSignature and freshness, judged on Config.Now. Claim
// then asks the replay store whether this notification was already handled
// (a Duplicate to acknowledge without handling it again) or is new, in
// which case the caller owns the Claim and must Complete it once the
// notification is safe (handled, or stored in the merchant's queue) or
// Release it on failure, so that WeChat's next delivery is handled.
// Failures are *Error values carrying the status the middleware would
// answer, so another framework answers the same.
//
// A queue: verify and claim on receipt, before answering WeChat, and
// complete once the notification is in the queue. The freshness window is
// then judged at arrival, and every copy left in the queue is one that
// WeChat meant once. Claiming later, when the queue is processed, would
// judge freshness and keep the replay memory on the queue's delay instead.
type Verifier struct {
	keys         KeyResolver
	maxBody      int64
	maxAge       time.Duration
	maxFuture    time.Duration
	now          func() time.Time
	store        ReplayStore
	storeAt      ReplayStoreAt // store, when it can be given the time
	claimTTL     time.Duration
	inFlightWait time.Duration
	shared       SharedSignaturePolicy
}

// NewVerifier returns the Verifier of cfg, or cfg.Validate's error. It
// uses the settings of the checks and of the replay memory (Keys,
// MaxBodySize, MaxAge, MaxFuture, Now, Replay, ClaimTTL, InFlightWait,
// SharedSignature); without Replay it creates a MemoryStore with Now,
// Logger and Metrics. ErrorHandler, Metrics and Logger are otherwise the
// middleware's: a Verifier logs nothing and observes nothing itself.
func NewVerifier(cfg Config) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	v := &Verifier{
		keys:         cfg.Keys,
		maxBody:      cmpOr(cfg.MaxBodySize, payfeedback.MaxNotificationSize),
		maxAge:       cmpOr(cfg.MaxAge, DefaultMaxAge),
		maxFuture:    cmpOr(cfg.MaxFuture, DefaultMaxFuture),
		now:          cfg.Now,
		store:        cfg.Replay,
		claimTTL:     cmpOr(cfg.ClaimTTL, DefaultClaimTTL),
		inFlightWait: cmpOr(cfg.InFlightWait, DefaultInFlightWait),
		shared:       cfg.SharedSignature,
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.store == nil {
		log := cfg.Logger
		if log == nil {
			log = slog.New(defaultHandler{})
		}
		v.store = NewMemoryStore(MemoryOptions{Now: v.now, Logger: log, Metrics: cfg.Metrics})
	}
	v.storeAt, _ = v.store.(ReplayStoreAt)
	return v, nil
}

// cmpOr returns v, or def when v is zero.
func cmpOr[T int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Verify decodes body and checks it as the middleware does, on the clock of
// Config.Now: size, decoding, SignMethod, AppId, AppSignature, freshness.
// It returns the notification, or an *Error (errors.Is tells its class, as
// in the middleware's table). It does not look at the replay memory: Claim
// does.
func (v *Verifier) Verify(ctx context.Context, body []byte) (*payfeedback.Notification, error) {
	if int64(len(body)) > v.maxBody {
		return nil, tooLarge(v.maxBody)
	}
	n, e := v.decodeBody(body)
	if e != nil {
		return nil, e
	}
	if e := v.checkNotification(ctx, n, v.now()); e != nil {
		return nil, e
	}
	return n, nil
}

// decodeBody decodes body into a new Notification (its values copies:
// one allocation) and turns a refusal into the middleware's *Error.
func (v *Verifier) decodeBody(body []byte) (*payfeedback.Notification, *Error) {
	n, err := payfeedback.ParseNotification(body)
	if err != nil {
		return nil, v.decodeError(err)
	}
	return n, nil
}

// decodeInto decodes body into dst, its values then copied out of body
// together (Own: one allocation, dst's room for pictures reused), and
// turns a refusal into the middleware's *Error.
func (v *Verifier) decodeInto(dst *payfeedback.Notification, body []byte) *Error {
	if err := payfeedback.ParseNotificationInto(dst, body); err != nil {
		return v.decodeError(err)
	}
	dst.Own()
	return nil
}

// decodeError is the middleware's *Error for a body the decoder refused.
func (v *Verifier) decodeError(err error) *Error {
	if errors.Is(err, payfeedback.ErrTooLarge) {
		return tooLarge(v.maxBody)
	}
	var de *payfeedback.DecodeError
	if !errors.As(err, &de) {
		return &Error{Status: http.StatusBadRequest, Reason: "cannot read the body", Err: err}
	}
	if errors.Is(err, payfeedback.ErrMissingElement) && de.Element == "AppSignature" {
		return &Error{Status: http.StatusUnauthorized, Reason: "AppSignature missing",
			Err: fmt.Errorf("%w: %w", payfeedback.ErrMissingSignature, err)}
	}
	return &Error{Status: http.StatusBadRequest, Reason: err.Error(), Err: err}
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge,
		Reason: fmt.Sprintf("body larger than %d bytes", limit), Err: payfeedback.ErrTooLarge}
}

// checkNotification verifies SignMethod, AppId, AppSignature and freshness at t.
func (v *Verifier) checkNotification(ctx context.Context, n *payfeedback.Notification, t time.Time) *Error {
	if n.SignMethod != "" && !strings.EqualFold(n.SignMethod, payfeedback.SignMethodSHA1) {
		return &Error{Status: http.StatusBadRequest, Reason: "unknown SignMethod: want sha1", Err: payfeedback.ErrUnknownSignMethod}
	}
	key, err := v.keys.PaySignKey(ctx, n.AppID)
	switch {
	case errors.Is(err, ErrUnknownApp):
		return &Error{Status: http.StatusForbidden, Reason: "unknown AppId", Err: err}
	case err != nil:
		return &Error{Status: http.StatusServiceUnavailable, Reason: "paySignKey lookup failed: try again later",
			Err: fmt.Errorf("%w: %w", ErrKeysUnavailable, err), RetryAfter: time.Second}
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

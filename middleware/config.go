package middleware

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Defaults of Config (see the package documentation for the reasoning).
const (
	// DefaultMaxAge: a TimeStamp may be this old. It covers the sender's
	// retries of the same document and clock skew.
	DefaultMaxAge = 10 * time.Minute
	// DefaultMaxFuture: a TimeStamp may be this far ahead of our clock
	// (clock skew only: nothing legitimate is signed in the future).
	DefaultMaxFuture = time.Minute
	// DefaultClaimTTL: how long a copy being handled keeps other copies
	// waiting, should its instance die before finishing.
	DefaultClaimTTL = time.Minute
	// DefaultInFlightWait: how long a copy waits for an identical one being
	// handled before answering 503.
	DefaultInFlightWait = 5 * time.Second
)

// Config configures New. Only Keys is required.
type Config struct {
	// Keys resolves an AppId to its paySignKey. Required: New panics
	// without it, and when it can tell that a key is missing (StaticKeys
	// with an empty AppId or key: see KeysValidator).
	Keys KeyResolver
	// MaxBodySize bounds the body in bytes (0: payfeedback.MaxNotificationSize,
	// 64 KiB, also the largest allowed). A larger body is refused with 413
	// after reading at most MaxBodySize+1 bytes.
	MaxBodySize int64
	// MaxAge is how old a TimeStamp may be (0: DefaultMaxAge, 10 minutes).
	MaxAge time.Duration
	// MaxFuture is how far ahead of Now a TimeStamp may be (0:
	// DefaultMaxFuture, 1 minute).
	MaxFuture time.Duration
	// Now is the clock judging freshness and, for the default store,
	// expiry (nil: time.Now). Tests set a fixed clock.
	Now func() time.Time
	// Replay remembers handled notifications (nil: a new MemoryStore with
	// DefaultMaxEntries, using Now, Logger and Metrics). Share one store
	// between the instances of a service (the package redisstore has one
	// on Redis), and between the middlewares of one process that serve the
	// same accounts.
	Replay ReplayStore
	// ClaimTTL is how long a claim on a notification being handled lasts
	// (0: DefaultClaimTTL). Once it lapses, an identical copy runs the
	// handler again: set it above the handler's longest run.
	ClaimTTL time.Duration
	// InFlightWait is how long a copy waits for an identical copy being
	// handled (0: DefaultInFlightWait) before answering 503 with
	// Retry-After. The wait is in real time, whatever Now says.
	InFlightWait time.Duration
	// SharedSignature is what to do with a notification whose AppSignature
	// was already used, within the freshness window, by a notification
	// with other unsigned fields (AcceptSharedSignature, the zero value:
	// handle it and report it; or RefuseSharedSignature: answer 409). See
	// SharedSignaturePolicy for the trade-off.
	SharedSignature SharedSignaturePolicy
	// ErrorHandler answers refusals (nil: DefaultErrorHandler). err is
	// always an *Error. It must write a response; it must not call the
	// next handler.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives one record per notification: accepted and
	// acknowledged ones at Info, refusals and handler failures at Warn
	// (4xx) or Error (5xx), the failures with their cause when the handler
	// is a Dispatcher. Records carry AppId, MsgType, FeedBackId, status and
	// reason, never a key nor the body. A Dispatcher behind the middleware
	// logs through it too.
	//
	// Nil logs refusals, handler failures and shared signatures to
	// slog.Default() (standard error unless the program set another), at
	// most one record per cause a minute, with the count of those left
	// out; accepted notifications are not logged. To log nothing, give
	// slog.New(slog.DiscardHandler).
	Logger *slog.Logger
	// Metrics receives one Observation per request (outcome, status,
	// refusal reason, latency) and, from the default store, each
	// degradation of the replay memory (nil: none). It is called without
	// allocating; examples/metrics exposes it to Prometheus.
	Metrics Metrics
}

// KeysValidator is implemented by a KeyResolver that can check its keys
// before serving, as StaticKeys does. Config.Validate calls it, so that a
// key missing from the environment stops the service at start-up instead
// of refusing every notification for the day WeChat keeps retrying.
type KeysValidator interface {
	ValidateKeys() error
}

// Validate reports the first problem of c that New would panic on, or nil:
// a missing key resolver, keys its ValidateKeys method refuses (an empty
// AppId or paySignKey), a size out of range, a negative duration or an
// unknown SharedSignature policy.
func (c Config) Validate() error {
	switch {
	case c.Keys == nil:
		return errors.New("middleware: Config.Keys is nil: give a KeyResolver such as middleware.StaticKeys{appID: paySignKey}")
	case c.MaxBodySize < 0 || c.MaxBodySize > payfeedback.MaxNotificationSize:
		return fmt.Errorf("middleware: Config.MaxBodySize %d out of range: want 0 (default) to %d", c.MaxBodySize, payfeedback.MaxNotificationSize)
	case c.MaxAge < 0:
		return errors.New("middleware: Config.MaxAge is negative: want 0 (default) or a positive duration")
	case c.MaxFuture < 0:
		return errors.New("middleware: Config.MaxFuture is negative: want 0 (default) or a positive duration")
	case c.ClaimTTL < 0:
		return errors.New("middleware: Config.ClaimTTL is negative: want 0 (default) or a positive duration")
	case c.InFlightWait < 0:
		return errors.New("middleware: Config.InFlightWait is negative: want 0 (default) or a positive duration")
	case c.SharedSignature > RefuseSharedSignature:
		return fmt.Errorf("middleware: Config.SharedSignature %d is not a policy: want AcceptSharedSignature (default) or RefuseSharedSignature", c.SharedSignature)
	}
	if kv, ok := c.Keys.(KeysValidator); ok {
		if err := kv.ValidateKeys(); err != nil {
			return fmt.Errorf("middleware: Config.Keys: %w", err)
		}
	}
	return nil
}

// SharedSignaturePolicy is what the middleware does with a notification
// whose AppSignature was already used, within the freshness window, by a
// notification with other unsigned fields (Config.SharedSignature).
//
// The signature covers only AppId, the key, TimeStamp and OpenId, so two
// genuine notifications of one user sent in the same second share it: a
// user's complaints about two orders, or the confirmation of one complaint
// and the re-delivery of another. A copy of a notification whose unsigned
// fields an attacker changed (another MsgType, FeedBackId, Reason…) shares
// it as well. Nothing in the notification tells the two apart.
//
// The default, AcceptSharedSignature, loses no genuine complaint: the
// second notification is handled (each one is still handled once: exact
// re-deliveries of either are acknowledged) and reported: a warning in the
// log, Observation.SharedSignature, SharedSignature(ctx) in the handler and
// Claim.SharedSignature. The cost: a forged copy sent while the TimeStamp
// is fresh is handled too, so the handler must not act on what a forged
// copy could claim without checking it against its own records (a confirm
// or reject for a complaint it never marked handled, say).
//
// RefuseSharedSignature answers the second one 409 ErrSignatureReused as a
// suspected forgery: forged fields are never handled, but a genuine
// notification that shares a second with another of the same user is
// refused, for good if WeChat re-delivers the same document (it would be
// refused again until its TimeStamp is too old).
//
// How often, under a model of a day of 127,156 complaints (241,722
// notifications; docs/performance.md, "Shared signatures", has the model
// and the command): never with a healthy merchant; about 100 notifications
// in a million when 5 % of the attempts fail or after a 30-minute outage,
// when WeChat re-signs its retries, which then also rescue every refused
// one (refusing delays them, loses none); about 43,000 in a million if
// WeChat sent in batches and retried the same document, all of them lost
// by refusing. The document says neither how WeChat sends nor how it
// retries: the default is the policy that loses nothing either way.
type SharedSignaturePolicy uint8

const (
	// AcceptSharedSignature handles the notification and reports it (the
	// default).
	AcceptSharedSignature SharedSignaturePolicy = iota
	// RefuseSharedSignature answers 409 ErrSignatureReused.
	RefuseSharedSignature
)

// String returns the policy's name.
func (p SharedSignaturePolicy) String() string {
	switch p {
	case AcceptSharedSignature:
		return "accept"
	case RefuseSharedSignature:
		return "refuse"
	}
	return "invalid"
}

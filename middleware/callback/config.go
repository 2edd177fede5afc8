package callback

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/middleware"
)

// Defaults of Config (the package documentation explains each).
const (
	// DefaultKeep: how long a handled callback's id is remembered. WeChat
	// retries a callback it did not see accepted for up to a week
	// (docs/complaints-v3.md, "Retries"), each retry signed anew, so the
	// signature's 5-minute window does not bound it.
	DefaultKeep = 7 * 24 * time.Hour
	// DefaultClaimTTL: how long a callback being handled keeps its
	// identical copies waiting, should its instance die before finishing.
	DefaultClaimTTL = time.Minute
	// DefaultInFlightWait: how long a copy waits for an identical one
	// being handled before answering 503 (WeChat gives up on an answer
	// after 5 seconds).
	DefaultInFlightWait = 2 * time.Second
	// DefaultMaxEntries: the capacity of the default in-memory replay
	// store: a week of callbacks of a busy merchant. A fleet of instances
	// shares a store instead (redisstore).
	DefaultMaxEntries = 100_000
)

// Config configures New. Opener is required.
type Config struct {
	// Opener verifies and decrypts callbacks: it holds the WeChat Pay
	// public key and/or platform certificates (by Wechatpay-Serial) and the
	// APIv3 key (apiv3.NewOpener). Required.
	Opener *apiv3.Opener
	// MaxBodySize bounds the body in bytes (0: apiv3.MaxNotificationSize,
	// 64 KiB, also the largest allowed). A larger body is refused with 413
	// after reading at most MaxBodySize+1 bytes.
	MaxBodySize int64
	// Now is the clock judging the signature's timestamp and, for the
	// default store, expiry (nil: time.Now). Tests against the fake give
	// it the fake's clock.
	Now func() time.Time
	// Replay remembers handled callbacks by notification id, so WeChat's
	// retries of a callback already handled are acknowledged without
	// running the handler again (nil: a middleware.MemoryStore of
	// DefaultMaxEntries on Now). It is the same contract as the V1.5
	// middleware's: share one store between a service's instances
	// (redisstore), and between the middlewares of one process.
	Replay middleware.ReplayStore
	// Keep is how long a handled callback is remembered (0: DefaultKeep).
	Keep time.Duration
	// ClaimTTL is how long a claim on a callback being handled lasts (0:
	// DefaultClaimTTL); set it above the handler's longest run.
	ClaimTTL time.Duration
	// InFlightWait is how long a copy waits for an identical one being
	// handled (0: DefaultInFlightWait) before answering 503.
	InFlightWait time.Duration
	// ErrorHandler answers refusals (nil: DefaultErrorHandler, which
	// answers WeChat's {"code":"FAIL","message":…}). err is always an
	// *Error. It must write a response; it must not call the next handler.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives one record per callback (accepted at Info, refusals
	// at Warn or Error, WeChat's signature probes at Debug), with the
	// notification id, event and action types, complaint id, serial,
	// status and reason; never a key, a signature or the plaintext. Nil:
	// refusals and failures go to slog.Default(), at most one record per
	// reason a minute, and nothing else; set Logger to
	// slog.New(slog.DiscardHandler) for silence.
	Logger *slog.Logger
	// Metrics receives one Observation per request (nil: none).
	Metrics Metrics
}

// Validate reports the first problem of c that New would panic on, or nil.
func (c Config) Validate() error {
	switch {
	case c.Opener == nil:
		return errors.New("callback: Config.Opener is nil: build one with apiv3.NewOpener (a Verifier with the WeChat Pay public key or the platform certificates, and the APIv3 key)")
	case c.MaxBodySize < 0 || c.MaxBodySize > apiv3.MaxNotificationSize:
		return fmt.Errorf("callback: Config.MaxBodySize %d out of range: want 0 (default) to %d", c.MaxBodySize, apiv3.MaxNotificationSize)
	case c.Keep < 0, c.ClaimTTL < 0, c.InFlightWait < 0:
		return errors.New("callback: Config.Keep, ClaimTTL and InFlightWait may not be negative: want 0 (default) or a positive duration")
	}
	return nil
}

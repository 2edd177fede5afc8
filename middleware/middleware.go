package middleware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
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
	// without it.
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
	// DefaultMaxEntries, using Now). Share one store between the instances
	// of a service, and between the middlewares of one process that serve
	// the same accounts.
	Replay ReplayStore
	// ClaimTTL is how long a claim on a notification being handled lasts
	// (0: DefaultClaimTTL). Once it lapses, an identical copy runs the
	// handler again: set it above the handler's longest run.
	ClaimTTL time.Duration
	// InFlightWait is how long a copy waits for an identical copy being
	// handled (0: DefaultInFlightWait) before answering 503 with
	// Retry-After. The wait is in real time, whatever Now says.
	InFlightWait time.Duration
	// ErrorHandler answers refusals (nil: DefaultErrorHandler). err is
	// always an *Error. It must write a response; it must not call the
	// next handler.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives one record per notification: accepted and
	// acknowledged ones at Info, refusals at Warn (4xx) or Error (5xx).
	// Records carry AppId, MsgType, FeedBackId, status and reason, never a
	// key nor the body (nil: nothing is logged).
	Logger *slog.Logger
}

// Validate reports the first problem of c that New would panic on, or nil.
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
	}
	return nil
}

// New returns the middleware: it verifies each request as a complaint
// notification and runs next with the notification in the request's
// context (see FromContext) only when every check passes. New panics when
// cfg is invalid (see Config.Validate), as http.Handle does on a bad
// pattern: a missing key resolver is a programming error, found at start-up.
func New(cfg Config) func(http.Handler) http.Handler {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	v := &verifier{
		keys:         cfg.Keys,
		maxBody:      cfg.MaxBodySize,
		maxAge:       cfg.MaxAge,
		maxFuture:    cfg.MaxFuture,
		now:          cfg.Now,
		store:        cfg.Replay,
		claimTTL:     cfg.ClaimTTL,
		inFlightWait: cfg.InFlightWait,
		onError:      cfg.ErrorHandler,
		log:          cfg.Logger,
	}
	if v.maxBody == 0 {
		v.maxBody = payfeedback.MaxNotificationSize
	}
	if v.maxAge == 0 {
		v.maxAge = DefaultMaxAge
	}
	if v.maxFuture == 0 {
		v.maxFuture = DefaultMaxFuture
	}
	if v.now == nil {
		v.now = time.Now
	}
	switch s := v.store.(type) {
	case nil:
		v.mem = NewMemoryStore(MemoryOptions{Now: v.now})
		v.store, v.memOnOurClock = v.mem, true
	case *MemoryStore:
		v.mem = s
	}
	if v.claimTTL == 0 {
		v.claimTTL = DefaultClaimTTL
	}
	if v.inFlightWait == 0 {
		v.inFlightWait = DefaultInFlightWait
	}
	if v.onError == nil {
		v.onError = DefaultErrorHandler
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	v.bufs.New = func() any {
		b := make([]byte, 0, 4<<10)
		return &b
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("middleware: New(cfg)(nil): the next handler is nil")
		}
		return &handler{v: v, next: next}
	}
}

// verifier holds one middleware's configuration, defaults applied.
type verifier struct {
	keys          KeyResolver
	maxBody       int64
	maxAge        time.Duration
	maxFuture     time.Duration
	now           func() time.Time
	store         ReplayStore
	mem           *MemoryStore // store, when it is a MemoryStore: called directly
	memOnOurClock bool         // mem was created by New, on the clock now
	claimTTL      time.Duration
	inFlightWait  time.Duration
	onError       func(http.ResponseWriter, *http.Request, error)
	log           *slog.Logger
	bufs          sync.Pool // *[]byte body buffers
}

type handler struct {
	v    *verifier
	next http.Handler
}

// ServeHTTP runs the checks in order (method, size, decoding, SignMethod,
// AppId, AppSignature, freshness, replay) and the next handler only when
// all pass.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := h.v
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = allowPOST
		v.refuse(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Reason: "method not allowed: POST only", Err: ErrMethodNotAllowed})
		return
	}
	n, rerr := v.read(w, r)
	if rerr != nil {
		v.refuse(w, r, nil, rerr)
		return
	}
	now := v.now()
	if rerr := v.check(r.Context(), n, now); rerr != nil {
		v.refuse(w, r, n, rerr)
		return
	}
	v.dedupe(w, r, n, now, h.next)
}

// read reads the bounded body and decodes it.
func (v *verifier) read(w http.ResponseWriter, r *http.Request) (*payfeedback.Notification, *Error) {
	if r.ContentLength > v.maxBody {
		w.Header()["Connection"] = connClose
		return nil, tooLarge(v.maxBody)
	}
	bp := v.bufs.Get().(*[]byte)
	body, err := readBody(r.Body, *bp, r.ContentLength, v.maxBody)
	var n *payfeedback.Notification
	if err == nil {
		// ParseNotification copies what it keeps (TestNotificationOutlivesBody
		// holds it to that), so the buffer is reused at once.
		n, err = payfeedback.ParseNotification(body)
	}
	*bp = body[:0]
	v.bufs.Put(bp)
	if err == nil {
		return n, nil
	}
	if errors.Is(err, payfeedback.ErrTooLarge) {
		w.Header()["Connection"] = connClose
		return nil, tooLarge(v.maxBody)
	}
	var de *payfeedback.DecodeError
	if !errors.As(err, &de) {
		return nil, &Error{Status: http.StatusBadRequest, Reason: "cannot read the body", Err: err}
	}
	if errors.Is(err, payfeedback.ErrMissingElement) && de.Element == "AppSignature" {
		return nil, &Error{Status: http.StatusUnauthorized, Reason: "AppSignature missing",
			Err: fmt.Errorf("%w: %w", payfeedback.ErrMissingSignature, err)}
	}
	return nil, &Error{Status: http.StatusBadRequest, Reason: err.Error(), Err: err}
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge,
		Reason: fmt.Sprintf("body larger than %d bytes", limit), Err: payfeedback.ErrTooLarge}
}

// readBody reads rd into buf (from its length 0), refusing more than limit
// bytes: it never reads more than limit+1.
func readBody(rd io.Reader, buf []byte, contentLength, limit int64) ([]byte, error) {
	if rd == nil {
		return buf[:0], nil
	}
	buf = buf[:0]
	if contentLength >= 0 && int64(cap(buf)) <= contentLength {
		buf = make([]byte, 0, contentLength+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):cap(buf)]
		if over := int64(len(buf)) + int64(len(room)) - (limit + 1); over > 0 {
			room = room[:int64(len(room))-over]
		}
		k, err := rd.Read(room)
		buf = buf[:len(buf)+k]
		if int64(len(buf)) > limit {
			return buf, payfeedback.ErrTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return buf, payfeedback.ErrTooLarge
			}
			return buf, err
		}
	}
}

// check verifies SignMethod, AppId, AppSignature and freshness.
func (v *verifier) check(ctx context.Context, n *payfeedback.Notification, t time.Time) *Error {
	if n.SignMethod != "" && !strings.EqualFold(n.SignMethod, payfeedback.SignMethodSHA1) {
		return &Error{Status: http.StatusBadRequest, Reason: "unknown SignMethod: want sha1", Err: payfeedback.ErrUnknownSignMethod}
	}
	key, err := v.keys.PaySignKey(ctx, n.AppID)
	switch {
	case errors.Is(err, ErrUnknownApp):
		return &Error{Status: http.StatusForbidden, Reason: "unknown AppId", Err: err}
	case err != nil:
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

// dedupe claims the notification in the replay store, runs next for a new
// one and records its outcome.
func (v *verifier) dedupe(w http.ResponseWriter, r *http.Request, n *payfeedback.Notification, now time.Time, next http.Handler) {
	ctx := r.Context()
	key := replayKey(n.AppID, n.AppSignature)
	fp := FingerprintOf(n)
	res, err := v.claim(ctx, key, fp, now)
	switch {
	case err != nil:
		v.refuse(w, r, n, &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
			Err: fmt.Errorf("%w: %w", ErrStoreUnavailable, err)})
		return
	case res == ClaimDuplicate:
		writeSuccess(w)
		v.logNotification(ctx, "payfeedback: duplicate notification acknowledged, not handled again", n, http.StatusOK)
		return
	case res == ClaimConflict:
		v.refuse(w, r, n, &Error{Status: http.StatusConflict,
			Reason: "AppSignature already used with different MsgType, FeedBackId or other unsigned fields", Err: ErrSignatureReused})
		return
	case res == ClaimInProgress:
		w.Header()["Retry-After"] = retryAfter
		v.refuse(w, r, n, &Error{Status: http.StatusServiceUnavailable, Reason: "an identical notification is still being handled: try again later", Err: ErrInFlight})
		return
	case res != ClaimNew:
		v.refuse(w, r, n, &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
			Err: fmt.Errorf("%w: Claim returned %v", ErrStoreUnavailable, res)})
		return
	}

	// The claim is ours: release it unless the handler succeeds, panics
	// included.
	// One allocation for the context handed to next and the writer
	// recording its status.
	st := &handlerState{ctx: notificationContext{Context: ctx, n: n}, sw: statusWriter{ResponseWriter: w}}
	sw := &st.sw
	done := false
	defer func() {
		if !done {
			if err := v.store.Release(context.WithoutCancel(ctx), key, fp); err != nil {
				v.logStoreError(ctx, "Release", n, err)
			}
		}
	}()
	next.ServeHTTP(sw, r.WithContext(&st.ctx))
	status := sw.status
	if status == 0 {
		status = http.StatusOK // net/http's answer when the handler writes nothing
	}
	if status < 200 || status > 299 {
		v.logNotification(ctx, "payfeedback: notification handler failed; a re-delivery will run it again", n, status)
		return
	}
	done = true
	if v.mem != nil {
		memNow := v.memNow(now)
		v.mem.completeAt(key, fp, memNow.Add(v.windowEnd(n).Sub(now)), memNow)
	} else if err := v.store.Complete(context.WithoutCancel(ctx), key, fp, v.windowEnd(n).Sub(now)); err != nil {
		v.logStoreError(ctx, "Complete", n, err)
	}
	v.logNotification(ctx, "payfeedback: notification accepted", n, status)
}

// claim calls Claim, waiting with backoff while an identical copy is in
// progress, for at most InFlightWait. now is the request's time, read once.
// A MemoryStore is called directly, without the interface, and the one New
// created with now itself.
func (v *verifier) claim(ctx context.Context, key string, fp Fingerprint, now time.Time) (ClaimResult, error) {
	var (
		waited time.Duration
		delay  = time.Millisecond
		timer  *time.Timer
	)
	for {
		var (
			res ClaimResult
			err error
		)
		if v.mem != nil {
			if waited > 0 {
				now = v.now()
			}
			memNow := v.memNow(now)
			res = v.mem.claimAt(key, fp, memNow.Add(v.claimTTL), memNow)
		} else {
			res, err = v.store.Claim(ctx, key, fp, v.claimTTL)
		}
		if err != nil || res != ClaimInProgress || waited >= v.inFlightWait {
			if timer != nil {
				timer.Stop()
			}
			return res, err
		}
		delay = min(delay, v.inFlightWait-waited)
		if timer == nil {
			timer = time.NewTimer(delay)
		} else {
			timer.Reset(delay)
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return ClaimInProgress, nil
		case <-timer.C:
		}
		waited += delay
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// memNow is the time on the MemoryStore's clock: now itself for the store
// New created, which shares it, saving a reading of the clock.
func (v *verifier) memNow(now time.Time) time.Time {
	if v.memOnOurClock {
		return now
	}
	return v.mem.now()
}

// windowEnd is when a done entry may be forgotten: once the TimeStamp left
// the freshness window (plus a second for rounding), when the signature can
// no longer be accepted anyway.
func (v *verifier) windowEnd(n *payfeedback.Notification) time.Time {
	ts, _ := n.Unix()
	return time.Unix(ts, 0).Add(v.maxAge + time.Second)
}

func writeSuccess(w http.ResponseWriter) {
	w.Header()["Content-Type"] = plainText
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(successMsg)
}

// refuse logs a refusal and hands it to the error handler.
func (v *verifier) refuse(w http.ResponseWriter, r *http.Request, n *payfeedback.Notification, e *Error) {
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

// handlerState is what the middleware hands to the next handler.
type handlerState struct {
	ctx notificationContext
	sw  statusWriter
}

// notificationContext carries the verified notification under contextKey;
// it is context.WithValue's job, fused with the statusWriter's allocation.
type notificationContext struct {
	context.Context
	n *payfeedback.Notification
}

// Value implements context.Context.
func (c *notificationContext) Value(key any) any {
	if key == (contextKey{}) {
		return c.n
	}
	return c.Context.Value(key)
}

func (c *notificationContext) String() string {
	return "payfeedback notification context"
}

// statusWriter records the status the next handler answers.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush,
// deadlines, …).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

package callback

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/middleware"
)

// New returns the middleware: it verifies each request as a complaint
// callback, decrypts it, and runs next with the Event in the request's
// context (see FromContext) only when every check passes and the callback
// was not handled already. New panics when cfg is invalid (see
// Config.Validate), as http.Handle does on a bad pattern.
func New(cfg Config) func(http.Handler) http.Handler {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	m := &receiver{
		opener:       cfg.Opener,
		maxBody:      cfg.MaxBodySize,
		now:          cfg.Now,
		store:        cfg.Replay,
		keep:         cfg.Keep,
		claimTTL:     cfg.ClaimTTL,
		inFlightWait: cfg.InFlightWait,
		onError:      cfg.ErrorHandler,
		log:          cfg.Logger,
		metrics:      cfg.Metrics,
	}
	if m.maxBody == 0 {
		m.maxBody = apiv3.MaxNotificationSize
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.Default()
		m.quiet = &limiter{every: time.Minute, last: map[string]time.Time{}}
	}
	if m.store == nil {
		m.store = middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: DefaultMaxEntries, Now: m.now, Logger: cfg.Logger})
	}
	m.storeAt, _ = m.store.(middleware.ReplayStoreAt)
	if m.keep == 0 {
		m.keep = DefaultKeep
	}
	if m.claimTTL == 0 {
		m.claimTTL = DefaultClaimTTL
	}
	if m.inFlightWait == 0 {
		m.inFlightWait = DefaultInFlightWait
	}
	if m.onError == nil {
		m.onError = DefaultErrorHandler
	}
	m.bufs.New = func() any {
		b := make([]byte, 0, 2<<10)
		return &b
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("callback: New(cfg)(nil): the next handler is nil")
		}
		return &handler{m: m, next: next}
	}
}

// receiver holds one middleware's configuration, defaults applied.
type receiver struct {
	opener       *apiv3.Opener
	maxBody      int64
	now          func() time.Time
	store        middleware.ReplayStore
	storeAt      middleware.ReplayStoreAt // store, when it can be given the time
	keep         time.Duration
	claimTTL     time.Duration
	inFlightWait time.Duration
	onError      func(http.ResponseWriter, *http.Request, error)
	log          *slog.Logger
	quiet        *limiter // non-nil: the default logger, refusals only, rate-limited
	metrics      Metrics
	bufs         sync.Pool // *[]byte body buffers
}

type handler struct {
	m    *receiver
	next http.Handler
}

// ServeHTTP runs the checks in order (method, size, signature headers,
// time, serial, signature, envelope, decryption, event) and the next
// handler only when all pass and the callback is new.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	var start time.Time
	if m.metrics != nil {
		start = time.Now()
	}
	sh := apiv3.SignatureHeadersOf(r.Header)
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = []string{http.MethodPost}
		m.refuse(w, r, nil, sh.Serial, &Error{Status: http.StatusMethodNotAllowed, Reason: "method not allowed: POST only", Err: ErrMethodNotAllowed}, start)
		return
	}
	bp := m.bufs.Get().(*[]byte)
	defer m.bufs.Put(bp)
	body, rerr := m.read(r, bp)
	if rerr != nil {
		m.refuse(w, r, nil, sh.Serial, rerr, start)
		return
	}
	now := m.now()
	ev := &Event{Serial: sh.Serial}
	var cb apiv3.Callback
	if err := m.opener.OpenInto(&cb, sh, body, now); err != nil {
		m.refuse(w, r, nil, sh.Serial, openError(err), start)
		return
	}
	ev.Notification = cb.Notification
	if !strings.HasPrefix(cb.EventType, "COMPLAINT.") {
		m.refuse(w, r, ev, sh.Serial, &Error{Status: http.StatusBadRequest,
			Reason: "event_type " + cb.EventType + " is not a complaint's: this URL receives complaint callbacks", Err: ErrNotComplaint}, start)
		return
	}
	e, err := complaints.ParseEvent(cb.Plaintext)
	if err != nil {
		m.refuse(w, r, ev, sh.Serial, &Error{Status: http.StatusBadRequest, Reason: "the decrypted resource is not a complaint event", Err: err}, start)
		return
	}
	ev.Event = e
	m.dedupe(w, r, ev, now, start, h.next)
}

// read reads the body into the pooled buffer *bp, at most maxBody bytes.
func (m *receiver) read(r *http.Request, bp *[]byte) ([]byte, *Error) {
	buf := (*bp)[:0]
	lr := io.LimitedReader{R: r.Body, N: m.maxBody + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = buf
			return nil, &Error{Status: http.StatusBadRequest, Reason: "reading the body failed", Err: fmt.Errorf("%w: %w", ErrReadBody, err)}
		}
	}
	*bp = buf
	if int64(len(buf)) > m.maxBody {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Reason: fmt.Sprintf("body larger than %d bytes", m.maxBody), Err: ErrTooLarge}
	}
	return buf, nil
}

// openError turns an Opener's error into the refusal to answer: 401 for
// anything about the signature (a forgery, a probe, a stale copy, a key
// not configured), 400 for a genuine callback that does not decode, and
// 500 for one that does not decrypt: it is authentic, so the APIv3 key
// configured here is wrong, and WeChat's retries will succeed once it is
// fixed.
func openError(err error) *Error {
	var ve *apiv3.VerifyError
	switch {
	case errors.As(err, &ve):
		reason := "signature verification failed: " + ve.Err.Error()
		switch {
		case errors.Is(err, apiv3.ErrUnknownSerial):
			reason = "signature verification failed: unknown Wechatpay-Serial " + ve.Serial + ": configure the key WeChat signs with"
		case errors.Is(err, apiv3.ErrSignatureProbe):
			reason = "signature verification failed: a signature probe"
		}
		return &Error{Status: http.StatusUnauthorized, Reason: reason, Err: err}
	case errors.Is(err, apiv3.ErrDecrypt):
		return &Error{Status: http.StatusInternalServerError, Reason: "the resource does not decrypt: check the APIv3 key configured here", Err: err}
	}
	return &Error{Status: http.StatusBadRequest, Reason: "not a callback envelope", Err: err}
}

// refuse answers rerr through the ErrorHandler, logs and observes it.
func (m *receiver) refuse(w http.ResponseWriter, r *http.Request, ev *Event, serial string, rerr *Error, start time.Time) {
	if rerr.Status == http.StatusServiceUnavailable {
		setRetryAfter(w)
	}
	m.onError(w, r, rerr)
	level := slog.LevelWarn
	switch {
	case errors.Is(rerr, apiv3.ErrSignatureProbe):
		level = slog.LevelDebug // WeChat's test: expected now and then, not news
	case rerr.Status >= 500:
		level = slog.LevelError
	}
	m.logEvent(r, level, "payfeedback: complaint callback refused", ev, serial, rerr.Status, rerr)
	m.observe(OutcomeRefused, rerr.Status, rerr, ev, serial, start)
}

// logEvent writes one record; with the default logger, only refusals and
// failures, at most one a minute per reason.
func (m *receiver) logEvent(r *http.Request, level slog.Level, msg string, ev *Event, serial string, status int, err error) {
	if m.quiet != nil && (level < slog.LevelWarn || !m.quiet.allow(reasonOf(err)+msg, m.now())) {
		return
	}
	ctx := r.Context()
	if !m.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	if ev != nil {
		attrs = append(attrs, slog.String("id", ev.ID), slog.String("event_type", ev.EventType))
		if ev.ComplaintID != "" {
			attrs = append(attrs, slog.String("complaint_id", ev.ComplaintID), slog.String("action_type", string(ev.ActionType)))
		}
	}
	if serial != "" {
		attrs = append(attrs, slog.String("serial", serial))
	}
	attrs = append(attrs, slog.Int("status", status))
	if err != nil {
		attrs = append(attrs, slog.String("reason", reasonOf(err)), slog.String("error", err.Error()))
	}
	m.log.LogAttrs(ctx, level, msg, attrs...)
}

func (m *receiver) observe(o Outcome, status int, err error, ev *Event, serial string, start time.Time) {
	if m.metrics == nil {
		return
	}
	obs := Observation{Outcome: o, Status: status, Err: err, Serial: serial, Latency: time.Since(start)}
	if ev != nil {
		obs.EventType, obs.ActionType = ev.Type(), ev.ActionType
	}
	m.metrics.Observe(obs)
}

// limiter lets one record a minute through per reason.
type limiter struct {
	every time.Duration
	mu    sync.Mutex
	last  map[string]time.Time
}

func (l *limiter) allow(reason string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[reason]; ok && now.Sub(t) < l.every {
		return false
	}
	if len(l.last) > 1024 { // reasons are a small fixed set; bound it anyway
		clear(l.last)
	}
	l.last[reason] = now
	return true
}

package middleware

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
)

// New returns the middleware: it verifies each request as a complaint
// notification and runs next with the notification in the request's
// context (see FromContext) only when every check passes. New panics when
// cfg is invalid (see Config.Validate), as http.Handle does on a bad
// pattern: a missing key resolver or an empty key is a programming or
// deployment error, found at start-up.
//
// The middleware is a Verifier (NewVerifier) answering over HTTP. When next
// is a Dispatcher (or a *Dispatcher), the middleware calls its function
// itself, without copying the request or recording the status through a
// wrapped ResponseWriter: the same answers, fewer steps.
func New(cfg Config) func(http.Handler) http.Handler {
	v, err := NewVerifier(cfg)
	if err != nil {
		panic(err)
	}
	m := &receiver{v: v, onError: cfg.ErrorHandler, log: cfg.Logger, metrics: cfg.Metrics}
	if m.onError == nil {
		m.onError = DefaultErrorHandler
	}
	if m.log == nil {
		m.quiet = newCauseLimiter()
	}
	m.bufs.New = func() any {
		b := make([]byte, 0, 4<<10)
		return &b
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("middleware: New(cfg)(nil): the next handler is nil")
		}
		h := &handler{m: m, next: next}
		switch d := next.(type) {
		case Dispatcher:
			h.dispatch = &d
		case *Dispatcher:
			h.dispatch = d
		}
		return h
	}
}

// receiver is one middleware: its Verifier and how it answers, logs and
// observes.
type receiver struct {
	v       *Verifier
	onError func(http.ResponseWriter, *http.Request, error)
	log     *slog.Logger  // Config.Logger; nil: quiet instead
	quiet   *causeLimiter // the default logging, when log is nil
	metrics Metrics       // nil: no observations, no latency clock
	bufs    sync.Pool     // *[]byte body buffers
}

type handler struct {
	m        *receiver
	next     http.Handler
	dispatch *Dispatcher // next, when it is a Dispatcher
}

// ServeHTTP runs the checks in order (method, size, decoding, SignMethod,
// AppId, AppSignature, freshness, replay) and the next handler only when
// all pass.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	var start time.Time
	if m.metrics != nil {
		start = time.Now()
	}
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = []string{http.MethodPost}
		m.refuse(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Reason: "method not allowed: POST only", Err: ErrMethodNotAllowed}, start)
		return
	}
	n, e := m.read(w, r)
	if e != nil {
		m.refuse(w, r, nil, e, start)
		return
	}
	ctx := r.Context()
	now := m.v.now()
	if e := m.v.check(ctx, n, now); e != nil {
		m.refuse(w, r, n, e, start)
		return
	}
	// One allocation for everything the request needs from here: the
	// claim and its key, the contexts, the writer recording the status.
	st := &request{n: n}
	st.ctx = notificationContext{Context: ctx, st: st}
	st.detached = detachedContext{parent: ctx}
	if e := m.v.claim(ctx, n, now, &st.claim, &st.keyBuf); e != nil {
		m.refuse(w, r, n, e, start)
		return
	}
	if st.claim.shared {
		m.sharedSignature(ctx, n)
	}
	if st.claim.dup {
		writeSuccess(w)
		m.logNotification(ctx, "payfeedback: duplicate notification acknowledged, not handled again", n, http.StatusOK, nil)
		m.observe(OutcomeDuplicate, http.StatusOK, nil, n, st.claim.shared, start)
		return
	}
	m.handle(w, r, st, h, start)
}

// handle runs the next handler for a notification whose claim is ours and
// records the outcome: Complete when it succeeded, Release otherwise,
// panics included.
func (m *receiver) handle(w http.ResponseWriter, r *http.Request, st *request, h *handler, start time.Time) {
	n := st.n
	succeeded, returned := false, false
	defer func() {
		if succeeded {
			return
		}
		if err := st.claim.Release(&st.detached); err != nil {
			m.logStoreError(&st.detached, "Release", n, err)
		}
		if !returned { // a panic: net/http answers 500 or aborts
			m.observe(OutcomeHandlerError, http.StatusInternalServerError, nil, n, st.claim.shared, start)
		}
	}()
	var status int
	if d := h.dispatch; d != nil {
		status = http.StatusOK
		if e := d.handle(&st.ctx, n); e != nil {
			st.cause, status = e, e.Status
			d.fail(w, r.WithContext(&st.ctx), e)
		} else {
			writeSuccess(w)
		}
	} else {
		st.sw.ResponseWriter = w
		h.next.ServeHTTP(&st.sw, r.WithContext(&st.ctx))
		status = st.sw.status
		if status == 0 {
			status = http.StatusOK // net/http's answer when the handler writes nothing
		}
	}
	returned = true
	if status < 200 || status > 299 {
		m.handlerFailed(r.Context(), n, status, st.cause)
		m.observe(OutcomeHandlerError, status, nil, n, st.claim.shared, start)
		return
	}
	succeeded = true
	if err := st.claim.Complete(&st.detached); err != nil {
		m.logStoreError(&st.detached, "Complete", n, err)
	}
	m.logNotification(r.Context(), "payfeedback: notification accepted", n, status, nil)
	m.observe(OutcomeAccepted, status, nil, n, st.claim.shared, start)
}

// request is what the middleware keeps for one notification it verified,
// in one allocation: the claim and the bytes of its key, the context
// handed to the next handler and the detached one the outcome is recorded
// with, the writer recording the status, and the cause of a Dispatcher's
// failure.
type request struct {
	n        *payfeedback.Notification
	claim    Claim
	keyBuf   [keyBufSize]byte
	ctx      notificationContext
	detached detachedContext
	sw       statusWriter
	cause    *Error
}

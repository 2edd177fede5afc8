package middleware

import (
	"errors"
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
	m := &receiver{v: v, reporter: reporter{onError: cfg.ErrorHandler, log: cfg.Logger, metrics: cfg.Metrics}}
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
		h := &mwHandler{m: m, next: next}
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
	reporter
	v    *Verifier
	bufs sync.Pool // *[]byte body buffers
}

type mwHandler struct {
	m        *receiver
	next     http.Handler
	dispatch *Dispatcher // next, when it is a Dispatcher
}

// ServeHTTP runs the checks in order (method, size, decoding, SignMethod,
// AppId, AppSignature, freshness, replay) and the next handler only when
// all pass.
func (h *mwHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	// One allocation for everything the request needs: the notification,
	// the claim and its key, the contexts, the writer recording the status.
	st := new(reqState)
	if e := m.read(w, r, st); e != nil {
		m.refuse(w, r, nil, e, start)
		return
	}
	n := st.n
	ctx := r.Context()
	now := m.v.now()
	if e := m.v.checkNotification(ctx, n, now); e != nil {
		m.refuse(w, r, n, e, start)
		return
	}
	st.ctx = notificationContext{Context: ctx, st: st}
	st.detached = detachedContext{parent: ctx}
	if e := m.v.claimNotification(ctx, n, now, &st.claim, &st.keyBuf); e != nil {
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
func (m *receiver) handle(w http.ResponseWriter, r *http.Request, st *reqState, h *mwHandler, start time.Time) {
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

// read reads the bounded body into a pooled buffer and decodes it into
// st (st.n set): the values are copied out of the buffer (Own), so the
// buffer goes back to the pool at once (TestNotificationOutlivesBody holds
// it to that).
func (m *receiver) read(w http.ResponseWriter, r *http.Request, st *reqState) *Error {
	maxBody := m.v.maxBody
	if r.ContentLength > maxBody {
		w.Header()["Connection"] = []string{"close"}
		return tooLarge(maxBody)
	}
	bp := m.bufs.Get().(*[]byte)
	body, err := readBody(r.Body, *bp, r.ContentLength, maxBody)
	var e *Error
	switch {
	case errors.Is(err, payfeedback.ErrTooLarge):
		e = tooLarge(maxBody)
	case err != nil:
		e = &Error{Status: http.StatusBadRequest, Reason: "cannot read the body", Err: err}
	default:
		st.note.PicURLs = st.pics[:0]
		if e = m.v.decodeInto(&st.note, body); e == nil {
			st.n = &st.note
		}
	}
	*bp = body[:0]
	m.bufs.Put(bp)
	if e != nil && errors.Is(e.Err, payfeedback.ErrTooLarge) {
		w.Header()["Connection"] = []string{"close"}
	}
	return e
}

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
		metrics:      cfg.Metrics,
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
	if v.store == nil {
		v.store = NewMemoryStore(MemoryOptions{Now: v.now, Logger: cfg.Logger, Metrics: cfg.Metrics})
	}
	v.storeAt, _ = v.store.(ReplayStoreAt)
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
	keys         KeyResolver
	maxBody      int64
	maxAge       time.Duration
	maxFuture    time.Duration
	now          func() time.Time
	store        ReplayStore
	storeAt      ReplayStoreAt // store, when it can be given the time
	claimTTL     time.Duration
	inFlightWait time.Duration
	onError      func(http.ResponseWriter, *http.Request, error)
	log          *slog.Logger
	metrics      Metrics   // nil: no observations, no latency clock
	bufs         sync.Pool // *[]byte body buffers
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
	var start time.Time
	if v.metrics != nil {
		start = time.Now()
	}
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = []string{http.MethodPost}
		v.refuse(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Reason: "method not allowed: POST only", Err: ErrMethodNotAllowed}, start)
		return
	}
	n, rerr := v.read(w, r)
	if rerr != nil {
		v.refuse(w, r, nil, rerr, start)
		return
	}
	now := v.now()
	if rerr := v.check(r.Context(), w, n, now); rerr != nil {
		v.refuse(w, r, n, rerr, start)
		return
	}
	v.dedupe(w, r, n, now, start, h.next)
}

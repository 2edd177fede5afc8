package callback

import (
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
)

// keyPrefix keeps the keys of complaint callbacks apart from the V1.5
// middleware's in a shared store ("AppId:signature").
const keyPrefix = "wxpay-complaint:"

// replayKey returns the store key of ev and its fingerprint.
//
// A retry of one callback keeps its notification id; each retry is signed
// anew (new timestamp, new nonce) and may be encrypted anew, so neither
// the signature nor the ciphertext identifies it. The fingerprint digests
// what the event says (event type, complaint, action type, canonical
// spelling), and the key holds both the id and the fingerprint: a retry
// finds the entry of its first copy, and a different event WeChat might
// send under a reused id (the documents do not say whether it can) is
// handled as the new event it is, not refused. Every field is signed by
// WeChat: there is no forged copy to refuse here, unlike V1.5.
func replayKey(ev *Event) (string, middleware.Fingerprint) {
	var buf [256]byte
	b := buf[:0]
	for _, s := range [...]string{ev.EventType, ev.ComplaintID, string(ev.ActionType.Canonical())} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	fp := middleware.Fingerprint(sha1.Sum(b))
	var kb [256]byte
	k := append(kb[:0], keyPrefix...)
	k = append(k, ev.ID...)
	k = append(k, ':')
	k = hex.AppendEncode(k, fp[:8])
	return string(k), fp
}

// dedupe claims the callback in the replay store, runs next for a new one
// and records its outcome.
func (m *receiver) dedupe(w http.ResponseWriter, r *http.Request, ev *Event, now, start time.Time, next http.Handler) {
	ctx := r.Context()
	key, fp := replayKey(ev)
	res, err := m.claim(ctx, key, fp, now)
	switch {
	case err != nil:
		m.refuse(w, r, ev, ev.Serial, &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
			Err: fmt.Errorf("%w: %w", ErrStoreUnavailable, err)}, start)
		return
	case res == middleware.ClaimDuplicate:
		acknowledge(w)
		m.logEvent(r, slog.LevelInfo, "payfeedback: complaint callback already handled, acknowledged", ev, ev.Serial, http.StatusNoContent, nil)
		m.observe(OutcomeDuplicate, http.StatusNoContent, nil, ev, ev.Serial, start)
		return
	case res == middleware.ClaimInProgress:
		m.refuse(w, r, ev, ev.Serial, &Error{Status: http.StatusServiceUnavailable, Reason: "an identical callback is still being handled: try again later", Err: ErrInFlight}, start)
		return
	case res != middleware.ClaimNew:
		// ClaimConflict cannot happen with a fingerprint in the key; any
		// other result is a store that breaks the contract.
		m.refuse(w, r, ev, ev.Serial, &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
			Err: fmt.Errorf("%w: Claim returned %v", ErrStoreUnavailable, res)}, start)
		return
	}
	// The claim is ours: release it unless the handler succeeds, panics
	// included.
	st := &handlerState{ctx: eventContext{Context: ctx, e: ev}, sw: statusWriter{ResponseWriter: w}}
	succeeded, returned := false, false
	defer func() {
		if succeeded {
			return
		}
		if err := m.release(context.WithoutCancel(ctx), key, fp); err != nil {
			m.logEvent(r, slog.LevelError, "payfeedback: replay store Release failed", ev, ev.Serial, 0, err)
		}
		if !returned {
			m.observe(OutcomeHandlerError, http.StatusInternalServerError, nil, ev, ev.Serial, start)
		}
	}()
	next.ServeHTTP(&st.sw, r.WithContext(&st.ctx))
	returned = true
	status := st.sw.status
	if status == 0 {
		status = http.StatusOK // net/http's answer when the handler writes nothing
	}
	if status < 200 || status > 299 {
		m.logEvent(r, slog.LevelError, "payfeedback: complaint callback handler failed; WeChat will retry", ev, ev.Serial, status, nil)
		m.observe(OutcomeHandlerError, status, nil, ev, ev.Serial, start)
		return
	}
	succeeded = true
	if err := m.complete(context.WithoutCancel(ctx), key, fp, now); err != nil {
		m.logEvent(r, slog.LevelError, "payfeedback: replay store Complete failed", ev, ev.Serial, status, err)
	}
	m.logEvent(r, slog.LevelInfo, "payfeedback: complaint callback accepted", ev, ev.Serial, status, nil)
	m.observe(OutcomeAccepted, status, nil, ev, ev.Serial, start)
}

// claim calls Claim (ClaimAt when the store has it), waiting with backoff
// while an identical copy is in progress, for at most InFlightWait.
func (m *receiver) claim(ctx context.Context, key string, fp middleware.Fingerprint, now time.Time) (middleware.ClaimResult, error) {
	var (
		waited time.Duration
		delay  = time.Millisecond
		timer  *time.Timer
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		var (
			res middleware.ClaimResult
			err error
		)
		if m.storeAt != nil {
			if waited > 0 {
				now = m.now()
			}
			res, err = m.storeAt.ClaimAt(ctx, key, fp, now, m.claimTTL, m.keep)
		} else {
			res, err = m.store.Claim(ctx, key, fp, m.claimTTL, m.keep)
		}
		if err != nil || res != middleware.ClaimInProgress || waited >= m.inFlightWait {
			return res, err
		}
		delay = min(delay, m.inFlightWait-waited)
		if timer == nil {
			timer = time.NewTimer(delay)
		} else {
			timer.Reset(delay)
		}
		select {
		case <-ctx.Done():
			return middleware.ClaimInProgress, nil
		case <-timer.C:
		}
		waited += delay
		delay = min(2*delay, 100*time.Millisecond)
	}
}

func (m *receiver) complete(ctx context.Context, key string, fp middleware.Fingerprint, now time.Time) error {
	if m.storeAt != nil {
		return m.storeAt.CompleteAt(ctx, key, fp, now, m.keep)
	}
	return m.store.Complete(ctx, key, fp, m.keep)
}

func (m *receiver) release(ctx context.Context, key string, fp middleware.Fingerprint) error {
	if m.storeAt != nil {
		return m.storeAt.ReleaseAt(ctx, key, fp, m.now())
	}
	return m.store.Release(ctx, key, fp)
}

// handlerState is what the middleware hands to the next handler, in one
// allocation.
type handlerState struct {
	ctx eventContext
	sw  statusWriter
}

// statusWriter records the status the next handler answers.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
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

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

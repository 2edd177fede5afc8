package middleware

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

// dedupe claims the notification in the replay store, runs next for a new
// one and records its outcome. now is the request's time, read once; start
// the real time it began (zero without Metrics).
func (v *verifier) dedupe(w http.ResponseWriter, r *http.Request, n *payfeedback.Notification, now, start time.Time, next http.Handler) {
	ctx := r.Context()
	key := replayKey(n.AppID, n.AppSignature)
	fp := FingerprintOf(n)
	keep := v.windowEnd(n).Sub(now)
	res, err := v.claim(ctx, key, fp, now, keep)
	switch {
	case err != nil:
		setRetryAfter(w)
		v.refuse(w, r, n, &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
			Err: fmt.Errorf("%w: %w", ErrStoreUnavailable, err)}, start)
		return
	case res == ClaimDuplicate:
		writeSuccess(w)
		v.logNotification(ctx, "payfeedback: duplicate notification acknowledged, not handled again", n, http.StatusOK)
		v.observe(OutcomeDuplicate, http.StatusOK, nil, n, start)
		return
	case res == ClaimConflict:
		v.refuse(w, r, n, &Error{Status: http.StatusConflict,
			Reason: "AppSignature already used with different MsgType, FeedBackId or other unsigned fields", Err: ErrSignatureReused}, start)
		return
	case res == ClaimInProgress:
		setRetryAfter(w)
		v.refuse(w, r, n, &Error{Status: http.StatusServiceUnavailable, Reason: "an identical notification is still being handled: try again later", Err: ErrInFlight}, start)
		return
	case res != ClaimNew:
		setRetryAfter(w)
		v.refuse(w, r, n, &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
			Err: fmt.Errorf("%w: Claim returned %v", ErrStoreUnavailable, res)}, start)
		return
	}

	// The claim is ours: release it unless the handler succeeds, panics
	// included. One allocation for the context handed to next and the
	// writer recording its status.
	st := &handlerState{ctx: notificationContext{Context: ctx, n: n}, sw: statusWriter{ResponseWriter: w},
		detached: detachedContext{parent: ctx}}
	sw := &st.sw
	succeeded, returned := false, false
	defer func() {
		if succeeded {
			return
		}
		if err := v.release(&st.detached, key, fp); err != nil {
			v.logStoreError(ctx, "Release", n, err)
		}
		if !returned { // a panic: net/http answers 500 or aborts
			v.observe(OutcomeHandlerError, http.StatusInternalServerError, nil, n, start)
		}
	}()
	next.ServeHTTP(sw, r.WithContext(&st.ctx))
	returned = true
	status := sw.status
	if status == 0 {
		status = http.StatusOK // net/http's answer when the handler writes nothing
	}
	if status < 200 || status > 299 {
		v.logNotification(ctx, "payfeedback: notification handler failed; a re-delivery will run it again", n, status)
		v.observe(OutcomeHandlerError, status, nil, n, start)
		return
	}
	succeeded = true
	if err := v.complete(&st.detached, key, fp, now, keep); err != nil {
		v.logStoreError(ctx, "Complete", n, err)
	}
	v.logNotification(ctx, "payfeedback: notification accepted", n, status)
	v.observe(OutcomeAccepted, status, nil, n, start)
}

// claim calls Claim (ClaimAt with the request's time now, when the store
// has it), waiting with backoff while an identical copy is in progress, for
// at most InFlightWait.
func (v *verifier) claim(ctx context.Context, key string, fp Fingerprint, now time.Time, keep time.Duration) (ClaimResult, error) {
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
		if v.storeAt != nil {
			if waited > 0 {
				now = v.now()
			}
			res, err = v.storeAt.ClaimAt(ctx, key, fp, now, v.claimTTL, keep)
		} else {
			res, err = v.store.Claim(ctx, key, fp, v.claimTTL, keep)
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

// complete calls Complete (CompleteAt with the request's time now, when the
// store has it: keep counts from it).
func (v *verifier) complete(ctx context.Context, key string, fp Fingerprint, now time.Time, keep time.Duration) error {
	if v.storeAt != nil {
		return v.storeAt.CompleteAt(ctx, key, fp, now, keep)
	}
	return v.store.Complete(ctx, key, fp, keep)
}

// release calls Release (ReleaseAt with a fresh reading of the clock, when
// the store has it).
func (v *verifier) release(ctx context.Context, key string, fp Fingerprint) error {
	if v.storeAt != nil {
		return v.storeAt.ReleaseAt(ctx, key, fp, v.now())
	}
	return v.store.Release(ctx, key, fp)
}

// windowEnd is when an entry may be forgotten: once the TimeStamp left the
// freshness window (plus a second for rounding), when the signature can no
// longer be accepted anyway.
func (v *verifier) windowEnd(n *payfeedback.Notification) time.Time {
	ts, _ := n.Unix()
	return time.Unix(ts, 0).Add(v.maxAge + time.Second)
}

package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Claim asks the replay store about n, a notification Verify accepted. It
// returns a Claim that is either a Duplicate (handled before: acknowledge
// it, do not handle it again) or the caller's to Complete or Release. It
// fails with an *Error: 409 ErrSignatureReused (a suspected forgery, under
// RefuseSharedSignature), 503 ErrInFlight (an identical copy still being
// handled after InFlightWait), 503 ErrStoreUnavailable (the store failed,
// or is full: ErrStoreFull); each 503 with its RetryAfter.
func (v *Verifier) Claim(ctx context.Context, n *payfeedback.Notification) (Claim, error) {
	var c Claim
	if e := v.claimNotification(ctx, n, v.now(), &c, nil); e != nil {
		return Claim{}, e
	}
	return c, nil
}

// Claim is a notification's place in the replay memory, from
// Verifier.Claim. Unless it is a Duplicate, its holder must call Complete
// once the notification is handled (or safely stored) or Release when
// handling it failed; until then an identical copy waits or is answered
// 503, and after ClaimTTL the claim lapses.
type Claim struct {
	v      *Verifier
	key    string
	fp     Fingerprint
	at     time.Time     // the time the claim was made: keep counts from it
	keep   time.Duration // until the TimeStamp leaves the window
	dup    bool
	shared bool
}

// Duplicate reports whether the notification was already handled: an exact
// re-delivery, to acknowledge without handling it again.
func (c Claim) Duplicate() bool { return c.dup }

// SharedSignature reports whether the notification's AppSignature was
// already used by one with other unsigned fields, and this one was taken
// anyway (AcceptSharedSignature): two genuine notifications of one user in
// one second, or a forged copy. Handlers may treat it with care (see
// SharedSignaturePolicy).
func (c Claim) SharedSignature() bool { return c.shared }

// errNoClaim is the error of Complete and Release on a Claim that
// Verifier.Claim did not return.
var errNoClaim = errors.New("middleware: Complete or Release on a zero Claim: use the Claim that Verifier.Claim returned")

// Complete records that the notification was handled: its re-deliveries
// are acknowledged from now on. It does nothing for a Duplicate.
func (c Claim) Complete(ctx context.Context) error {
	switch {
	case c.v == nil:
		return errNoClaim
	case c.dup:
		return nil
	}
	return c.v.completeKey(ctx, c.key, c.fp, c.at, c.keep)
}

// Release records that handling the notification failed: the next
// identical copy is handled again, while a copy with other fields is still
// refused (under RefuseSharedSignature). It does nothing for a Duplicate.
func (c Claim) Release(ctx context.Context) error {
	switch {
	case c.v == nil:
		return errNoClaim
	case c.dup:
		return nil
	}
	return c.v.releaseKey(ctx, c.key, c.fp)
}

// claimNotification claims n in the replay store into c, at the request's time now.
// keyBuf, when given, holds the key's bytes (the caller keeps it unchanged
// for as long as c lives) instead of a new string.
func (v *Verifier) claimNotification(ctx context.Context, n *payfeedback.Notification, now time.Time, c *Claim, keyBuf *[keyBufSize]byte) *Error {
	c.v, c.fp, c.at = v, FingerprintOf(n), now
	c.keep = v.windowEnd(n).Sub(now)
	c.key = replayKey(n.AppID, n.AppSignature, keyBuf)
	res, err := v.claimKey(ctx, c.key, c.fp, now, c.keep)
	if err == nil && res == ClaimConflict && v.shared == AcceptSharedSignature {
		// Another notification holds the signature: this one gets an entry
		// of its own, under the signature and its fingerprint, so that its
		// own re-deliveries are recognised.
		c.shared = true
		c.key = sharedKey(c.key, c.fp)
		res, err = v.claimKey(ctx, c.key, c.fp, now, c.keep)
	}
	switch {
	case err != nil:
		e := &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
			Err: fmt.Errorf("%w: %w", ErrStoreUnavailable, err), RetryAfter: time.Second}
		var full *StoreFullError
		if errors.As(err, &full) {
			e.Reason, e.RetryAfter = "replay memory full: try again later", max(full.RetryAfter, time.Second)
		} else if errors.Is(err, ErrStoreFull) {
			e.Reason = "replay memory full: try again later"
		}
		return e
	case res == ClaimNew:
		return nil
	case res == ClaimDuplicate:
		c.dup = true
		return nil
	case res == ClaimConflict:
		return &Error{Status: http.StatusConflict,
			Reason: "AppSignature already used with different MsgType, FeedBackId or other unsigned fields", Err: ErrSignatureReused}
	case res == ClaimInProgress:
		return &Error{Status: http.StatusServiceUnavailable, Reason: "an identical notification is still being handled: try again later",
			Err: ErrInFlight, RetryAfter: time.Second}
	}
	return &Error{Status: http.StatusServiceUnavailable, Reason: "replay store failed: try again later",
		Err: fmt.Errorf("%w: Claim returned %v", ErrStoreUnavailable, res), RetryAfter: time.Second}
}

// claimKey calls Claim (ClaimAt with the request's time now, when the store
// has it), waiting with backoff while an identical copy is in progress, for
// at most InFlightWait.
func (v *Verifier) claimKey(ctx context.Context, key string, fp Fingerprint, now time.Time, keep time.Duration) (ClaimResult, error) {
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

// completeKey calls Complete (CompleteAt with the request's time now, when the
// store has it: keep counts from it).
func (v *Verifier) completeKey(ctx context.Context, key string, fp Fingerprint, now time.Time, keep time.Duration) error {
	if v.storeAt != nil {
		return v.storeAt.CompleteAt(ctx, key, fp, now, keep)
	}
	return v.store.Complete(ctx, key, fp, keep)
}

// releaseKey calls Release (ReleaseAt with a fresh reading of the clock, when
// the store has it).
func (v *Verifier) releaseKey(ctx context.Context, key string, fp Fingerprint) error {
	if v.storeAt != nil {
		return v.storeAt.ReleaseAt(ctx, key, fp, v.now())
	}
	return v.store.Release(ctx, key, fp)
}

// windowEnd is when an entry may be forgotten: once the TimeStamp left the
// freshness window (plus a second for rounding), when the signature can no
// longer be accepted anyway.
func (v *Verifier) windowEnd(n *payfeedback.Notification) time.Time {
	ts, _ := n.Unix()
	return time.Unix(ts, 0).Add(v.maxAge + time.Second)
}

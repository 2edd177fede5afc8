package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback"
)

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

// claim claims n in the replay store into c, at the request's time now.
// keyBuf, when given, holds the key's bytes (the caller keeps it unchanged
// for as long as c lives) instead of a new string.
func (v *Verifier) claim(ctx context.Context, n *payfeedback.Notification, now time.Time, c *Claim, keyBuf *[keyBufSize]byte) *Error {
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

// complete calls Complete (CompleteAt with the request's time now, when the
// store has it: keep counts from it).
func (v *Verifier) complete(ctx context.Context, key string, fp Fingerprint, now time.Time, keep time.Duration) error {
	if v.storeAt != nil {
		return v.storeAt.CompleteAt(ctx, key, fp, now, keep)
	}
	return v.store.Complete(ctx, key, fp, keep)
}

// release calls Release (ReleaseAt with a fresh reading of the clock, when
// the store has it).
func (v *Verifier) release(ctx context.Context, key string, fp Fingerprint) error {
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

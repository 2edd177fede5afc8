package middleware

import (
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/payfeedback/payfeedback"
)

// ReplayStore remembers which notifications were handled, so an exact
// re-delivery is acknowledged without running the handler again and a
// signature reused with other unsigned fields is refused (PROTOCOL §3).
//
// A key names one signed notification: its AppId and its AppSignature
// (lower-case hex), as "AppId:signature". A Fingerprint digests the fields
// the signature does not cover. An entry is either in progress (claimed, its
// handler running) or done (its handler succeeded); it lives for the ttl
// given by the latest call that set it, then the key is free again.
//
// The methods take a context first and report failures as errors (the
// middleware then answers 503 so the sender retries): a store shared by
// several instances (Redis, a database) fits behind it as well as the
// in-memory default, NewMemoryStore. Implementations must be safe for
// concurrent use; the package replaytest checks the contract.
type ReplayStore interface {
	// Claim atomically looks key up. Absent (or expired): it records key as
	// in progress with fp for ttl and returns ClaimNew; the caller then
	// owns the claim and must call Complete or Release. Present with the
	// same fp: ClaimDuplicate when done, ClaimInProgress when not.
	// Present with another fp: ClaimConflict, and the entry is unchanged.
	Claim(ctx context.Context, key string, fp Fingerprint, ttl time.Duration) (ClaimResult, error)
	// Complete marks key done with fp for ttl (the handler succeeded). It
	// recreates the entry if it expired meanwhile; it leaves an entry
	// holding another fingerprint alone.
	Complete(ctx context.Context, key string, fp Fingerprint, ttl time.Duration) error
	// Release forgets key if it is in progress with fp (the handler
	// failed), so the next copy runs the handler again. It leaves a done
	// entry, or one holding another fingerprint, alone.
	Release(ctx context.Context, key string, fp Fingerprint) error
}

// ClaimResult is what ReplayStore.Claim found. The zero value is not a valid
// result: the middleware refuses it as a store failure.
type ClaimResult uint8

// The results of ReplayStore.Claim.
const (
	// ClaimNew: the key was free; the caller now holds the claim.
	ClaimNew ClaimResult = iota + 1
	// ClaimDuplicate: an identical notification was already handled.
	ClaimDuplicate
	// ClaimInProgress: an identical notification is being handled.
	ClaimInProgress
	// ClaimConflict: the key is held with another fingerprint.
	ClaimConflict
)

// String returns the result's name.
func (c ClaimResult) String() string {
	switch c {
	case ClaimNew:
		return "new"
	case ClaimDuplicate:
		return "duplicate"
	case ClaimInProgress:
		return "in-progress"
	case ClaimConflict:
		return "conflict"
	}
	return "invalid"
}

// Fingerprint is a SHA-1 digest of the fields a notification's AppSignature
// does not cover: MsgType, FeedBackId, TransId, Reason, Solution, ExtInfo and
// the picture URLs (each length-prefixed, so no two different sets of values
// digest alike by concatenation). SignMethod is left out: sha1 and SHA1 are
// the same method.
type Fingerprint [sha1.Size]byte

// String returns the fingerprint in lower-case hex.
func (f Fingerprint) String() string { return hex.EncodeToString(f[:]) }

// FingerprintOf returns the fingerprint of n's unsigned fields.
func FingerprintOf(n *payfeedback.Notification) Fingerprint {
	var buf [1024]byte // a common notification fits: no allocation
	return sha1.Sum(appendUnsigned(buf[:0], n))
}

// appendUnsigned appends n's unsigned fields, each preceded by its length.
func appendUnsigned(b []byte, n *payfeedback.Notification) []byte {
	for _, s := range [...]string{string(n.MsgType), n.FeedBackID, n.TransID, n.Reason, n.Solution, n.ExtInfo} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(n.PicURLs)))
	for _, u := range n.PicURLs {
		b = binary.AppendUvarint(b, uint64(len(u)))
		b = append(b, u...)
	}
	return b
}

// replayKey returns "AppId:signature" with the signature in lower-case hex,
// so a copy whose signature differs only in letter case (which
// verification accepts) maps to the same key.
func replayKey(appID, sig string) string {
	var buf [128]byte
	b := append(buf[:0], appID...)
	b = append(b, ':')
	for i := 0; i < len(sig); i++ {
		c := sig[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

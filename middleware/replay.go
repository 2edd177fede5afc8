package middleware

import (
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"time"
	"unsafe"

	"github.com/payfeedback/payfeedback"
)

// ReplayStore remembers which notifications were handled, so an exact
// re-delivery is acknowledged without running the handler again and a
// signature reused with other unsigned fields is refused (the signature
// covers only appid, openid and timestamp: see docs/protocol.md).
//
// A key names one signed notification: its AppId and its AppSignature
// (lower-case hex), as "AppId:signature". A Fingerprint digests the fields
// the signature does not cover. An entry holds a key's fingerprint and a
// state: in progress (claimed: a handler is running), released (its handler
// failed) or done (its handler succeeded). Two durations bound it: the claim
// of an entry in progress lasts the lease given to Claim, and the
// fingerprint is kept for the keep given to Claim or Complete (the
// middleware passes the time until the notification's TimeStamp leaves the
// freshness window). The entry is forgotten once both have run out.
//
// The fingerprint outlives a failure on purpose: once a key was seen with
// one fingerprint, another fingerprint is a conflict for as long as the
// entry lives, whether the first copy's handler succeeded, failed or never
// finished. Otherwise whoever saw a notification fail (its 5xx answer) could
// send the same signature with other fields, have them handled, and get the
// genuine re-delivery refused.
//
// A store with a bound on its size must never forget an entry in progress
// (the copy arriving next would run the handler while the first still
// runs), and should not forget any entry before its time: a forgotten entry
// is a replay handled again and, under RefuseSharedSignature, a forged copy
// accepted. When it has no room for a new key without forgetting a fresh
// entry, Claim (and Complete, when it would recreate an entry) fails with
// an error wrapping ErrStoreFull, a *StoreFullError saying when room is
// expected: the middleware answers 503 with Retry-After and the sender
// delivers again later. A store may instead forget a finished entry when
// its owner chose so (MemoryStore's ForgetWhenFull), and say it did.
//
// The methods take a context first and report failures as errors (the
// middleware then answers 503 with Retry-After, so the sender retries): a
// store shared by several instances (Redis, a database) fits behind it as
// well as the in-memory default, NewMemoryStore. Implementations must be
// safe for concurrent use; the package replaytest checks the contract
// (replaytest.RunBounded, the rules of a full store).
//
// A store that loses its memory (a process restarted with MemoryStore,
// Redis restarted without persistence or evicting keys) forgets the
// signatures it saw: within their freshness window, a replay is handled
// again and a captured signature sent with forged fields is accepted as
// new. The middleware's documentation ("Losing the replay memory") says
// what prevents it.
type ReplayStore interface {
	// Claim atomically looks key up and answers:
	//   - absent or expired: it records key in progress with fp, the claim
	//     lasting lease and the fingerprint keep, and returns ClaimNew: the
	//     caller owns the claim and must call Complete or Release;
	//   - held with another fingerprint: ClaimConflict, entry unchanged;
	//   - done with fp: ClaimDuplicate;
	//   - in progress with fp, its claim running: ClaimInProgress;
	//   - released with fp, or in progress with a claim that lapsed (its
	//     instance died): it claims the entry again (lease from now, the
	//     fingerprint kept at least keep from now) and returns ClaimNew.
	Claim(ctx context.Context, key string, fp Fingerprint, lease, keep time.Duration) (ClaimResult, error)
	// Complete marks key done with fp (the handler succeeded), the
	// fingerprint kept at least keep from now. It recreates the entry if it
	// expired meanwhile; it leaves an entry holding another fingerprint
	// alone.
	Complete(ctx context.Context, key string, fp Fingerprint, keep time.Duration) error
	// Release drops the claim of key if it is in progress with fp (the
	// handler failed) and keeps the fingerprint: the same fingerprint may
	// claim again at once, another one is still a conflict. It leaves a done
	// entry, or one holding another fingerprint, alone.
	Release(ctx context.Context, key string, fp Fingerprint) error
}

// ReplayStoreAt is the optional interface of a ReplayStore that can be
// given the time instead of reading a clock, as io.Copy uses an io.WriterTo
// when it has one. The middleware reads its clock (Config.Now) once per
// request, for the freshness check; with a ReplayStoreAt it hands that
// reading to the store instead of the store reading a clock twice more.
// ClaimAt, CompleteAt and ReleaseAt behave as Claim, Complete and Release
// would with the store's clock reading now; a store implementing them runs
// on its caller's clock. MemoryStore implements it; replaytest checks both
// paths of a store that does.
type ReplayStoreAt interface {
	ReplayStore
	ClaimAt(ctx context.Context, key string, fp Fingerprint, now time.Time, lease, keep time.Duration) (ClaimResult, error)
	CompleteAt(ctx context.Context, key string, fp Fingerprint, now time.Time, keep time.Duration) error
	ReleaseAt(ctx context.Context, key string, fp Fingerprint, now time.Time) error
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

// keyBufSize holds the key of a notification with an AppId of up to 23
// bytes (WeChat's are 18): "AppId:" and 40 hex digits. A longer key costs
// an allocation of its own.
const keyBufSize = 64

// replayKey returns "AppId:signature" with the signature in lower-case hex,
// so a copy whose signature differs only in letter case (which
// verification accepts) maps to the same key. With buf, a key that fits is
// written there and the string aliases it (no allocation): the caller
// keeps buf unchanged for as long as the key is used, stores included.
func replayKey(appID, sig string, buf *[keyBufSize]byte) string {
	if buf == nil || len(appID)+1+len(sig) > len(buf) {
		return string(appendKey(nil, appID, sig))
	}
	b := appendKey(buf[:0], appID, sig)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func appendKey(b []byte, appID, sig string) []byte {
	b = append(b, appID...)
	b = append(b, ':')
	for i := 0; i < len(sig); i++ {
		c := sig[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// sharedKey is the key of a notification that shares its signature with
// another (AcceptSharedSignature): "AppId:signature#fingerprint".
func sharedKey(key string, fp Fingerprint) string {
	return key + "#" + fp.String()
}

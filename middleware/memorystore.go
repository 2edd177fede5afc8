package middleware

import (
	"context"
	"hash/maphash"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// DefaultMaxEntries is how many notifications a MemoryStore remembers at
// most by default. An entry is kept while its notification's TimeStamp is
// inside the freshness window (MaxAge + MaxFuture, 11 minutes by default),
// so the default covers a sustained 15 notifications a second, far more
// than any merchant receives complaints. An entry costs about 160 bytes:
// the default bounds the store near 1.6 MB.
const DefaultMaxEntries = 10_000

// FullPolicy says what a MemoryStore does when it is full of entries still
// inside their freshness window and a new notification arrives.
type FullPolicy uint8

const (
	// RefuseWhenFull (the default): the new notification's claim fails with
	// an error wrapping ErrStoreFull, which the middleware answers 503 with
	// Retry-After, until an entry leaves its window. WeChat delivers again
	// later; nothing is handled twice. The store's capacity is then the
	// service's: size MaxEntries to the peak.
	RefuseWhenFull FullPolicy = iota
	// ForgetWhenFull: the store forgets the finished entry (handled or
	// failed) closest to leaving its window, warns and reports
	// OutcomeReplayDegraded: every notification is taken, but a replay of
	// the forgotten one would be handled again, and a copy of it with
	// forged fields accepted. A claim in progress is never forgotten: with
	// nothing else to forget, the claim fails as with RefuseWhenFull.
	ForgetWhenFull
)

// MemoryOptions configures NewMemoryStore.
type MemoryOptions struct {
	// MaxEntries bounds how many entries the store holds (0:
	// DefaultMaxEntries). Size it to the notifications of one freshness
	// window: peak notifications per second × (MaxAge + MaxFuture) in
	// seconds. Only notifications whose signature verified are ever
	// stored, so an attacker without the key cannot fill it.
	MaxEntries int
	// WhenFull is what happens when a new notification finds the store
	// full of fresh entries (RefuseWhenFull, the zero value: answer 503 and
	// let WeChat deliver again; or ForgetWhenFull). Any other value
	// refuses.
	WhenFull FullPolicy
	// Now is the clock deciding expiry in Claim, Complete and Release (nil:
	// time.Now). Behind a middleware the store runs on the middleware's
	// clock (Config.Now) instead: the middleware calls ClaimAt, CompleteAt
	// and ReleaseAt with its own reading (see ReplayStoreAt).
	Now func() time.Time
	// Logger receives a warning when the store is full (a notification
	// refused, or a fresh entry forgotten), at most once a minute with the
	// count since the last one (nil: nothing is logged). The middleware
	// passes the logger of its Config to the store it creates.
	Logger *slog.Logger
	// Metrics is told each time a still-fresh entry is forgotten
	// (ForgetWhenFull; nil: nobody). The middleware passes its
	// Config.Metrics to the store it creates.
	Metrics Metrics
}

// MemoryStore is the in-memory ReplayStore (and ReplayStoreAt), bounded in
// count. It serves one process; several instances behind a load balancer
// need a shared store (the package redisstore has one). Its methods fail
// only when the store is full (ErrStoreFull, see FullPolicy).
//
// Inside, entries live in one array without pointers (the garbage
// collector never scans them), found through an open-addressing table
// indexed by a hash of the key: a claim is one probe sequence, whatever
// its outcome. Each entry is also on the list of the second it expires in,
// a wheel of 4,096 such lists, so that inserting, moving and sweeping an
// entry cost the same however many the store holds.
type MemoryStore struct {
	max     int
	policy  FullPolicy
	now     func() time.Time
	log     *slog.Logger
	metrics Metrics
	seed    maphash.Seed

	mu      sync.Mutex // guards everything below
	entries []memEntry // index i is entry i+1 (0 means none)
	table   []int32    // open addressing: entry numbers, 0 empty
	count   int        // entries in use
	free    int32      // first free entry (linked by next), 0 none
	wheel   [wheelSize]int32
	swept   int64 // seconds before this one are swept (0: never)
	first   int64 // no entry expires in a second before this one
	seq     uint64
	full    fullLog
	evicted uint64 // still-fresh entries forgotten, ever
	refused uint64 // claims refused because full, ever
}

// wheelSize is the number of per-second expiry lists (a power of two).
// Entries expiring further ahead share a list with earlier seconds and are
// passed over until their time comes.
const wheelSize = 4096

// inlineKey is the longest key kept as it is; longer keys are kept as
// their SHA-256.
const inlineKey = 64

// entryState is the state of a MemoryStore entry.
type entryState uint8

const (
	inProgress entryState = iota
	released
	done
)

// memEntry is one entry. It holds no pointer.
type memEntry struct {
	hash  uint64
	key   [inlineKey]byte // the key, or its SHA-256 when long
	klen  uint8           // bytes of key used
	long  bool            // key holds the SHA-256 of a longer key
	state entryState
	fp    Fingerprint
	lease int64  // Unix ns the claim runs until (in progress)
	keep  int64  // Unix ns the fingerprint is kept until
	exp   int64  // max(lease, keep): when the entry is forgotten
	seq   uint64 // insertion order
	slot  int32  // position in table
	prev  int32  // neighbours on the wheel's list (or the free list)
	next  int32
}

// fullLog rate-limits the warning about a full store.
type fullLog struct {
	warned   time.Time
	unwarned uint64
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemoryStore{max: opts.MaxEntries, policy: opts.WhenFull, now: opts.Now, log: opts.Logger,
		metrics: opts.Metrics, seed: maphash.MakeSeed(), table: make([]int32, 64)}
}

// Claim implements ReplayStore.
func (s *MemoryStore) Claim(ctx context.Context, key string, fp Fingerprint, lease, keep time.Duration) (ClaimResult, error) {
	return s.ClaimAt(ctx, key, fp, s.now(), lease, keep)
}

// ClaimAt implements ReplayStoreAt.
func (s *MemoryStore) ClaimAt(_ context.Context, key string, fp Fingerprint, t time.Time, lease, keep time.Duration) (ClaimResult, error) {
	now := t.UnixNano()
	res, ev := s.claimEntry(key, fp, now, deadline(now, lease), deadline(now, keep))
	s.report(ev, key)
	if ev.refused {
		return 0, &StoreFullError{RetryAfter: ev.retryAfter}
	}
	return res, nil
}

func (s *MemoryStore) claimEntry(key string, fp Fingerprint, now, lease, keep int64) (ClaimResult, fullEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.keyHash(key)
	slot, i := s.find(h, key)
	if i != 0 {
		e := &s.entries[i-1]
		switch {
		case e.exp <= now: // expired: the slot is reused below
		case e.fp != fp:
			return ClaimConflict, fullEvent{}
		case e.state == done:
			return ClaimDuplicate, fullEvent{}
		case e.state == inProgress && now < e.lease:
			return ClaimInProgress, fullEvent{}
		default: // released, or a claim that lapsed: claim it again
			e.state, e.lease, e.keep = inProgress, lease, max(e.keep, keep)
			s.settle(i, now)
			return ClaimNew, fullEvent{}
		}
		// Expired: the entry is reused in place, as if it were new.
		e.fp, e.state, e.lease, e.keep = fp, inProgress, lease, keep
		s.seq++
		e.seq = s.seq
		s.settle(i, now)
		return ClaimNew, fullEvent{}
	}
	if max(lease, keep) <= now {
		return ClaimNew, fullEvent{} // over as soon as made: nothing to keep
	}
	ev, ok := s.make(&slot, h, key, now)
	if !ok {
		return 0, ev
	}
	s.insert(slot, h, key, fp, inProgress, lease, keep)
	return ClaimNew, ev
}

// Complete implements ReplayStore.
func (s *MemoryStore) Complete(ctx context.Context, key string, fp Fingerprint, keep time.Duration) error {
	return s.CompleteAt(ctx, key, fp, s.now(), keep)
}

// CompleteAt implements ReplayStoreAt. When the entry expired meanwhile and
// the store is full, it fails with ErrStoreFull under RefuseWhenFull: the
// notification was handled, but its re-deliveries will be refused until the
// store has room, never handled again without it being said.
func (s *MemoryStore) CompleteAt(_ context.Context, key string, fp Fingerprint, t time.Time, keep time.Duration) error {
	now := t.UnixNano()
	ev := s.completeEntry(key, fp, now, deadline(now, keep))
	s.report(ev, key)
	if ev.refused {
		return &StoreFullError{RetryAfter: ev.retryAfter}
	}
	return nil
}

func (s *MemoryStore) completeEntry(key string, fp Fingerprint, now, keep int64) fullEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.keyHash(key)
	slot, i := s.find(h, key)
	if i != 0 {
		e := &s.entries[i-1]
		switch {
		case e.exp <= now: // expired: recreate it, done
			e.fp, e.state, e.lease, e.keep = fp, done, 0, keep
			s.seq++
			e.seq = s.seq
			s.settle(i, now)
		case e.fp == fp:
			e.state, e.lease, e.keep = done, 0, max(e.keep, keep)
			s.settle(i, now)
		}
		return fullEvent{}
	}
	if keep <= now {
		return fullEvent{} // already out of its window: nothing to keep
	}
	ev, ok := s.make(&slot, h, key, now)
	if !ok {
		return ev
	}
	s.insert(slot, h, key, fp, done, 0, keep)
	return ev
}

// Release implements ReplayStore.
func (s *MemoryStore) Release(ctx context.Context, key string, fp Fingerprint) error {
	return s.ReleaseAt(ctx, key, fp, s.now())
}

// ReleaseAt implements ReplayStoreAt.
func (s *MemoryStore) ReleaseAt(_ context.Context, key string, fp Fingerprint, t time.Time) error {
	now := t.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, i := s.find(s.keyHash(key), key)
	if i == 0 {
		return nil
	}
	e := &s.entries[i-1]
	if e.exp <= now || e.state != inProgress || e.fp != fp {
		return nil
	}
	if e.keep <= now {
		s.remove(i)
		return nil
	}
	e.state, e.lease = released, 0
	s.settle(i, now)
	return nil
}

// Len returns how many entries the store holds, expired ones not yet
// swept included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Evicted returns how many entries the store forgot while they were still
// fresh because it was full (ForgetWhenFull): each is a notification that
// would be handled again if replayed. Above zero, raise MaxEntries.
func (s *MemoryStore) Evicted() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted
}

// Refused returns how many claims the store refused because it was full
// of fresh entries: each was answered 503 and is delivered again by WeChat
// later. Above zero, raise MaxEntries.
func (s *MemoryStore) Refused() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// deadline is now+d rounded up to the millisecond. The middleware passes
// durations to the end of a window that ends on a whole second; rounding
// drops the nanoseconds between its clock reading and the store's, so
// entries of one TimeStamp expire together and are evicted oldest first.
func deadline(now int64, d time.Duration) int64 {
	const ms = int64(time.Millisecond)
	t := now + int64(d)
	if r := t % ms; r > 0 {
		t += ms - r
	}
	return t
}

// fullEvent says that the store was full when a key arrived: whether it
// forgot a fresh entry (happened) or refused the key (refused, with when
// room is expected), and whether to warn now (with the count since the
// last warning).
type fullEvent struct {
	happened   bool
	refused    bool
	retryAfter time.Duration
	warn       bool
	count      uint64
}

// report logs and counts a full store, outside the lock.
func (s *MemoryStore) report(ev fullEvent, key string) {
	if !ev.happened && !ev.refused {
		return
	}
	appID, _, _ := strings.Cut(key, ":")
	if ev.happened && s.metrics != nil {
		s.metrics.Observe(Observation{Outcome: OutcomeReplayDegraded, AppID: appID})
	}
	if !ev.warn || s.log == nil {
		return
	}
	if ev.refused {
		s.log.LogAttrs(context.Background(), slog.LevelWarn,
			"payfeedback: replay store full: refusing new notifications with 503 until an entry leaves the freshness window (WeChat delivers them again); raise MemoryOptions.MaxEntries",
			slog.Int("max_entries", s.max), slog.Uint64("refused", ev.count), slog.String("appid", appID))
		return
	}
	s.log.LogAttrs(context.Background(), slog.LevelWarn,
		"payfeedback: replay store full: forgot notifications still inside the freshness window, which would be handled again if replayed; raise MemoryOptions.MaxEntries",
		slog.Int("max_entries", s.max), slog.Uint64("forgotten", ev.count), slog.String("appid", appID))
}

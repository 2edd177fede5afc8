package middleware

import (
	"context"
	"crypto/sha256"
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

// keyHash returns the table hash of key.
func (s *MemoryStore) keyHash(key string) uint64 {
	return maphash.String(s.seed, key)
}

// find returns the slot of key in the table and its entry number, or the
// empty slot where it would go and 0.
func (s *MemoryStore) find(h uint64, key string) (slot int, i int32) {
	mask := len(s.table) - 1
	for slot = int(h) & mask; ; slot = (slot + 1) & mask {
		i = s.table[slot]
		if i == 0 {
			return slot, 0
		}
		if e := &s.entries[i-1]; e.hash == h && e.is(key) {
			return slot, i
		}
	}
}

// is reports whether e holds key.
func (e *memEntry) is(key string) bool {
	if len(key) <= inlineKey {
		return !e.long && int(e.klen) == len(key) && string(e.key[:e.klen]) == key
	}
	sum := sha256.Sum256([]byte(key))
	return e.long && [sha256.Size]byte(e.key[:sha256.Size]) == sum
}

// setKey stores key in e.
func (e *memEntry) setKey(key string) {
	if len(key) <= inlineKey {
		e.klen, e.long = uint8(copy(e.key[:], key)), false
		return
	}
	sum := sha256.Sum256([]byte(key))
	e.klen, e.long = uint8(copy(e.key[:], sum[:])), true
}

// room makes room for one more entry: it sweeps what expired and, when the
// store is still full, refuses or forgets (see FullPolicy). Sweeping and
// forgetting move entries in the table: the caller probes again when the
// count changed.
func (s *MemoryStore) room(now int64) fullEvent {
	s.sweep(now)
	if s.count < s.max {
		return fullEvent{}
	}
	s.sweepList(list(now), now) // the current second's, left by sweep
	if s.count < s.max {
		return fullEvent{}
	}
	var ev fullEvent
	victim := int32(0)
	if s.policy == ForgetWhenFull {
		victim = s.earliest(true)
	}
	if victim != 0 {
		if s.entries[victim-1].exp > now {
			s.evicted++
			ev.happened = true
		}
		s.remove(victim)
		if !ev.happened {
			return ev // it had expired after all: nothing lost
		}
	} else {
		s.refused++
		ev.refused = true
		ev.retryAfter = time.Second
		if first := s.earliest(false); first != 0 {
			ev.retryAfter = max(time.Duration(s.entries[first-1].exp-now), time.Second)
		}
	}
	if t := time.Unix(0, now); s.full.warned.IsZero() || t.Sub(s.full.warned) >= time.Minute || t.Before(s.full.warned) {
		ev.warn, ev.count = true, s.full.unwarned+1
		s.full.warned, s.full.unwarned = t, 0
	} else {
		s.full.unwarned++
	}
	return ev
}

// sweep forgets the expired entries of the lists of the whole seconds past
// since the last sweep. The current second's list is left for later: most
// of its entries are not due yet.
func (s *MemoryStore) sweep(now int64) {
	sec := now / int64(time.Second)
	if s.swept == 0 || sec <= s.swept {
		if s.swept == 0 {
			s.swept = sec
		}
		return
	}
	from := max(s.swept, sec-wheelSize)
	for t := from; t < sec; t++ {
		s.sweepList(list(t*int64(time.Second)), now)
	}
	s.swept = sec
}

// sweepList forgets the expired entries of one list.
func (s *MemoryStore) sweepList(l int, now int64) {
	for i := s.wheel[l]; i != 0; {
		e := &s.entries[i-1]
		next := e.next
		if e.exp <= now {
			s.remove(i)
		}
		i = next
	}
}

// earliest returns the entry expiring first, to the second (the oldest of
// that second first), skipping those in progress when asked; 0 when there
// is none. It walks the wheel from the earliest second holding an entry,
// which it remembers, so that calls in a row cost about one step each.
func (s *MemoryStore) earliest(skipInProgress bool) int32 {
	if s.count == 0 {
		return 0
	}
	for t := s.first; t < s.first+wheelSize; t++ {
		seen := false
		for i := s.wheel[list(t*int64(time.Second))]; i != 0; i = s.entries[i-1].next {
			e := &s.entries[i-1]
			if e.exp/int64(time.Second) != t {
				continue // a later turn of the wheel
			}
			seen = true
			if !skipInProgress || e.state != inProgress {
				return i
			}
		}
		if !seen && t == s.first {
			s.first = t + 1 // no entry expires in second t
		}
	}
	// Expiries further ahead than the wheel (or all in progress): look at
	// every entry.
	best := int32(0)
	for i := range s.entries {
		e := &s.entries[i]
		if e.slot < 0 || (skipInProgress && e.state == inProgress) {
			continue
		}
		if b := best; b == 0 || e.exp < s.entries[b-1].exp || (e.exp == s.entries[b-1].exp && e.seq < s.entries[b-1].seq) {
			best = int32(i + 1)
		}
	}
	return best
}

// make makes room for key, absent from the table, and updates *slot, the
// empty slot found for it, if sweeping, forgetting or growing moved it. It
// reports false when the store refuses the key.
func (s *MemoryStore) make(slot *int, h uint64, key string, now int64) (fullEvent, bool) {
	before := s.count
	ev := s.room(now)
	if ev.refused {
		return ev, false
	}
	moved := s.count != before
	if len(s.table) < 2*(s.count+1) {
		s.grow()
		moved = true
	}
	if moved {
		*slot, _ = s.find(h, key)
	}
	return ev, true
}

// insert puts a new entry in the empty slot.
func (s *MemoryStore) insert(slot int, h uint64, key string, fp Fingerprint, st entryState, lease, keep int64) {
	i := s.free
	if i != 0 {
		s.free = s.entries[i-1].next
	} else {
		s.entries = append(s.entries, memEntry{})
		i = int32(len(s.entries))
	}
	s.seq++
	e := &s.entries[i-1]
	*e = memEntry{hash: h, fp: fp, state: st, lease: lease, keep: keep, seq: s.seq, slot: int32(slot)}
	e.setKey(key)
	s.table[slot] = i
	s.count++
	e.exp = max(lease, keep)
	s.link(i)
}

// remove forgets entry i and keeps it for reuse.
func (s *MemoryStore) remove(i int32) {
	e := &s.entries[i-1]
	s.unlink(i)
	s.deleteSlot(int(e.slot))
	s.count--
	*e = memEntry{slot: -1, next: s.free}
	s.free = i
}

// deleteSlot empties a table slot, shifting back the entries after it that
// would no longer be found (deletion without tombstones in linear
// probing).
func (s *MemoryStore) deleteSlot(hole int) {
	mask := len(s.table) - 1
	s.table[hole] = 0
	for j := (hole + 1) & mask; s.table[j] != 0; j = (j + 1) & mask {
		e := &s.entries[s.table[j]-1]
		home := int(e.hash) & mask
		// Move j into the hole unless its home lies cyclically in (hole, j].
		if (j > hole && (home <= hole || home > j)) || (j < hole && home <= hole && home > j) {
			s.table[hole] = s.table[j]
			e.slot = int32(hole)
			s.table[j] = 0
			hole = j
		}
	}
}

// grow doubles the table, up to twice the bound.
func (s *MemoryStore) grow() {
	size := len(s.table) * 2
	for size < 2*(s.count+1) {
		size *= 2
	}
	s.table = make([]int32, size)
	mask := size - 1
	for i := range s.entries {
		e := &s.entries[i]
		if e.slot < 0 {
			continue
		}
		slot := int(e.hash) & mask
		for s.table[slot] != 0 {
			slot = (slot + 1) & mask
		}
		s.table[slot] = int32(i + 1)
		e.slot = int32(slot)
	}
}

// settle moves entry i to the list of its new expiry, or forgets it when
// that has passed already (so that no list holds an entry of a second it
// was swept for).
func (s *MemoryStore) settle(i int32, now int64) {
	if e := &s.entries[i-1]; max(e.lease, e.keep) <= now {
		s.remove(i)
		return
	}
	s.reschedule(i)
}

// reschedule moves entry i to the list of its new expiry.
func (s *MemoryStore) reschedule(i int32) {
	e := &s.entries[i-1]
	exp := max(e.lease, e.keep)
	if exp == e.exp {
		return
	}
	s.unlink(i)
	e.exp = exp
	s.link(i)
}

// list returns the wheel list of an expiry.
func list(exp int64) int {
	return int((exp / int64(time.Second)) & (wheelSize - 1))
}

// link appends entry i to its list's tail (the head's prev).
func (s *MemoryStore) link(i int32) {
	e := &s.entries[i-1]
	if sec := e.exp / int64(time.Second); sec < s.first || s.count == 1 {
		s.first = sec
	}
	l := list(e.exp)
	head := s.wheel[l]
	if head == 0 {
		s.wheel[l] = i
		e.prev, e.next = i, 0
		return
	}
	tail := s.entries[head-1].prev
	s.entries[tail-1].next = i
	e.prev, e.next = tail, 0
	s.entries[head-1].prev = i
}

// unlink takes entry i off its list.
func (s *MemoryStore) unlink(i int32) {
	e := &s.entries[i-1]
	l := list(e.exp)
	head := s.wheel[l]
	if head == i {
		s.wheel[l] = e.next
		if e.next != 0 {
			s.entries[e.next-1].prev = e.prev
		}
	} else {
		s.entries[e.prev-1].next = e.next
		if e.next != 0 {
			s.entries[e.next-1].prev = e.prev
		} else {
			s.entries[head-1].prev = e.prev
		}
	}
	e.prev, e.next = 0, 0
}

package middleware

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// DefaultMaxEntries is how many notifications a MemoryStore remembers at
// most by default. An entry is kept while its notification's TimeStamp is
// inside the freshness window (MaxAge + MaxFuture, 11 minutes by default),
// so the default covers a sustained 15 notifications a second, far more
// than any merchant receives complaints. An entry costs about 250 bytes:
// the default bounds the store near 2.5 MB.
const DefaultMaxEntries = 10_000

// MemoryOptions configures NewMemoryStore.
type MemoryOptions struct {
	// MaxEntries bounds how many entries the store holds (0:
	// DefaultMaxEntries). Size it to the notifications of one freshness
	// window: peak notifications per second × (MaxAge + MaxFuture) in
	// seconds. When the store is full and no entry has expired, the entry
	// closest to leaving the window is forgotten, a warning is logged and
	// Metrics is told (OutcomeReplayDegraded): a replay of that notification
	// would be handled again. Only notifications whose signature verified
	// are ever stored, so an attacker without the key cannot fill it.
	MaxEntries int
	// Now is the clock deciding expiry in Claim, Complete and Release (nil:
	// time.Now). Behind a middleware the store runs on the middleware's
	// clock (Config.Now) instead: the middleware calls ClaimAt, CompleteAt
	// and ReleaseAt with its own reading (see ReplayStoreAt).
	Now func() time.Time
	// Logger receives the warning when a still-fresh entry is forgotten, at
	// most once a minute with the count since the last one (nil: nothing
	// is logged). The middleware passes its Config.Logger to the store it
	// creates.
	Logger *slog.Logger
	// Metrics is told each time a still-fresh entry is forgotten (nil:
	// nobody). The middleware passes its Config.Metrics to the store it
	// creates.
	Metrics Metrics
}

// MemoryStore is the in-memory ReplayStore (and ReplayStoreAt): a map plus
// a min-heap ordered by expiry, bounded in count. It serves one process;
// several instances behind a load balancer need a shared store (the
// package redisstore has one). Its methods never fail.
type MemoryStore struct {
	max     int
	now     func() time.Time
	log     *slog.Logger
	metrics Metrics

	mu       sync.Mutex // guards everything below
	m        map[string]*memEntry
	heap     []*memEntry // by expiry, then insertion order
	free     *memEntry   // entries to reuse, linked by next
	seq      uint64
	evicted  uint64    // still-fresh entries forgotten, ever
	unwarned uint64    // of which not yet in a warning
	warned   time.Time // when the last warning was logged
}

// entryState is the state of a MemoryStore entry.
type entryState uint8

const (
	inProgress entryState = iota
	released
	done
)

type memEntry struct {
	key   string
	fp    Fingerprint
	state entryState
	lease int64  // Unix ns the claim runs until (in progress)
	keep  int64  // Unix ns the fingerprint is kept until
	exp   int64  // max(lease, keep): when the entry is forgotten
	seq   uint64 // insertion order, breaking ties of exp
	idx   int    // position in the heap
	next  *memEntry
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemoryStore{max: opts.MaxEntries, now: opts.Now, log: opts.Logger, metrics: opts.Metrics,
		m: make(map[string]*memEntry)}
}

// Claim implements ReplayStore.
func (s *MemoryStore) Claim(ctx context.Context, key string, fp Fingerprint, lease, keep time.Duration) (ClaimResult, error) {
	return s.ClaimAt(ctx, key, fp, s.now(), lease, keep)
}

// ClaimAt implements ReplayStoreAt.
func (s *MemoryStore) ClaimAt(_ context.Context, key string, fp Fingerprint, t time.Time, lease, keep time.Duration) (ClaimResult, error) {
	now := t.UnixNano()
	res, ev := s.claim(key, fp, now, deadline(now, lease), deadline(now, keep))
	s.report(ev, key)
	return res, nil
}

func (s *MemoryStore) claim(key string, fp Fingerprint, now, lease, keep int64) (ClaimResult, eviction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.lookup(key, now)
	switch {
	case e == nil:
		return ClaimNew, s.insert(key, fp, inProgress, lease, keep, now)
	case e.fp != fp:
		return ClaimConflict, eviction{}
	case e.state == done:
		return ClaimDuplicate, eviction{}
	case e.state == inProgress && now < e.lease:
		return ClaimInProgress, eviction{}
	}
	// Released, or a claim that lapsed: claim it again.
	e.state, e.lease, e.keep = inProgress, lease, max(e.keep, keep)
	s.fix(e)
	return ClaimNew, eviction{}
}

// Complete implements ReplayStore.
func (s *MemoryStore) Complete(ctx context.Context, key string, fp Fingerprint, keep time.Duration) error {
	return s.CompleteAt(ctx, key, fp, s.now(), keep)
}

// CompleteAt implements ReplayStoreAt.
func (s *MemoryStore) CompleteAt(_ context.Context, key string, fp Fingerprint, t time.Time, keep time.Duration) error {
	now := t.UnixNano()
	s.report(s.complete(key, fp, now, deadline(now, keep)), key)
	return nil
}

func (s *MemoryStore) complete(key string, fp Fingerprint, now, keep int64) eviction {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.lookup(key, now)
	switch {
	case e == nil:
		return s.insert(key, fp, done, 0, keep, now)
	case e.fp == fp:
		e.state, e.lease, e.keep = done, 0, max(e.keep, keep)
		s.fix(e)
	}
	return eviction{}
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
	if e := s.lookup(key, now); e != nil && e.state == inProgress && e.fp == fp {
		e.state, e.lease = released, 0
		if e.keep <= now {
			s.remove(e)
			return nil
		}
		s.fix(e)
	}
	return nil
}

// Len returns how many entries the store holds, expired ones not yet
// swept included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// Evicted returns how many entries the store forgot while they were still
// fresh because it was full: each is a notification that would be handled
// again if replayed. Above zero, raise MaxEntries (see MemoryOptions).
func (s *MemoryStore) Evicted() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted
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

// eviction says that an insertion forgot a still-fresh entry, and whether
// to log it now (warn, with the count since the last warning).
type eviction struct {
	happened bool
	warn     bool
	count    uint64
}

// report logs and counts an eviction, outside the lock.
func (s *MemoryStore) report(ev eviction, key string) {
	if !ev.happened {
		return
	}
	appID, _, _ := strings.Cut(key, ":")
	if s.metrics != nil {
		s.metrics.Observe(Observation{Outcome: OutcomeReplayDegraded, AppID: appID})
	}
	if ev.warn && s.log != nil {
		s.log.LogAttrs(context.Background(), slog.LevelWarn,
			"payfeedback: replay store full: forgot notifications still inside the freshness window, which would be handled again if replayed; raise MemoryOptions.MaxEntries",
			slog.Int("max_entries", s.max), slog.Uint64("forgotten", ev.count), slog.String("appid", appID))
	}
}

// lookup returns the live entry of key, removing it if it expired.
func (s *MemoryStore) lookup(key string, now int64) *memEntry {
	e := s.m[key]
	if e != nil && e.exp <= now {
		s.remove(e)
		return nil
	}
	return e
}

// insert adds an entry, first sweeping expired entries and, when the store
// is still full, forgetting the entry closest to expiry.
func (s *MemoryStore) insert(key string, fp Fingerprint, st entryState, lease, keep, now int64) eviction {
	for len(s.heap) > 0 && s.heap[0].exp <= now {
		s.remove(s.heap[0])
	}
	var ev eviction
	if len(s.m) >= s.max {
		s.remove(s.heap[0])
		s.evicted++
		s.unwarned++
		ev.happened = true
		if t := time.Unix(0, now); s.warned.IsZero() || t.Sub(s.warned) >= time.Minute || t.Before(s.warned) {
			ev.warn, ev.count = true, s.unwarned
			s.warned, s.unwarned = t, 0
		}
	}
	e := s.free
	if e != nil {
		s.free = e.next
	} else {
		e = new(memEntry)
	}
	s.seq++
	*e = memEntry{key: key, fp: fp, state: st, lease: lease, keep: keep, exp: max(lease, keep), seq: s.seq}
	s.m[key] = e
	e.idx = len(s.heap)
	s.heap = append(s.heap, e)
	s.up(e.idx)
	return ev
}

// remove forgets e and keeps it for reuse.
func (s *MemoryStore) remove(e *memEntry) {
	delete(s.m, e.key)
	i, last := e.idx, len(s.heap)-1
	if i != last {
		s.swap(i, last)
	}
	s.heap[last] = nil
	s.heap = s.heap[:last]
	if i != last && !s.down(i) {
		s.up(i)
	}
	*e = memEntry{next: s.free}
	s.free = e
}

// fix restores the heap order after e's times changed.
func (s *MemoryStore) fix(e *memEntry) {
	exp := max(e.lease, e.keep)
	if exp == e.exp {
		return
	}
	e.exp = exp
	if !s.down(e.idx) {
		s.up(e.idx)
	}
}

func (s *MemoryStore) less(i, j int) bool {
	a, b := s.heap[i], s.heap[j]
	return a.exp < b.exp || (a.exp == b.exp && a.seq < b.seq)
}

func (s *MemoryStore) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].idx = i
	s.heap[j].idx = j
}

func (s *MemoryStore) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !s.less(j, i) {
			break
		}
		s.swap(i, j)
		j = i
	}
}

// down moves the element at i0 down; it reports whether it moved.
func (s *MemoryStore) down(i0 int) bool {
	i, n := i0, len(s.heap)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && s.less(r, l) {
			j = r
		}
		if !s.less(j, i) {
			break
		}
		s.swap(i, j)
		i = j
	}
	return i > i0
}

package middleware

import (
	"context"
	"sync"
	"time"
)

// DefaultMaxEntries is how many notifications a MemoryStore remembers by
// default: with the default 10-minute window, a sustained 16 notifications a
// second, far more than any merchant receives complaints. An entry costs
// about 200 bytes, so the default bounds the store near 2 MB.
const DefaultMaxEntries = 10_000

// MemoryOptions configures NewMemoryStore.
type MemoryOptions struct {
	// MaxEntries bounds how many keys are remembered (0: DefaultMaxEntries).
	// When the store is full, the oldest entry is forgotten first; only
	// notifications whose signature verified are ever stored, so an
	// attacker without the key cannot fill it.
	MaxEntries int
	// Now is the clock deciding expiry (nil: time.Now). The middleware
	// passes its own Config.Now to the store it creates.
	Now func() time.Time
}

// MemoryStore is the in-memory ReplayStore: a map plus a list in insertion
// order, bounded in count, entries expiring after their ttl. It serves one
// process; several instances behind a load balancer need a shared store.
// Its methods never fail.
type MemoryStore struct {
	mu         sync.Mutex
	max        int
	now        func() time.Time
	m          map[string]*memEntry
	head, tail *memEntry // oldest first
	free       *memEntry // entries to reuse, linked by next
}

type memEntry struct {
	key        string
	fp         Fingerprint
	done       bool
	expires    time.Time
	prev, next *memEntry
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemoryStore{max: opts.MaxEntries, now: opts.Now, m: make(map[string]*memEntry)}
}

// Claim implements ReplayStore.
func (s *MemoryStore) Claim(_ context.Context, key string, fp Fingerprint, ttl time.Duration) (ClaimResult, error) {
	now := s.now()
	return s.claimAt(key, fp, now.Add(ttl), now), nil
}

// Complete implements ReplayStore.
func (s *MemoryStore) Complete(_ context.Context, key string, fp Fingerprint, ttl time.Duration) error {
	now := s.now()
	s.completeAt(key, fp, now.Add(ttl), now)
	return nil
}

// claimAt is Claim at the time now, the entry expiring at expires. The
// middleware calls it directly on the store it created, which shares its
// clock, to read the clock once per request.
func (s *MemoryStore) claimAt(key string, fp Fingerprint, expires, now time.Time) ClaimResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.lookup(key, now); e != nil {
		switch {
		case e.fp != fp:
			return ClaimConflict
		case e.done:
			return ClaimDuplicate
		default:
			return ClaimInProgress
		}
	}
	s.insert(key, fp, false, expires, now)
	return ClaimNew
}

// completeAt is Complete at the time now, the entry expiring at expires.
func (s *MemoryStore) completeAt(key string, fp Fingerprint, expires, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.lookup(key, now)
	switch {
	case e == nil:
		s.insert(key, fp, true, expires, now)
	case e.fp == fp:
		e.done = true
		e.expires = expires
		s.unlink(e)
		s.pushBack(e)
	}
}

// Release implements ReplayStore.
func (s *MemoryStore) Release(_ context.Context, key string, fp Fingerprint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.lookup(key, s.now()); e != nil && !e.done && e.fp == fp {
		s.remove(e)
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

// lookup returns the live entry of key, removing it if it expired.
func (s *MemoryStore) lookup(key string, now time.Time) *memEntry {
	e := s.m[key]
	if e != nil && !now.Before(e.expires) {
		s.remove(e)
		return nil
	}
	return e
}

// insert adds an entry, first sweeping expired entries from the front and
// forgetting the oldest one when the store is full.
func (s *MemoryStore) insert(key string, fp Fingerprint, done bool, expires, now time.Time) {
	for s.head != nil && !now.Before(s.head.expires) {
		s.remove(s.head)
	}
	if len(s.m) >= s.max {
		s.remove(s.head)
	}
	e := s.free
	if e != nil {
		s.free = e.next
	} else {
		e = new(memEntry)
	}
	*e = memEntry{key: key, fp: fp, done: done, expires: expires}
	s.m[key] = e
	s.pushBack(e)
}

func (s *MemoryStore) remove(e *memEntry) {
	delete(s.m, e.key)
	s.unlink(e)
	*e = memEntry{next: s.free}
	s.free = e
}

func (s *MemoryStore) pushBack(e *memEntry) {
	e.prev, e.next = s.tail, nil
	if s.tail != nil {
		s.tail.next = e
	} else {
		s.head = e
	}
	s.tail = e
}

func (s *MemoryStore) unlink(e *memEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

package middleware

import (
	"crypto/sha256"
	"hash/maphash"
	"time"
)

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

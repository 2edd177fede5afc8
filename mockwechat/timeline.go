package mockwechat

import (
	"slices"
	"sync"

	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
)

// timeline runs a scenario's later entries (complaints filed, actions) on
// the fake's clock and knows which are still to come, for snapshots.
//
// Lock order: mu is a leaf, never held while calling the world or the
// clock.
type timeline struct {
	mu      sync.Mutex
	gen     uint64 // a restart forgets the entries scheduled before
	entries []scenario.Entry
	fired   []bool
}

// start schedules the entries from scratch.
func (t *timeline) start(s *Server, entries []scenario.Entry) {
	t.mu.Lock()
	t.gen++
	gen := t.gen
	t.entries = slices.Clone(entries)
	t.fired = make([]bool, len(entries))
	t.mu.Unlock()
	for i, e := range entries {
		s.sched.At(e.At, func() { t.fire(s, gen, i) })
	}
}

// fire makes entry i happen, once, unless a restart came in between.
func (t *timeline) fire(s *Server, gen uint64, i int) {
	t.mu.Lock()
	if gen != t.gen || t.fired[i] {
		t.mu.Unlock()
		return
	}
	t.fired[i] = true
	e := t.entries[i]
	t.mu.Unlock()
	if e.Pay() {
		s.firePay(e)
		return
	}
	fx, err := e.Apply(s.world)
	s.apply(fx)
	if err != nil {
		s.log.Warn("mockwechat: scenario entry failed", "entry", e.Path, "at", e.At, "err", err)
	}
}

// pending returns the entries still to come, in time order.
func (t *timeline) pending() []scenario.Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []scenario.Entry
	for i, e := range t.entries {
		if !t.fired[i] {
			out = append(out, e)
		}
	}
	return out
}

package conformance

import (
	"container/heap"
	"sync"
	"time"
)

// The suite's timers on the fake's virtual clock (APIEnv.AfterFunc). The
// suite alone moves that clock, so it runs each timer when the clock
// reaches it: a merchant that defers work (a job that marks complaints
// handled later) is then met by virtual days in no real time.

// timer is one function due at a virtual instant.
type timer struct {
	at  time.Time
	seq uint64
	f   func()
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// timers are the suite's timers of a run. The lock is taken alone.
type timers struct {
	mu   sync.Mutex
	heap timerHeap
	seq  uint64
}

func (t *timers) add(at time.Time, f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	heap.Push(&t.heap, timer{at: at, seq: t.seq, f: f})
}

// next returns the earliest timer's instant, if any.
func (t *timers) next() (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.heap) == 0 {
		return time.Time{}, false
	}
	return t.heap[0].at, true
}

// popDue removes and returns the earliest timer due at or before until.
func (t *timers) popDue(until time.Time) (timer, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.heap) == 0 || t.heap[0].at.After(until) {
		return timer{}, false
	}
	return heap.Pop(&t.heap).(timer), true
}

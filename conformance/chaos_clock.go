package conformance

import (
	"container/heap"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// campaignClock is the chaos campaign's own clock, on which WeChat's
// retries wait. WeChat delivers a refused notification again 15 s, 15 s,
// 30 s, 3 min … later (retryLadder); by then the burst that made a
// merchant refuse it is over. The campaign does not wait that long in
// real time: a retry waits on this clock, which moves to the retry's
// instant only once nothing else of the campaign is being sent (every
// complaint played so far is done, or waits for a retry of its own), and
// then lets the earliest retry go, alone. So "15 s later" means after
// everything due before it, in no real time, and a merchant whose load
// clears as requests end sees it cleared.
//
// The lock guards every field; it is taken alone.
type campaignClock struct {
	mu sync.Mutex
	// now is how far the clock has moved since the campaign began.
	now time.Duration
	// busy counts what is being sent, or may send at the clock's present
	// instant: the workers not waiting for a retry, copies in flight.
	busy int
	due  retryQueue
	seq  uint64
}

// pending is one delivery waiting for its retry.
type pending struct {
	at       time.Duration
	seq      uint64
	index    int           // in the queue; -1 once released
	released chan struct{} // closed when the retry may go
}

// enter counts one more sender.
func (k *campaignClock) enter() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.busy++
}

// leave counts one sender less, letting the next retry go when it was
// the last.
func (k *campaignClock) leave() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.busy--
	k.releaseLocked()
}

// after waits, for a sender that entered, until the clock reached d from
// now and every retry due before went: its caller then sends again, still
// counted as a sender. It returns ctx's error when the run ends first.
func (k *campaignClock) after(ctx context.Context, d time.Duration) error {
	k.mu.Lock()
	k.seq++
	p := &pending{at: k.now + max(d, 0), seq: k.seq, released: make(chan struct{})}
	heap.Push(&k.due, p)
	k.busy--
	k.releaseLocked()
	k.mu.Unlock()
	select {
	case <-p.released:
		return nil
	case <-ctx.Done():
		k.mu.Lock()
		defer k.mu.Unlock()
		if p.index >= 0 {
			heap.Remove(&k.due, p.index)
			k.busy++ // a sender again, as when released
		}
		return ctx.Err()
	}
}

// releaseLocked lets the earliest retry go when nothing is being sent.
func (k *campaignClock) releaseLocked() {
	if k.busy > 0 || k.due.Len() == 0 {
		return
	}
	p := heap.Pop(&k.due).(*pending)
	k.now = max(k.now, p.at)
	k.busy++
	close(p.released)
}

// elapsed is how far the clock moved.
func (k *campaignClock) elapsed() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.now
}

// retryQueue orders pending retries by instant, then by arrival.
type retryQueue []*pending

func (q retryQueue) Len() int { return len(q) }
func (q retryQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q retryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *retryQueue) Push(x any) {
	p := x.(*pending)
	p.index = len(*q)
	*q = append(*q, p)
}
func (q *retryQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	*q, p.index = old[:len(old)-1], -1
	return p
}

// maxRetryAfter bounds a Retry-After the campaign honours: WeChat's own
// retries span about a day.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads the Retry-After of an answer (seconds, or an HTTP
// date), 0 when there is none or it cannot be read.
func retryAfter(ex Exchange) time.Duration {
	if ex.Response == nil {
		return 0
	}
	v := strings.TrimSpace(ex.Response.Header["Retry-After"])
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), maxRetryAfter)
	}
	return 0
}

// backPressure reports whether an answer asked the sender to come back
// later: 503 or 429, or a Retry-After.
func backPressure(ex Exchange) bool {
	if ex.Response == nil {
		return false
	}
	s := ex.Response.Status
	return s == http.StatusServiceUnavailable || s == http.StatusTooManyRequests || retryAfter(ex) > 0
}

// playAll plays a campaign's complaints 0 to n−1 on chaosWorkers workers,
// each calling play, and returns when they are done; once ctx ends, no
// complaint starts. A worker counts as a sender on k from its start to
// its end, but while it waits for a retry (after): k moves only when
// every worker waits, or is done.
func (k *campaignClock) playAll(ctx context.Context, n int, play func(ctx context.Context, i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range chaosWorkers {
		wg.Add(1)
		k.enter()
		go func() {
			defer wg.Done()
			defer k.leave()
			for i := range next {
				play(ctx, i)
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

package shardqueue_test

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/payfeedback/payfeedback/mockwechat/internal/shardqueue"
)

type item struct {
	key string
	n   int
}

// TestOrderPerKey: the items of each key are worked in the order queued,
// however many shards the keys share, items queued while others are
// being worked included.
func TestOrderPerKey(t *testing.T) {
	for _, shards := range []int{0, 1, 3, 8} {
		t.Run(fmt.Sprint(shards, " shards"), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				got := make(map[string][]int)
				q := shardqueue.New(shardqueue.Options[item]{Mu: &mu, Shards: shards, Work: func(it item) {
					mu.Lock()
					defer mu.Unlock()
					got[it.key] = append(got[it.key], it.n)
				}})
				keys := []string{"a", "b", "c", "d", "e"}
				const each = 50
				for n := range each {
					mu.Lock()
					for _, key := range keys {
						q.PushLocked(q.Shard(key), item{key, n})
					}
					mu.Unlock()
					if n%7 == 0 {
						synctest.Wait() // let the workers drain, so that some exit and start again
					}
				}
				q.WaitIdle()
				q.Wait()
				for _, key := range keys {
					if want := seq(each); !slices.Equal(got[key], want) {
						t.Errorf("key %s worked as %v, want %v", key, got[key], want)
					}
				}
			})
		})
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestWorkerBound: at most one item per shard is worked at once, so at
// most Shards in all, and every shard with items has its worker.
func TestWorkerBound(t *testing.T) {
	tests := []struct {
		name          string
		shards, items int
		onShards      int // the items go round these shards
		want          int // worked at once
	}{
		{"one shard", 1, 6, 1, 1},
		{"every shard busy", 3, 9, 3, 3},
		{"items on two of five shards", 5, 10, 2, 2},
		{"more shards than items", 8, 4, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var now, most, worked atomic.Int32
				release := make(chan struct{})
				q := shardqueue.New(shardqueue.Options[int]{Mu: &mu, Shards: tt.shards, Work: func(int) {
					n := now.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					<-release
					now.Add(-1)
					worked.Add(1)
				}})
				mu.Lock()
				for i := range tt.items {
					q.PushLocked(i%tt.onShards, i)
				}
				mu.Unlock()
				synctest.Wait()
				if n := now.Load(); int(n) != tt.want {
					t.Errorf("%d worked at once, want %d", n, tt.want)
				}
				close(release)
				q.WaitIdle()
				if m, w := most.Load(), worked.Load(); int(m) != tt.want || int(w) != tt.items {
					t.Errorf("at most %d at once and %d worked, want %d and %d", m, w, tt.want, tt.items)
				}
				q.Wait()
			})
		})
	}
}

// TestIdle: Idle and WaitIdle count the items queued and being worked;
// Done hears each item once Idle counts it.
func TestIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		gate := make(chan struct{})
		var q *shardqueue.Queue[string]
		var done []bool // Idle, as Done hears each item
		q = shardqueue.New(shardqueue.Options[string]{Mu: &mu, Shards: 2,
			Work: func(string) { <-gate },
			Done: func() {
				idle := q.Idle() // locks Mu: Done is called without it
				mu.Lock()
				done = append(done, idle)
				mu.Unlock()
			}})
		if !q.Idle() {
			t.Fatal("a new queue is not idle")
		}
		mu.Lock()
		q.PushLocked(0, "first")
		q.PushLocked(0, "second")
		mu.Unlock()
		var returned atomic.Bool
		go func() { q.WaitIdle(); returned.Store(true) }()
		synctest.Wait() // "first" is being worked, "second" queued
		if q.Idle() || returned.Load() {
			t.Fatalf("idle %v, WaitIdle returned %v, with two items in flight", q.Idle(), returned.Load())
		}
		gate <- struct{}{} // "first" ends
		synctest.Wait()
		if q.Idle() || returned.Load() {
			t.Fatalf("idle %v, WaitIdle returned %v, with one item in flight", q.Idle(), returned.Load())
		}
		gate <- struct{}{}
		synctest.Wait()
		if !q.Idle() || !returned.Load() {
			t.Fatalf("idle %v, WaitIdle returned %v, once every item is over", q.Idle(), returned.Load())
		}
		q.Wait()
		if want := []bool{false, true}; !slices.Equal(done, want) {
			t.Errorf("Done heard Idle %v, want %v", done, want)
		}
	})
}

// TestDropLocked: dropping empties the queues (the dropped items are
// never worked, and heard by the function given), leaves the item being
// worked to finish, and the queue goes on afterwards.
func TestDropLocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		gate := make(chan struct{})
		var worked []string
		q := shardqueue.New(shardqueue.Options[string]{Mu: &mu, Shards: 2, Work: func(s string) {
			if s == "a" {
				<-gate
			}
			mu.Lock()
			worked = append(worked, s)
			mu.Unlock()
		}})
		mu.Lock()
		for _, s := range []string{"a", "b", "c"} {
			q.PushLocked(0, s)
		}
		q.PushLocked(1, "x") // worked at once: its shard is drained before the drop
		mu.Unlock()
		synctest.Wait() // "a" is being worked, "b" and "c" queued
		var dropped []string
		mu.Lock()
		q.DropLocked(func(s string) { dropped = append(dropped, s) })
		mu.Unlock()
		if want := []string{"b", "c"}; !slices.Equal(dropped, want) {
			t.Errorf("dropped %v, want %v", dropped, want)
		}
		if q.Idle() {
			t.Error("idle while an item is being worked")
		}
		close(gate)
		q.WaitIdle()
		mu.Lock()
		q.PushLocked(0, "d")
		mu.Unlock()
		q.WaitIdle()
		q.Wait()
		if got, want := strings.Join(worked, ","), "x,a,d"; got != want {
			t.Errorf("worked %s, want %s", got, want)
		}
		mu.Lock()
		q.DropLocked(nil) // nothing queued: idle stays idle
		mu.Unlock()
		if !q.Idle() {
			t.Error("not idle after dropping nothing")
		}
	})
}

// TestHooks: Take and Finish are called with Mu held, Work and Done
// without it, in that order for each item.
func TestHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var events []string
		held := func(what string) { // called with Mu held: records, or says it was not
			if mu.TryLock() {
				mu.Unlock()
				t.Errorf("%s called without Mu", what)
			}
			events = append(events, what)
		}
		free := func(what string) { // deadlocks (the bubble fails) if Mu is held
			mu.Lock()
			defer mu.Unlock()
			events = append(events, what)
		}
		q := shardqueue.New(shardqueue.Options[string]{Mu: &mu, Shards: 1,
			Take:   func(s string) { held("take " + s) },
			Work:   func(s string) { free("work " + s) },
			Finish: func(s string) { held("finish " + s) },
			Done:   func() { free("done") },
		})
		mu.Lock()
		q.PushLocked(0, "a")
		q.PushLocked(0, "b")
		mu.Unlock()
		q.WaitIdle()
		q.Wait()
		want := "take a,work a,finish a,done,take b,work b,finish b,done"
		if got := strings.Join(events, ","); got != want {
			t.Errorf("events %s, want %s", got, want)
		}
	})
}

// TestFinishQueuesAgain: Finish may queue the item it hears of again;
// the item is worked once more, after those already queued on its shard,
// and the queue is never idle in between.
func TestFinishQueuesAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var worked []string
		var idleAtDone []bool
		var q *shardqueue.Queue[string]
		again := true
		q = shardqueue.New(shardqueue.Options[string]{Mu: &mu, Shards: 1,
			Work: func(s string) { mu.Lock(); worked = append(worked, s); mu.Unlock() },
			Finish: func(s string) {
				if s == "a" && again {
					again = false
					q.PushLocked(q.Shard(s), s)
				}
			},
			Done: func() {
				idle := q.Idle()
				mu.Lock()
				idleAtDone = append(idleAtDone, idle)
				mu.Unlock()
			},
		})
		mu.Lock()
		q.PushLocked(0, "a")
		q.PushLocked(0, "b")
		mu.Unlock()
		q.WaitIdle()
		q.Wait()
		if want := []string{"a", "b", "a"}; !slices.Equal(worked, want) {
			t.Errorf("worked %v, want %v", worked, want)
		}
		if want := []bool{false, false, true}; !slices.Equal(idleAtDone, want) {
			t.Errorf("Idle as Done heard each item: %v, want %v", idleAtDone, want)
		}
	})
}

// TestShard: keys go to shards in range, always the same for a key; a
// queue of fewer than one shard has one.
func TestShard(t *testing.T) {
	var mu sync.Mutex
	for _, shards := range []int{-1, 0, 1, 3, 8} {
		q := shardqueue.New(shardqueue.Options[int]{Mu: &mu, Shards: shards, Work: func(int) {}})
		seen := make(map[int]bool)
		for i := range 200 {
			key := fmt.Sprint("complaint-", i)
			s := q.Shard(key)
			if s < 0 || s >= max(shards, 1) || q.Shard(key) != s {
				t.Fatalf("%d shards: key %s on shard %d, then %d", shards, key, s, q.Shard(key))
			}
			h := fnv.New32a()
			h.Write([]byte(key))
			if want := int(h.Sum32() % uint32(max(shards, 1))); s != want {
				t.Fatalf("%d shards: key %s on shard %d, FNV-1a says %d", shards, key, s, want)
			}
			seen[s] = true
		}
		if len(seen) != max(shards, 1) {
			t.Errorf("%d shards: 200 keys used %d of them", shards, len(seen))
		}
		if n := testing.AllocsPerRun(100, func() { q.Shard("200202503010000000000000001") }); n != 0 {
			t.Errorf("Shard allocates %.0f times, want none", n)
		}
	}
}

// TestNewRequires: New panics without Mu or Work.
func TestNewRequires(t *testing.T) {
	var mu sync.Mutex
	tests := []struct {
		name string
		o    shardqueue.Options[int]
	}{
		{"no Mu", shardqueue.Options[int]{Work: func(int) {}}},
		{"no Work", shardqueue.Options[int]{Mu: &mu}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New did not panic")
				}
			}()
			shardqueue.New(tt.o)
		})
	}
}

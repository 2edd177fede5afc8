package shardqueue_test

import (
	"fmt"
	"sync"

	"github.com/payfeedback/payfeedback/mockwechat/internal/shardqueue"
)

// Nine items of three keys, worked by at most two workers: each key's
// items in the order queued.
func Example() {
	type item struct {
		key string
		n   int
	}
	var mu sync.Mutex // the owner's: guards got and the queue
	got := make(map[string][]int)
	q := shardqueue.New(shardqueue.Options[item]{Mu: &mu, Shards: 2, Work: func(it item) {
		mu.Lock()
		defer mu.Unlock()
		got[it.key] = append(got[it.key], it.n)
	}})
	keys := []string{"a", "b", "c"}
	mu.Lock()
	for n := range 3 {
		for _, key := range keys {
			q.PushLocked(q.Shard(key), item{key, n})
		}
	}
	mu.Unlock()
	q.WaitIdle()
	q.Wait()
	for _, key := range keys {
		fmt.Println(key, got[key])
	}
	// Output:
	// a [0 1 2]
	// b [0 1 2]
	// c [0 1 2]
}

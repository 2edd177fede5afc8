package shardqueue

import "sync"

// Options configure New. Mu and Work are required.
type Options[T any] struct {
	// Mu is the owner's mutex: it guards the queue's state with the
	// owner's (see the package doc, Locking).
	Mu *sync.Mutex
	// Shards is how many queues there are, so how many items are worked
	// at once at most; less than 1: 1.
	Shards int
	// Work works one item; the shard's worker calls it without Mu.
	Work func(T)
	// Take, when set, hears that an item leaves its queue to be worked;
	// called with Mu held, it must not lock Mu or block.
	Take func(T)
	// Finish, when set, hears that Work returned, while the item still
	// counts in flight; called with Mu held, it must not lock Mu or block.
	// It may queue items (PushLocked), that item again among them: Idle
	// never sees a moment between the two.
	Finish func(T)
	// Done, when set, hears that an item is over, once Idle counts it;
	// called without Mu, it must not block.
	Done func()
}

// Queue is per-key FIFO queues drained by at most Options.Shards
// workers, with an in-flight count. Safe for concurrent use under
// Options.Mu as its methods say.
type Queue[T any] struct {
	o        Options[T]
	idle     *sync.Cond // on o.Mu; signalled when inflight drops to 0
	workers  sync.WaitGroup
	inflight int // items queued or being worked (o.Mu)
	shards   []shard[T]
}

type shard[T any] struct {
	items   []T
	running bool // a worker drains the shard
}

// New returns an empty queue; it panics when Options.Mu or Work is nil.
func New[T any](o Options[T]) *Queue[T] {
	if o.Mu == nil || o.Work == nil {
		panic("shardqueue: Options.Mu and Options.Work are required")
	}
	return &Queue[T]{o: o, idle: sync.NewCond(o.Mu), shards: make([]shard[T], max(o.Shards, 1))}
}

// Shard returns the shard of key (FNV-1a, modulo the shards): the items
// of one key, queued on its shard, are worked in order. Written out
// rather than through hash/fnv, whose hash.Hash and []byte(key) escape
// to the heap here: two allocations for every push.
func (q *Queue[T]) Shard(key string) int {
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= prime
	}
	return int(h % uint32(len(q.shards)))
}

// PushLocked queues item on shard (from Shard) and starts the shard's
// worker if none is draining it (Mu held).
func (q *Queue[T]) PushLocked(shard int, item T) {
	q.inflight++
	sh := &q.shards[shard]
	sh.items = append(sh.items, item)
	if !sh.running {
		sh.running = true
		q.workers.Add(1)
		go q.run(sh)
	}
}

// DropLocked empties every queue: the items queued are never worked and
// no longer count in flight; dropped, when not nil, hears each of them
// (Mu held). Items being worked go on.
func (q *Queue[T]) DropLocked(dropped func(T)) {
	for i := range q.shards {
		sh := &q.shards[i]
		if dropped != nil {
			for _, it := range sh.items {
				dropped(it)
			}
		}
		q.inflight -= len(sh.items)
		clear(sh.items)
		sh.items = sh.items[:0]
	}
	if q.inflight == 0 {
		q.idle.Broadcast()
	}
}

// Idle reports whether no item is queued or being worked.
func (q *Queue[T]) Idle() bool {
	q.o.Mu.Lock()
	defer q.o.Mu.Unlock()
	return q.inflight == 0
}

// WaitIdle blocks until no item is queued or being worked. Call it
// without Mu.
func (q *Queue[T]) WaitIdle() {
	q.o.Mu.Lock()
	defer q.o.Mu.Unlock()
	for q.inflight > 0 {
		q.idle.Wait()
	}
}

// Wait blocks until every worker has returned. A worker returns when its
// queue is empty: call Wait once nothing more is pushed, without Mu.
func (q *Queue[T]) Wait() { q.workers.Wait() }

// run works a shard's items in order, then exits.
func (q *Queue[T]) run(sh *shard[T]) {
	defer q.workers.Done()
	for {
		it, ok := q.next(sh)
		if !ok {
			return
		}
		q.o.Work(it)
		q.o.Mu.Lock()
		if q.o.Finish != nil {
			q.o.Finish(it)
		}
		q.inflight--
		if q.inflight == 0 {
			q.idle.Broadcast()
		}
		q.o.Mu.Unlock()
		if q.o.Done != nil {
			q.o.Done()
		}
	}
}

// next takes the first item of a shard's queue; false when it is empty,
// the shard then no longer running.
func (q *Queue[T]) next(sh *shard[T]) (T, bool) {
	q.o.Mu.Lock()
	defer q.o.Mu.Unlock()
	if len(sh.items) == 0 {
		sh.running = false
		sh.items = nil
		var zero T
		return zero, false
	}
	it := sh.items[0]
	clear(sh.items[:1])
	sh.items = sh.items[1:]
	if q.o.Take != nil {
		q.o.Take(it)
	}
	return it, true
}

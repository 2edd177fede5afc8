package calllog

import (
	"sync"

	"github.com/payfeedback/payfeedback"
)

// Defaults of Options.
const (
	// DefaultSize is how many calls the log keeps.
	DefaultSize = 10000
	// DefaultBytes is how much memory the log's calls may take.
	DefaultBytes = 16 << 20
	// DefaultExcerpt is how much of each field (query, body, answer) a
	// call keeps.
	DefaultExcerpt = 4 << 10
)

// Options bound a Log. Zero values take the defaults.
type Options struct {
	// Size is how many calls are kept; 0: DefaultSize.
	Size int
	// Bytes is how much memory the kept calls may take, estimated; 0:
	// DefaultBytes. The oldest calls go first.
	Bytes int64
	// Excerpt is how many bytes of the query, of the body and of the
	// answer each call keeps; 0: DefaultExcerpt.
	Excerpt int
}

// Log is a bounded log of calls, oldest first: bounded in count and in
// bytes, every field an excerpt, secrets masked when a call is added. What
// it hands out are deep copies. Safe for concurrent use.
type Log struct {
	opts Options

	mu    sync.Mutex // guards the fields below; a leaf lock
	ring  []Call     // circular; the oldest at head
	head  int
	n     int
	next  uint64 // seq of the next call; the oldest kept is next-n
	bytes int64
	sizes []int64 // sizes[i] is the estimated size of ring[i]
}

// New returns an empty log.
func New(o Options) *Log {
	if o.Size <= 0 {
		o.Size = DefaultSize
	}
	if o.Bytes <= 0 {
		o.Bytes = DefaultBytes
	}
	if o.Excerpt <= 0 {
		o.Excerpt = DefaultExcerpt
	}
	return &Log{opts: o, next: 1, ring: make([]Call, 0, min(o.Size, 1024)), sizes: make([]int64, 0, min(o.Size, 1024))}
}

// Add records c, numbering it, and returns the call as recorded. The log
// takes c.Query (masked in place): the caller must not use it again. Body
// and Answer are copied, excerpted.
func (l *Log) Add(c Call) Call {
	maskQuery(c.Query)
	var cut [3]bool
	c.Query, cut[0] = excerptQuery(c.Query, l.opts.Excerpt)
	c.Body, cut[1] = excerpt(c.Body, l.opts.Excerpt)
	c.Answer, cut[2] = excerpt(c.Answer, l.opts.Excerpt)
	c.Truncated = nil
	for i, name := range []string{"query", "body", "answer"} {
		if cut[i] {
			c.Truncated = append(c.Truncated, name)
		}
	}
	size := c.size()

	l.mu.Lock()
	defer l.mu.Unlock()
	c.Seq = l.next
	l.next++
	for l.n > 0 && (l.n >= l.opts.Size || l.bytes+size > l.opts.Bytes) {
		l.dropOldest()
	}
	l.push(c, size)
	return c
}

// push appends at the tail of the ring (l.mu held).
func (l *Log) push(c Call, size int64) {
	if l.n < len(l.ring) {
		i := (l.head + l.n) % len(l.ring)
		l.ring[i], l.sizes[i] = c, size
	} else if l.head == 0 && len(l.ring) < l.opts.Size {
		l.ring = append(l.ring, c)
		l.sizes = append(l.sizes, size)
	} else {
		l.grow()
		l.push(c, size)
		return
	}
	l.n++
	l.bytes += size
}

// grow makes room when the ring is full but below Size and wrapped.
func (l *Log) grow() {
	ring := make([]Call, 0, min(max(2*len(l.ring), 1), l.opts.Size))
	sizes := make([]int64, 0, cap(ring))
	for i := range l.n {
		j := (l.head + i) % len(l.ring)
		ring = append(ring, l.ring[j])
		sizes = append(sizes, l.sizes[j])
	}
	l.ring, l.sizes, l.head = ring, sizes, 0
}

func (l *Log) dropOldest() {
	l.bytes -= l.sizes[l.head]
	l.ring[l.head], l.sizes[l.head] = Call{}, 0
	l.head = (l.head + 1) % len(l.ring)
	l.n--
}

// oldest returns the seq of the oldest call kept (l.mu held).
func (l *Log) oldest() uint64 { return l.next - uint64(l.n) }

// Since returns deep copies of the calls numbered from or later, oldest
// first, at most limit of them (limit ≤ 0: all), and the number to ask
// from next time.
func (l *Log) Since(from uint64, limit int) ([]Call, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from = max(from, l.oldest())
	if from >= l.next {
		return nil, l.next
	}
	count := int(l.next - from)
	if limit > 0 && count > limit {
		count = limit
	}
	out := make([]Call, 0, count)
	skip := int(from - l.oldest())
	for i := range count {
		out = append(out, l.ring[(l.head+skip+i)%len(l.ring)].Clone())
	}
	return out, from + uint64(count)
}

// Each calls f on every call kept, oldest first, under the lock and
// without copying: f must not keep or change what it is given.
func (l *Log) Each(f func(c *Call)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.n {
		f(&l.ring[(l.head+i)%len(l.ring)])
	}
}

// Stats counts the calls kept that match (nil: all) by errcode.
func (l *Log) Stats(match func(Call) bool) map[payfeedback.ErrorCode]int {
	out := make(map[payfeedback.ErrorCode]int)
	l.Each(func(c *Call) {
		if match == nil || match(*c) {
			out[c.ErrCode]++
		}
	})
	return out
}

// Clear empties the log; numbering goes on, so that a waiter holding a
// number never sees one twice.
func (l *Log) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.n > 0 {
		l.dropOldest()
	}
}

// Bytes returns the estimated memory the kept calls take.
func (l *Log) Bytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

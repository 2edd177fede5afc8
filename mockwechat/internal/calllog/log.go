package calllog

import (
	"net/url"
	"slices"
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
// bytes, every field an excerpt, secrets masked when a call is added. It
// keeps each query as the raw string that came, parsed only when the call
// is read; what it hands out are deep copies. Safe for concurrent use.
type Log struct {
	opts Options

	mu    sync.Mutex // guards the fields below; a leaf lock
	ring  []Entry    // circular; the oldest at head
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
	return &Log{opts: o, next: 1, ring: make([]Entry, 0, min(o.Size, 1024)), sizes: make([]int64, 0, min(o.Size, 1024))}
}

// Entry is a call as the log keeps it: its query the raw string that
// came, masked and excerpted.
type Entry struct {
	call  Call // Query nil
	query string
}

// Call returns a deep copy of the call, its query parsed.
func (e Entry) Call() Call {
	c := e.call.Clone()
	if e.query != "" {
		c.Query, _ = url.ParseQuery(e.query) // an excerpt may end in a broken pair: the rest stays
	}
	return c
}

// Add records c, numbering it, with its query given raw (rawQuery; when
// "", c.Query), masked and excerpted here. The log keeps c.Body and
// c.Answer (copying them only to cut them): the caller must not change them
// afterwards. It returns the entry recorded.
func (l *Log) Add(c Call, rawQuery string) Entry {
	if rawQuery == "" && c.Query != nil {
		rawQuery = c.Query.Encode()
	}
	var cut [3]bool
	e := Entry{query: maskRawQuery(rawQuery)}
	e.query, cut[0] = excerptRawQuery(e.query, l.opts.Excerpt)
	c.Query = nil
	c.Body, cut[1] = excerpt(c.Body, l.opts.Excerpt)
	c.Answer, cut[2] = excerpt(c.Answer, l.opts.Excerpt)
	c.Truncated = nil
	if cut != [3]bool{} {
		for i, name := range []string{"query", "body", "answer"} {
			if cut[i] {
				c.Truncated = append(c.Truncated, name)
			}
		}
	}
	size := int64(160+len(c.Endpoint)+len(c.Method)+len(c.AppID)+len(c.Fault)+len(c.Body)+len(c.Answer)+len(c.MchID)+len(c.Code)) + int64(len(e.query))
	for _, w := range c.Warnings {
		size += int64(16 + len(w))
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	c.Seq = l.next
	l.next++
	for l.n > 0 && (l.n >= l.opts.Size || l.bytes+size > l.opts.Bytes) {
		l.dropOldest()
	}
	e.call = c
	l.push(e, size)
	return e
}

// push appends at the tail of the ring (l.mu held).
func (l *Log) push(e Entry, size int64) {
	if l.n < len(l.ring) {
		i := (l.head + l.n) % len(l.ring)
		l.ring[i], l.sizes[i] = e, size
	} else if l.head == 0 && len(l.ring) < l.opts.Size {
		l.ring = append(l.ring, e)
		l.sizes = append(l.sizes, size)
	} else {
		l.grow()
		l.push(e, size)
		return
	}
	l.n++
	l.bytes += size
}

// grow makes room when the ring is full but below Size and wrapped.
func (l *Log) grow() {
	ring := make([]Entry, 0, min(max(2*len(l.ring), 1), l.opts.Size))
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
	l.ring[l.head], l.sizes[l.head] = Entry{}, 0
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
		out = append(out, l.ring[(l.head+skip+i)%len(l.ring)].Call())
	}
	return out, from + uint64(count)
}

// Stats counts the calls kept that match (nil: all) by errcode.
func (l *Log) Stats(match func(Call) bool) map[payfeedback.ErrorCode]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[payfeedback.ErrorCode]int)
	for i := range l.n {
		e := &l.ring[(l.head+i)%len(l.ring)]
		if match == nil || match(e.Call()) {
			out[e.call.ErrCode]++
		}
	}
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

// Filter selects calls; its zero fields match any call.
type Filter struct {
	Endpoint string
	AppID    string
	// ErrCode, when not nil, is the errcode answered.
	ErrCode *payfeedback.ErrorCode
	// Param and Value: the call's query has Param=Value.
	Param, Value string
}

// match reports whether the entry passes f, parsing its query only when
// everything else matched.
func (f Filter) match(e *Entry) bool {
	c := &e.call
	if f.Endpoint != "" && c.Endpoint != f.Endpoint || f.AppID != "" && c.AppID != f.AppID ||
		f.ErrCode != nil && c.ErrCode != *f.ErrCode {
		return false
	}
	if f.Param == "" {
		return true
	}
	q, _ := url.ParseQuery(e.query)
	return q.Get(f.Param) == f.Value
}

// Latest returns deep copies of the newest calls that match f, at most
// limit of them (≤ 0: all), oldest first.
func (l *Log) Latest(f Filter, limit int) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Call
	for i := l.n - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		e := &l.ring[(l.head+i)%len(l.ring)]
		if f.match(e) {
			out = append(out, e.Call())
		}
	}
	slices.Reverse(out)
	return out
}

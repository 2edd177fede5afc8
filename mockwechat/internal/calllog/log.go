package calllog

import (
	"encoding/binary"
	"net/url"
	"slices"
	"sync"
	"time"

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
// keeps each query as the raw string that came (masked), parsed only when
// the call is read; what it hands out are deep copies. Safe for
// concurrent use.
//
// The log holds no pointer per call, so that the garbage collector, which
// the fake under load runs every few thousand requests, neither scans nor
// marks anything for the calls it keeps (10,000 by default): each call is
// a fixed-size record in a ring, and its texts (endpoint, query, body…)
// lie packed in chunks of bytes, written in the order the calls came and
// freed a chunk at a time once the calls they hold are dropped.
type Log struct {
	opts Options

	mu    sync.Mutex // guards the fields below; a leaf lock
	ring  []record   // circular; the oldest at head
	head  int
	n     int
	next  uint64 // seq of the next call; the oldest kept is next-n
	bytes int64
	texts arena
	// locs are the time zones of the calls' times, a record naming its
	// own by index (a fake's clock keeps to one or two).
	locs []*time.Location
	// scratch is where Add writes a query masked before it is kept.
	scratch []byte
}

// The texts of a call, in the order they are packed: the strings, the
// query, the warnings (each preceded by its length, a uvarint), then the
// body and the answer.
const (
	tEndpoint = iota
	tMethod
	tAppID
	tFault
	tMchID
	tCode
	tQuery
	tWarnings
	tBody
	tAnswer
	numTexts
)

// record is a call as the ring keeps it: no pointer, its texts in the
// arena at chunk, off, one after the other.
type record struct {
	sec     int64 // Time: Unix seconds and nanoseconds, and its zone
	latency int64
	size    int64 // the call's estimated size, counted in Log.bytes
	errCode int64
	nsec    int32
	status  int32
	chunk   uint32
	off     uint32
	lens    [numTexts]uint32
	loc     uint8 // Log.locs[loc]
	cut     uint8 // 1<<cutQuery…: the fields kept in part
}

// The bits of record.cut, in the order Call.Truncated names them.
const (
	cutQuery = iota
	cutBody
	cutAnswer
)

var cutNames = [...]string{cutQuery: "query", cutBody: "body", cutAnswer: "answer"}

// maxLocs bounds Log.locs, UTC first; a call in yet another zone keeps
// its time in UTC (the same instant).
const maxLocs = 256

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
	return &Log{opts: o, next: 1, ring: make([]record, 0, min(o.Size, 1024)),
		locs: []*time.Location{time.UTC}}
}

// Entry is a call as Add recorded it.
type Entry struct {
	call    Call   // numbered, Body and Answer cut, Truncated set, Query nil
	query   string // as given to Add
	excerpt int
}

// Call returns a deep copy of the call as the log keeps it, its query
// masked, cut and parsed.
func (e Entry) Call() Call {
	c := e.call.Clone()
	if e.query != "" {
		q := maskRawQuery(e.query)
		n, _ := queryCut(q, e.excerpt)
		c.Query, _ = url.ParseQuery(q[:n]) // an excerpt may end in a broken pair: the rest stays
	}
	return c
}

// Add records c, numbering it, with its query given raw (rawQuery; when
// "", c.Query), masked and excerpted here. The log copies what it keeps;
// the Entry returned shares c.Body and c.Answer, which the caller must
// not change while it uses the Entry.
func (l *Log) Add(c Call, rawQuery string) Entry {
	if rawQuery == "" && c.Query != nil {
		rawQuery = c.Query.Encode()
	}
	c.Query = nil
	var cut uint8
	bodyLen, bodyCut := excerptLen(c.Body, l.opts.Excerpt)
	answerLen, answerCut := excerptLen(c.Answer, l.opts.Excerpt)
	c.Body, c.Answer = nilIfEmpty(c.Body[:bodyLen]), nilIfEmpty(c.Answer[:answerLen])
	if bodyCut {
		cut |= 1 << cutBody
	}
	if answerCut {
		cut |= 1 << cutAnswer
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.scratch = appendMaskedRawQuery(l.scratch[:0], rawQuery)
	queryLen, queryCut := queryCut(l.scratch, l.opts.Excerpt)
	query := l.scratch[:queryLen]
	if queryCut {
		cut |= 1 << cutQuery
	}
	rec := record{latency: int64(c.Latency), errCode: int64(c.ErrCode), status: int32(c.Status), cut: cut}
	rec.lens = [numTexts]uint32{tEndpoint: uint32(len(c.Endpoint)), tMethod: uint32(len(c.Method)),
		tAppID: uint32(len(c.AppID)), tFault: uint32(len(c.Fault)), tMchID: uint32(len(c.MchID)),
		tCode: uint32(len(c.Code)), tQuery: uint32(len(query)), tWarnings: uint32(warningsLen(c.Warnings)),
		tBody: uint32(len(c.Body)), tAnswer: uint32(len(c.Answer))}
	// The estimate counts each call's texts and a fixed share for the
	// record and the parsed copy a reader makes.
	rec.size = int64(160+len(c.Endpoint)+len(c.Method)+len(c.AppID)+len(c.Fault)+len(c.Body)+len(c.Answer)+len(c.MchID)+len(c.Code)) + int64(len(query))
	for _, w := range c.Warnings {
		rec.size += int64(16 + len(w))
	}
	rec.sec, rec.nsec, rec.loc = l.when(c.Time)

	c.Seq = l.next
	l.next++
	for l.n > 0 && (l.n >= l.opts.Size || l.bytes+rec.size > l.opts.Bytes) {
		l.dropOldest()
	}
	total := 0
	for _, n := range rec.lens {
		total += int(n)
	}
	var buf []byte
	rec.chunk, rec.off, buf = l.texts.alloc(total)
	buf = append(buf[:0], c.Endpoint...)
	buf = append(buf, c.Method...)
	buf = append(buf, c.AppID...)
	buf = append(buf, c.Fault...)
	buf = append(buf, c.MchID...)
	buf = append(buf, c.Code...)
	buf = append(buf, query...)
	for _, w := range c.Warnings {
		buf = binary.AppendUvarint(buf, uint64(len(w)))
		buf = append(buf, w...)
	}
	buf = append(buf, c.Body...)
	_ = append(buf, c.Answer...)
	l.push(rec)

	if cut != 0 {
		for i, name := range cutNames {
			if cut&(1<<i) != 0 {
				c.Truncated = append(c.Truncated, name)
			}
		}
	} else {
		c.Truncated = nil
	}
	return Entry{call: c, query: rawQuery, excerpt: l.opts.Excerpt}
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// warningsLen is how many bytes the warnings take packed.
func warningsLen(ws []string) int {
	n := 0
	var tmp [binary.MaxVarintLen64]byte
	for _, w := range ws {
		n += binary.PutUvarint(tmp[:], uint64(len(w))) + len(w)
	}
	return n
}

// when splits t for a record (l.mu held).
func (l *Log) when(t time.Time) (sec int64, nsec int32, loc uint8) {
	i := slices.Index(l.locs, t.Location())
	switch {
	case i >= 0:
	case len(l.locs) == maxLocs:
		i = 0 // UTC
	default:
		l.locs = append(l.locs, t.Location())
		i = len(l.locs) - 1
	}
	return t.Unix(), int32(t.Nanosecond()), uint8(i)
}

// push appends at the tail of the ring (l.mu held).
func (l *Log) push(r record) {
	if l.n < len(l.ring) {
		l.ring[(l.head+l.n)%len(l.ring)] = r
	} else if l.head == 0 && len(l.ring) < l.opts.Size {
		l.ring = append(l.ring, r)
	} else {
		l.grow()
		l.push(r)
		return
	}
	l.n++
	l.bytes += r.size
}

// grow makes room when the ring is full but below Size and wrapped.
func (l *Log) grow() {
	ring := make([]record, 0, min(max(2*len(l.ring), 1), l.opts.Size))
	for i := range l.n {
		ring = append(ring, l.ring[(l.head+i)%len(l.ring)])
	}
	l.ring, l.head = ring, 0
}

// dropOldest forgets the oldest call, and the chunks of texts no call
// kept uses any more (l.mu held).
func (l *Log) dropOldest() {
	l.bytes -= l.ring[l.head].size
	l.head = (l.head + 1) % len(l.ring)
	l.n--
	if l.n > 0 {
		l.texts.release(l.ring[l.head].chunk)
	} else {
		l.texts.reset()
	}
}

// oldest returns the seq of the oldest call kept (l.mu held).
func (l *Log) oldest() uint64 { return l.next - uint64(l.n) }

// at returns the i-th call kept, oldest first (l.mu held).
func (l *Log) at(i int) *record { return &l.ring[(l.head+i)%len(l.ring)] }

// textsOf returns where r's texts lie, and each one's end in them (l.mu held).
func (l *Log) textsOf(r *record) (b []byte, ends [numTexts]int) {
	n := 0
	for i, size := range r.lens {
		n += int(size)
		ends[i] = n
	}
	return l.texts.bytes(r.chunk, r.off, n), ends
}

// call returns a deep copy of the i-th call kept, oldest first, its query
// parsed (l.mu held).
func (l *Log) call(i int) Call {
	r := l.at(i)
	b, ends := l.textsOf(r)
	// One string for the texts before the body, the strings of the call
	// cut from it.
	s := string(b[:ends[tWarnings]])
	text := func(t int) string {
		start := 0
		if t > 0 {
			start = ends[t-1]
		}
		return s[start:ends[t]]
	}
	c := Call{Seq: l.oldest() + uint64(i), Time: time.Unix(r.sec, int64(r.nsec)).In(l.locs[r.loc]),
		Endpoint: text(tEndpoint), Method: text(tMethod), AppID: text(tAppID), Fault: text(tFault),
		MchID: text(tMchID), Code: text(tCode), ErrCode: payfeedback.ErrorCode(r.errCode), Status: int(r.status),
		Latency: time.Duration(r.latency)}
	if q := text(tQuery); q != "" {
		c.Query, _ = url.ParseQuery(q) // an excerpt may end in a broken pair: the rest stays
	}
	for w := text(tWarnings); w != ""; {
		n, k := binary.Uvarint([]byte(w[:min(len(w), binary.MaxVarintLen64)]))
		c.Warnings = append(c.Warnings, w[k:k+int(n)])
		w = w[k+int(n):]
	}
	if body := b[ends[tWarnings]:ends[tBody]]; len(body) > 0 {
		c.Body = slices.Clone(body)
	}
	if answer := b[ends[tBody]:ends[tAnswer]]; len(answer) > 0 {
		c.Answer = slices.Clone(answer)
	}
	for i, name := range cutNames {
		if r.cut&(1<<i) != 0 {
			c.Truncated = append(c.Truncated, name)
		}
	}
	return c
}

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
		out = append(out, l.call(skip+i))
	}
	return out, from + uint64(count)
}

// Stats counts the calls kept that match (nil: all) by errcode.
func (l *Log) Stats(match func(Call) bool) map[payfeedback.ErrorCode]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[payfeedback.ErrorCode]int)
	for i := range l.n {
		if match == nil || match(l.call(i)) {
			out[payfeedback.ErrorCode(l.at(i).errCode)]++
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

// match reports whether the i-th call kept passes f, parsing its query
// only when everything else matched (l.mu held).
func (l *Log) match(f Filter, i int) bool {
	r := l.at(i)
	b, ends := l.textsOf(r)
	if f.Endpoint != "" && string(b[:ends[tEndpoint]]) != f.Endpoint ||
		f.AppID != "" && string(b[ends[tMethod]:ends[tAppID]]) != f.AppID ||
		f.ErrCode != nil && payfeedback.ErrorCode(r.errCode) != *f.ErrCode {
		return false
	}
	if f.Param == "" {
		return true
	}
	q, _ := url.ParseQuery(string(b[ends[tCode]:ends[tQuery]]))
	return q.Get(f.Param) == f.Value
}

// Latest returns deep copies of the newest calls that match f, at most
// limit of them (≤ 0: all), oldest first.
func (l *Log) Latest(f Filter, limit int) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Call
	for i := l.n - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		if l.match(f, i) {
			out = append(out, l.call(i))
		}
	}
	slices.Reverse(out)
	return out
}

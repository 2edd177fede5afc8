package paypush

import (
	"cmp"
	"slices"
)

// deliveryLog keeps every pending delivery and the last finished ones,
// bounded in count and in bytes (guarded by Engine.mu).
type deliveryLog struct {
	maxCount int
	maxBytes int64

	pending map[string]*delivery
	done    []*delivery // finished, oldest first
	doneIdx map[string]*delivery
	bytes   int64 // of done
}

func newDeliveryLog(count int, bytes int64) deliveryLog {
	return deliveryLog{maxCount: count, maxBytes: bytes, pending: make(map[string]*delivery), doneIdx: make(map[string]*delivery)}
}

// add records a pending delivery.
func (l *deliveryLog) add(d *delivery) { l.pending[d.ID] = d }

// find returns the delivery of id, pending or finished; nil if none.
func (l *deliveryLog) find(id string) *delivery {
	if d := l.pending[id]; d != nil {
		return d
	}
	return l.doneIdx[id]
}

// finish moves d from pending to the finished deliveries, forgetting the
// oldest beyond the bounds.
func (l *deliveryLog) finish(d *delivery) {
	delete(l.pending, d.ID)
	d.bytes = 0
	size := d.size()
	for len(l.done) > 0 && (len(l.done) >= l.maxCount || l.bytes+size > l.maxBytes) {
		old := l.done[0]
		l.bytes -= old.size()
		delete(l.doneIdx, old.ID)
		l.done[0] = nil
		l.done = l.done[1:]
	}
	l.done = append(l.done, d)
	l.doneIdx[d.ID] = d
	l.bytes += size
}

// reopen moves a finished d back to pending (a Resend).
func (l *deliveryLog) reopen(d *delivery) {
	if l.doneIdx[d.ID] != d {
		return
	}
	delete(l.doneIdx, d.ID)
	if i := slices.Index(l.done, d); i >= 0 {
		l.done = slices.Delete(l.done, i, i+1)
	}
	l.bytes -= d.size()
	l.pending[d.ID] = d
}

// matching returns deep copies of the deliveries kept that match, oldest
// first.
func (l *deliveryLog) matching(match func(*Delivery) bool) []Delivery {
	var found []*delivery
	for _, d := range l.pending {
		if match(&d.Delivery) {
			found = append(found, d)
		}
	}
	for _, d := range l.done {
		if match(&d.Delivery) {
			found = append(found, d)
		}
	}
	slices.SortFunc(found, func(a, b *delivery) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]Delivery, len(found))
	for i, d := range found {
		out[i] = d.Delivery.Clone()
	}
	return out
}

package push

import (
	"cmp"
	"slices"
)

// deliveryLog keeps every pending delivery and the last finished ones,
// bounded in count and in bytes (guarded by Engine.mu).
type deliveryLog struct {
	maxCount int
	maxBytes int64

	pending map[uint64]*delivery
	done    []*delivery // finished, oldest first
	bytes   int64       // of done
}

func newDeliveryLog(count int, bytes int64) deliveryLog {
	return deliveryLog{maxCount: count, maxBytes: bytes, pending: make(map[uint64]*delivery)}
}

// finish moves d from pending to the finished deliveries, forgetting the
// oldest beyond the bounds.
func (l *deliveryLog) finish(d *delivery) {
	delete(l.pending, d.ID)
	size := d.size()
	for len(l.done) > 0 && (len(l.done) >= l.maxCount || l.bytes+size > l.maxBytes) {
		l.bytes -= l.done[0].size()
		l.done[0] = nil
		l.done = l.done[1:]
	}
	l.done = append(l.done, d)
	l.bytes += size
}

// snapshot returns deep copies of every delivery kept, by ID.
func (l *deliveryLog) snapshot() []Delivery {
	out := make([]Delivery, 0, len(l.pending)+len(l.done))
	for _, d := range l.pending {
		out = append(out, d.Delivery.Clone())
	}
	for _, d := range l.done {
		out = append(out, d.Delivery.Clone())
	}
	slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// matching returns deep copies of the deliveries kept that match, by ID.
func (l *deliveryLog) matching(match func(*Delivery) bool) []Delivery {
	var out []Delivery
	for _, d := range l.pending {
		if match(&d.Delivery) {
			out = append(out, d.Delivery.Clone())
		}
	}
	for _, d := range l.done {
		if match(&d.Delivery) {
			out = append(out, d.Delivery.Clone())
		}
	}
	slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

package payworld

import (
	"cmp"
	"slices"
	"time"
)

// timeIndex is a merchant's complaints sorted by complaint_time, then by
// filing order: the list endpoint finds a span of days with two binary
// searches. Filing appends (the clock moves forward); a clock set back
// inserts in place.
type timeIndex struct {
	items []*record
}

func compareRecords(a, b *record) int {
	return cmp.Or(a.Wire.ComplaintTime.Compare(b.Wire.ComplaintTime), cmp.Compare(a.seq, b.seq))
}

// add inserts r in order.
func (x *timeIndex) add(r *record) {
	n := len(x.items)
	if n == 0 || compareRecords(x.items[n-1], r) < 0 {
		x.items = append(x.items, r)
		return
	}
	i, _ := slices.BinarySearchFunc(x.items, r, compareRecords)
	x.items = slices.Insert(x.items, i, r)
}

// span returns the complaints filed in [from, to).
func (x *timeIndex) span(from, to time.Time) []*record {
	lo, _ := slices.BinarySearchFunc(x.items, from, func(r *record, t time.Time) int {
		if r.Wire.ComplaintTime.Before(t) {
			return -1
		}
		return 1
	})
	hi, _ := slices.BinarySearchFunc(x.items, to, func(r *record, t time.Time) int {
		if r.Wire.ComplaintTime.Before(t) {
			return -1
		}
		return 1
	})
	return x.items[lo:hi]
}

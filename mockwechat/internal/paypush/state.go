package paypush

import (
	"fmt"
	"time"
)

// Snapshot returns deep copies of every delivery kept, pending and
// finished, oldest first (for --state).
func (e *Engine) Snapshot() []Delivery { return e.Deliveries() }

// Restore replaces every delivery with deep copies of ds (a Snapshot, in
// its order), as a Reset then a load: finished ones go to the log (within
// its bounds), pending ones are rescheduled on the fake's clock at their
// Next, or attempted now when it is zero or past, their ladder going on
// from the attempts they hold. Notification ids made afterwards follow
// the restored ones of the same Seed. The error names the first delivery
// that cannot be restored; nothing is changed then.
func (e *Engine) Restore(ds []Delivery) error {
	seen := make(map[string]bool, len(ds))
	for i, d := range ds {
		switch {
		case d.ID == "":
			return fmt.Errorf("paypush: restore: delivery %d has no id", i)
		case seen[d.ID]:
			return fmt.Errorf("paypush: restore: delivery %d repeats the id %s", i, d.ID)
		case d.MchID == "":
			return fmt.Errorf("paypush: restore: delivery %s has no mchid", d.ID)
		case d.Delivered && d.Failed:
			return fmt.Errorf("paypush: restore: delivery %s is both delivered and failed", d.ID)
		case !d.Probe && d.ComplaintID == "":
			return fmt.Errorf("paypush: restore: delivery %s is no probe and has no complaint_id", d.ID)
		}
		seen[d.ID] = true
	}
	now := e.opts.Sched.Now()
	var schedules []func()
	e.mu.Lock()
	e.resetLocked()
	for _, dv := range ds {
		dv = dv.Clone()
		if n, ok := e.ids.counter(dv.ID); ok && n > e.counter {
			e.counter = n
		}
		e.seq++
		d := &delivery{Delivery: dv, seq: e.seq, gen: e.gen}
		d.shard = e.shardOf(d)
		for _, a := range dv.Attempts {
			if !a.Copy {
				d.tries++
			}
		}
		if d.Done() {
			d.Next = time.Time{}
			e.deliv.finish(d)
			continue
		}
		e.deliv.add(d)
		if d.Next.After(now) {
			schedules = append(schedules, e.atLocked(d, d.Next))
		} else {
			e.enqueueLocked(d)
		}
	}
	e.mu.Unlock()
	for _, s := range schedules {
		s()
	}
	return nil
}

package paypush

import "time"

func (e *Engine) queue(d Delivery) string { return e.queueAs(e.nextID(), d) }

// queueAs records the delivery of a new notification id and queues its
// first attempt.
func (e *Engine) queueAs(id string, dv Delivery) string { return e.queuePlan(id, dv, nil) }

// queuePlan is queueAs with the plan of the first attempt (nil: a
// fault's, if one matches).
func (e *Engine) queuePlan(id string, dv Delivery, first *Plan) string {
	dv.ID = id
	dv.Queued = e.opts.Now()
	e.mu.Lock()
	e.seq++
	d := &delivery{Delivery: dv, seq: e.seq, gen: e.gen, carry: first}
	d.shard = e.shardOf(d)
	e.deliv.add(d)
	ref := e.refLocked(d, 1)
	e.mu.Unlock()
	// Told before it is queued, so that its attempt's reports come after.
	e.observe(Report{Delivery: ref, Phase: PhaseQueued})
	e.mu.Lock()
	defer e.mu.Unlock()
	e.enqueueLocked(d)
	return id
}

func (e *Engine) nextID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counter++
	return e.ids.id(e.counter)
}

// shardOf returns the shard of d's complaint (a probe: its merchant's).
func (e *Engine) shardOf(d *delivery) int { return e.shards.Shard(d.key()) }

// Resend sends a past notification again: the same id and plaintext,
// newly encrypted and signed, attempted now (after the complaint's
// callbacks already queued) and retried on the ladder from its start. A
// pending delivery is attempted now instead of at its next retry.
// ErrUnknown if the engine does not hold the id.
func (e *Engine) Resend(id string) (string, error) {
	e.mu.Lock()
	d := e.deliv.find(id)
	if d == nil {
		e.mu.Unlock()
		return "", ErrUnknown
	}
	ref := e.refLocked(d, 1)
	e.mu.Unlock()
	// Told before it is queued, so that its attempt's reports come after.
	e.observe(Report{Delivery: ref, Phase: PhaseQueued})
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.deliv.find(id) != d { // forgotten meanwhile (a Reset)
		return "", ErrUnknown
	}
	switch {
	case d.queued: // attempted soon anyway
		d.tries = 0
	case d.running:
		d.again = true
	default:
		e.reopenLocked(d)
		e.unholdLocked(d)
		e.enqueueLocked(d)
	}
	return id, nil
}

// reopenLocked makes d pending again, its ladder from the start, its
// scheduled events void (e.mu held).
func (e *Engine) reopenLocked(d *delivery) {
	if d.Done() {
		e.deliv.reopen(d)
	}
	d.Delivered, d.Failed = false, false
	d.tries = 0
	d.wait++
	d.carry = nil
	d.Next = time.Time{}
}

// unholdLocked takes d out of the out-of-order holds (e.mu held).
func (e *Engine) unholdLocked(d *delivery) {
	list := e.held[d.key()]
	for i, h := range list {
		if h == d {
			list = append(list[:i:i], list[i+1:]...)
			if len(list) == 0 {
				delete(e.held, d.key())
			} else {
				e.held[d.key()] = list
			}
			return
		}
	}
}

// enqueueLocked queues an attempt of d (e.mu held). Once the engine is
// stopped nothing new is attempted: the delivery stays pending. A
// delivery from before a Reset is forgotten.
func (e *Engine) enqueueLocked(d *delivery) {
	if e.stopped || d.gen != e.gen || d.queued {
		return
	}
	d.Next = time.Time{}
	d.queued = true
	e.shards.PushLocked(d.shard, d)
}

// at schedules an attempt of d at t on the fake's clock, unless d is
// resent, reset or held in between (e.mu held: the caller calls the
// scheduler after unlocking, with the function returned).
func (e *Engine) atLocked(d *delivery, t time.Time) func() {
	d.wait++
	w := d.wait
	d.Next = t
	return func() {
		e.opts.Sched.At(t, func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			if d.wait != w || d.Done() {
				return
			}
			e.unholdLocked(d)
			e.enqueueLocked(d)
		})
	}
}

// takenLocked marks d taken from its shard's queue to be attempted
// (e.mu held: the shards' Take).
func takenLocked(d *delivery) {
	d.queued = false
	d.running = true
}

// attemptedLocked marks the attempt of d over, before the shards stop
// counting it (e.mu held: the shards' Finish). A Resend that came after
// settle (or hold, or an abandoned attempt) let go of the lock found d
// still running and marked it again, which nothing else will act on now:
// d is queued here, as Resend queues a callback not being attempted (its
// report, PhaseQueued, was told by Resend).
func (e *Engine) attemptedLocked(d *delivery) {
	d.running = false
	if !d.again {
		return
	}
	d.again = false
	e.reopenLocked(d)
	e.unholdLocked(d)
	e.enqueueLocked(d)
}

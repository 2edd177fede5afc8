package paypush

import (
	"context"
)

// Idle reports whether no attempt is queued or being made (retries
// waiting on the fake's clock, and held callbacks, are not attempts yet).
func (e *Engine) Idle() bool { return e.shards.Idle() }

// WaitIdle blocks until no attempt is queued or being made: the Settle
// hook of a virtual clock.
func (e *Engine) WaitIdle() { e.shards.WaitIdle() }

// Pending returns how many deliveries are not finished.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.deliv.pending)
}

// Stop ends the engine: no new attempt starts (what is queued or comes
// later stays pending, for a Snapshot), attempts being made are abandoned
// and not recorded, and Stop returns once every goroutine of the engine
// has returned and its idle connections are closed. Retries scheduled on
// the clock do nothing when they fire. Stop may be called more than once.
func (e *Engine) Stop() {
	e.mu.Lock()
	e.stopped = true
	e.abandon()
	e.dropQueuesLocked()
	e.mu.Unlock()
	e.shards.Wait()
	e.client.CloseIdleConnections()
}

// dropQueuesLocked empties the shards' queues (e.mu held); the workers
// exit after the attempt they are making.
func (e *Engine) dropQueuesLocked() {
	e.shards.DropLocked(func(d *delivery) { d.queued = false })
}

// Reset forgets every delivery, pending or finished, and goes on: the
// fake's /_mock/reset. Queued attempts are dropped, attempts being made
// are abandoned (their context ends) and not recorded, and retries
// scheduled on the clock find their delivery forgotten. Notification ids
// go on from where they were, so that no id is given twice.
func (e *Engine) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resetLocked()
}

func (e *Engine) resetLocked() {
	e.gen++
	e.abandon()
	e.attempts, e.abandon = context.WithCancel(e.ctx)
	e.dropQueuesLocked()
	e.held = make(map[string][]*delivery)
	e.deliv = newDeliveryLog(e.opts.LogSize, e.opts.LogBytes)
}

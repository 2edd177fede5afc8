// Package shardqueue works items through per-key FIFO queues drained by
// at most N workers: the fake's push and callback engines' shards. An
// item is queued on a shard (Shard hashes its key to one of N); each
// shard has at most one worker, started when an item is queued on an idle
// shard and gone when its queue is empty, so the items of one shard are
// worked one at a time in the order queued and at most N at once. An
// in-flight count covers the items queued or being worked: Idle and
// WaitIdle (the Settle hook of a virtual clock) read it, Done hears each
// item after it dropped. DropLocked empties the queues: dropped items are
// never worked, items being worked go on.
//
// # Locking
//
// A Queue has no lock of its own: its owner's mutex (Options.Mu) guards
// it, as a sync.Cond is given its Locker. Methods ending in Locked are
// called with Mu held; Idle and WaitIdle lock it themselves, Shard and
// Wait do not need it. The queue calls Work and Done without Mu, and
// Take, Finish and DropLocked's function with Mu held: those only change
// the owner's fields (Finish may also queue items with PushLocked); they
// must not lock Mu or block. The queue thus adds
// no lock to its owner's lock order (a leaf Mu stays a leaf), and
// WaitIdle's Cond waits on Mu itself, releasing it while it waits.
//
// Why not a lock of its own: the engines keep state that must change in
// the same critical section as the queues. A callback's "queued" and
// "running" marks (set by Take and Finish, cleared by DropLocked's
// function) decide what a Resend does, and with two locks taking an item
// and marking it would be two steps a Resend could come between. A Reset
// bumps the generation, forgets the log and drops the queues at once, so
// that Idle and Pending never see half of it; and every enqueue already
// runs under the engine's mutex, which a second lock would only nest in.
package shardqueue

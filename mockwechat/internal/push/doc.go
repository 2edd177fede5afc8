// Package push is the fake's delivery engine: it signs notifications
// afresh for each attempt, POSTs them to the account's payfeedback_url,
// retries failed attempts on the fake's clock, keeps a delivery log bounded
// in count and bytes, and carries out injected faults given as a typed
// Plan. Everything else it needs (where to push, the key, the next
// TimeStamp, the fault of an attempt) it asks through the narrow Host
// interface, and it tells what happens to an observer as Reports.
//
// Pushes go only where Targets allows (loopback by default), checked on
// the resolved addresses when each connection is made. An attempt whose
// failure the engine recognises (a target refused, a TimeStamp refused as
// too old or in the future) records in its Err what to set.
//
// An attempt goes in three steps: plan (take the fault, sign, encode, copy
// or tamper), execute (POST each document), settle (record, then deliver,
// retry or fail, and release what a fault held back).
//
// Lock order: Engine.mu is a leaf. The engine calls its Host, its
// scheduler and its observer without holding it. The shards (package
// shardqueue) are guarded by Engine.mu too; their workers attempt and
// call Options.Done without holding it.
package push

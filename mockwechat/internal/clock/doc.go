// Package clock is the time of the fake: a Virtual clock that moves only
// when told to, shared by any number of servers, and a Real scheduler on
// wall time. Both fire scheduled callbacks in time order from a heap, so
// advancing 15 days over 10,000 open complaints costs milliseconds.
//
// A server talks to its clock through a Scheduler. Lock order: a
// server's view of a Virtual clock (virtualScheduler.mu) is taken before the
// clock's own mutex, never after; no callback runs with a lock held.
package clock

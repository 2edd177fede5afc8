// Package stream serves the fake's event feed as Server-Sent Events
// (GET /_mock/events, text/event-stream): one SSE event per change, for
// the web console and for any client that follows the fake live.
//
// A Hub holds one subscription to the feed for all its clients, taken
// when the first client connects and given back when the last one leaves
// (with nobody connected the feed costs the fake nothing). It encodes each
// event once and hands the bytes to every client that wants it. Nothing a
// client does can slow the fake: each client has a bounded queue, and a
// client that falls behind misses events and is told so by a "gap" event
// (reload what you show). The subscription takes only the kinds some
// client asked for, and at most Options.PerSecond events of each kind a
// second: under load the fake answers tens of thousands of calls a
// second, and the events beyond are never even built (the feed counts
// them); clients are told once a second with a "skipped" event.
package stream

// Package events is the route from the world to everything that reacts to
// it. The world's transitions return Effects (notifications to push,
// deadlines, changes) as plain data; a Bus carries them out onto the push
// engine, the clock and the Feed. The Feed is the fake's one typed stream
// of what happens (complaints, world changes, push attempts, API calls,
// clock moves): subscribers receive Events without ever slowing the fake
// (a full buffer drops, counted), and Wait builds every wait helper on the
// same wake-ups.
//
// Lock order: Bus.mu is taken before the clock's locks; Feed.mu before the
// clock's (to stamp events). Neither is held while calling the world or
// the push engine.
package events

// Package world is the fake's state and its rules: accounts, users,
// orders, complaints, tokens, media and inboxes, the complaint state
// machine with its deadlines, and the checks of the API endpoints in their
// documented order. It knows no HTTP, no clock but the function that tells
// the time, and no push engine: every transition returns the events.Effects
// it causes (notifications to push, deadlines to schedule or forget,
// changes to tell), which the caller hands to an events.Bus.
//
// The world is plain data: Snapshot returns all of it as a State, deep
// copied and ready to serialise, and Restore takes one back.
//
// One mutex guards everything, taken with defer in every method; it is a
// leaf: nothing outside the world is called while it is held but the clock.
// The random values it hands out (NewValue) come from a stream with a lock
// of its own, taken without the world's, never with it.
package world

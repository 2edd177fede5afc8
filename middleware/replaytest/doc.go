// Package replaytest checks that a middleware.ReplayStore keeps the
// contract the middleware relies on. Run it from the tests of any store:
//
//	func TestSQLStore(t *testing.T) {
//		replaytest.Run(t, func(t *testing.T, now func() time.Time) middleware.ReplayStore {
//			return newSQLStore(t, now) // a fresh, empty store
//		})
//	}
//
// The cases cover every answer of Claim, the lease and the keep of an
// entry, Complete and Release with the right and the wrong fingerprint, and
// the rule that closes the forged copy after a failure: a released or lapsed
// claim keeps its fingerprint, so another fingerprint stays a conflict.
// Concurrent claims of one key must grant exactly one.
//
// RunBounded checks the rules of a store bounded in size: full of fresh
// entries, it refuses a new key with an error wrapping
// middleware.ErrStoreFull and forgets nothing; it never forgets a claim in
// progress; it has room again once an entry expires.
//
// The factory receives the virtual clock the cases advance; a store must
// judge expiry by it (a store backed by a server that keeps its own time
// takes a clock option, as redisstore does). Each case gets a fresh store.
package replaytest

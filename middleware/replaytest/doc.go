// Package replaytest checks that a middleware.ReplayStore keeps the
// contract the middleware relies on. Run it from the tests of any store:
//
//	func TestRedisStore(t *testing.T) {
//		replaytest.Run(t, func(t *testing.T, now func() time.Time) middleware.ReplayStore {
//			return newRedisStore(t, now) // a fresh, empty store
//		})
//	}
//
// The factory receives the virtual clock the cases advance; a store must
// judge expiry by it (a store backed by a server that keeps its own time can
// map it, e.g. by fast-forwarding a test server). Each case gets a fresh
// store.
package replaytest

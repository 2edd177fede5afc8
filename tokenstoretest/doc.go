// Package tokenstoretest checks that a payfeedback.TokenStore keeps the
// contract the Client relies on to share one access_token between the
// instances of a service. Run it from the tests of any store:
//
//	func TestSQLTokenStore(t *testing.T) {
//		tokenstoretest.Run(t, func(t *testing.T, now func() time.Time) payfeedback.TokenStore {
//			return newSQLTokenStore(t, now) // a fresh, empty store
//		})
//	}
//
// The cases cover Load of an empty store, Store and Load per appid (the
// token's value and both times kept), the lease (exclusive, renewable by
// its holder, per appid, released only by its holder, expiring after its
// ttl), one winner among concurrent holders, and cancelled contexts.
//
// The factory receives the virtual clock the cases advance; a store must
// judge lease expiry by it (a store backed by a server that keeps its own
// time takes a clock option, as redisstore does). Each case gets a fresh
// store.
package tokenstoretest

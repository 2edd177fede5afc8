// Package callback receives Complaints 2.0 callbacks (投诉通知回调,
// COMPLAINT.CREATE and COMPLAINT.STATE_CHANGE): net/http middleware that
// verifies, decrypts and deduplicates them, and puts the Event in the
// request's context for the handler behind it, mounted like the V1.5
// middleware into any router:
//
//	receive := callback.New(callback.Config{Opener: opener})
//	mux.Handle("POST /wechat/complaints", receive(&callback.Dispatcher{Handlers: …}))
//
// # What it checks
//
// In order, each refusal answered as WeChat documents it (a 4xx or 5xx
// status and {"code":"FAIL","message":…}), the handler never run, and WeChat
// retrying:
//
//   - 405: not a POST. 413: a body over Config.MaxBodySize (64 KiB).
//   - 401: the signature (apiv3.Verifier, through Config.Opener): a
//     Wechatpay-* header missing, a timestamp five minutes off either way,
//     a serial that names no configured key (the reason names it: configure
//     the WeChat Pay public key or download the certificates), WeChat's
//     signature probes (WECHATPAY/SIGNTEST/…, logged at Debug: WeChat sends
//     them on purpose to see that merchants verify, and they are refused
//     like any other), and a signature that does not verify. Nothing of the
//     body is decoded before the signature holds.
//   - 400: a genuine callback that is not a complaint's envelope or event
//     (WeChat's bug, or another product's callback sent to this URL).
//   - 500: a genuine callback that does not decrypt: the APIv3 key
//     configured here is wrong; WeChat's retries succeed once it is fixed.
//   - 503 with Retry-After: the replay store failed, or an identical
//     callback is still being handled.
//
// An unknown action_type, unknown fields in the envelope or the event, a
// summary or not, a create_time with or without milliseconds, a public-key
// or a certificate signature: all accepted.
//
// # Once per callback
//
// WeChat retries a callback it did not see accepted (a timeout, a 5xx) for
// up to a week, each retry under the same notification id but signed and
// encrypted anew. The middleware remembers handled callbacks in a
// middleware.ReplayStore, the contract the V1.5 middleware uses (an
// in-memory store by default; redisstore for a fleet), keyed by id and by
// what the event says: a retry of a handled callback is acknowledged
// (204) without running the handler; copies arriving together run it once;
// a handler that fails (a non-2xx answer, a panic) leaves the callback
// unhandled, so WeChat's retry runs it again. A callback is remembered for
// Config.Keep (a week).
//
// Everything in a callback is signed by WeChat, so unlike V1.5 there is no
// forged copy to refuse: a different event under a reused id is handled as
// the new event it is. What the store's memory guards against is doing the
// same work twice. If that memory is lost (a restart with the memory
// store, a Redis without persistence), a retry, or a copy of a genuine
// callback replayed within its five minutes, runs the handler again:
// handlers should be idempotent by complaint (fetch the detail and act on
// its state), and a fleet should use redisstore with persistence on
// (appendonly yes) and maxmemory-policy noeviction.
//
// # Handling events
//
// A callback carries only the complaint's id and an action type. Fetch
// the detail (complaints.Client) and act on it: callbacks may arrive out of
// order, and the detail, not the order of callbacks, tells the complaint's
// state. The Dispatcher routes by action type (both of WeChat's spellings
// of USER_APPLY_PLATFORM_SERVICE under one registration) and sends types
// nobody registered to a default, as WeChat advises; it acknowledges them
// rather than refusing, since WeChat adds types. Answer within 5 seconds
// (WeChat's limit): do slow work after answering, from a queue; a merchant
// on a queue can also skip this package and use apiv3.Opener directly.
package callback

// Package middleware receives WeChat Pay complaint (维权) notifications:
// net/http middleware that verifies and decodes each one into the request's
// context, refuses everything else with a clear status, and makes sure a
// notification is handled once even when it arrives twice.
//
//	mux := http.NewServeMux()
//	verify := middleware.New(middleware.Config{
//		Keys: middleware.StaticKeys{"wxf8b4f85f3a794e77": os.Getenv("PAYSIGNKEY")},
//	})
//	mux.Handle("POST /wechat/payfeedback", verify(middleware.Dispatcher{
//		OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
//			return complaints.Open(ctx, n.FeedBackID, n.OpenID, n.Reason)
//		},
//		OnConfirm: …, OnReject: …,
//	}))
//
// New takes one Config and returns a func(http.Handler) http.Handler, the
// shape every Go router accepts (see "Mounting" below). The next handler
// finds the notification with FromContext; a Dispatcher calls one function
// per MsgType and answers WeChat's "success". The middleware is built on a
// Verifier, which runs the same checks outside net/http (see "Outside
// net/http").
//
// # Keys and accounts
//
// Config.Keys resolves the AppId of each notification to its paySignKey
// (StaticKeys for a fixed map, KeyFunc for a database or a secret manager),
// so one endpoint serves several official accounts. It fails closed: an
// AppId the resolver does not know is refused with 403, an empty key with
// 500, a resolver error with 503 (the sender retries). New panics without a
// resolver, as http.Handle panics on a bad pattern: a configuration that
// cannot verify anything is a programming error, better found at start-up
// than on the first complaint; Config.Validate reports it as an error for
// configurations built at run time.
//
// # Checks and answers
//
// Each request goes through these checks in order; the first that fails
// answers through Config.ErrorHandler (DefaultErrorHandler writes the status
// and a one-line plain-text reason) and the next handler never runs. The
// handler receives an *Error{Status, Reason, Err} whose Err wraps a sentinel
// error, so errors.Is tells the cases apart:
//
//	check                                   status  errors.Is
//	method is not POST                       405    ErrMethodNotAllowed (and Allow: POST)
//	body larger than MaxBodySize (64 KiB)    413    payfeedback.ErrTooLarge
//	not well-formed, root not <xml>,         400    payfeedback.ErrMalformed, ErrNotXMLRoot,
//	  DOCTYPE, required element missing,            ErrDOCTYPE, ErrMissingElement,
//	  bad TimeStamp, unknown MsgType                ErrBadTimestamp, ErrUnknownMsgType, …
//	SignMethod neither sha1 nor empty        400    payfeedback.ErrUnknownSignMethod
//	AppId unknown to Keys                    403    ErrUnknownApp
//	Keys failed / key empty                  503 / 500  ErrKeysUnavailable (and Retry-After) / payfeedback.ErrEmptyKey
//	AppSignature missing                     401    payfeedback.ErrMissingSignature
//	AppSignature does not match              401    payfeedback.ErrBadSignature
//	TimeStamp older than MaxAge              401    ErrTooOld
//	TimeStamp beyond Now + MaxFuture         401    ErrTooNew
//	signature reused, other unsigned fields  409    ErrSignatureReused (RefuseSharedSignature only)
//	identical copy still being handled       503    ErrInFlight (and Retry-After)
//	replay store failed, or full             503    ErrStoreUnavailable, ErrStoreFull (and Retry-After)
//
// The choices: 403 for an unknown AppId because no credential would help
// (this endpoint does not serve that account); 401 for a missing or wrong
// signature and for a stale TimeStamp, all three failures to authenticate
// the sender; 409 for a reused signature because the request conflicts with
// what was already accepted; 5xx only for our own failures, which the sender
// should retry. The reasons never contain a key, nor the text of errors from
// user code (resolvers, stores, handlers): those go to the logger only.
//
// The body is read into a pooled buffer, at most MaxBodySize+1 bytes whatever
// the Content-Length says, and the next handler gets it consumed: the
// decoded notification is the contract (Notification.Encode rebuilds a
// document when one must be stored). The next handler's ResponseWriter
// records the status it answers; it unwraps for http.ResponseController
// (Flush, deadlines).
//
// # Freshness
//
// The AppSignature covers the TimeStamp, so a signed TimeStamp bounds how
// long a captured notification can be replayed. The defaults accept a
// TimeStamp up to 10 minutes old (MaxAge) and 1 minute ahead (MaxFuture):
// ten minutes cover clock skew, slow delivery and a sender that retries the
// same document for a while (whether WeChat re-signed its retries is not
// documented; the fake server, mockwechat, signs each attempt anew); one
// minute ahead is clock skew only, since nothing legitimate is signed in the
// future. The comparison is in whole seconds, the TimeStamp's unit, against
// Config.Now (time.Now by default; tests pass a fixed clock). A sender
// retrying the same document for longer than MaxAge sees 401s: raise MaxAge.
//
// # Re-deliveries and replays
//
// The signature covers only appid, openid and timestamp (see
// docs/protocol.md): MsgType, FeedBackId, TransId, Reason, Solution,
// ExtInfo and PicInfo are not signed, so whoever saw one notification could
// resend its signature with other fields. The middleware therefore
// remembers, per AppId and AppSignature (the key), a Fingerprint of those
// unsigned fields:
//
//   - an exact re-delivery (same key, same fingerprint) of a notification
//     already handled is answered 200 "success" without running the handler;
//   - the same key with another fingerprint within the freshness window is
//     a shared signature: two genuine notifications of one user in one
//     second, or a copy whose fields were altered. Config.SharedSignature
//     decides: AcceptSharedSignature (the default) handles it once, as a
//     notification of its own, and reports it (a warning in the log,
//     Observation.SharedSignature, SharedSignature(ctx)); RefuseSharedSignature
//     answers 409 ErrSignatureReused as a suspected forgery. See
//     SharedSignaturePolicy for the trade-off and the model that measures
//     it (docs/performance.md, "Shared signatures"): under the default a
//     forged copy is handled, so a handler must not act on what a forged
//     copy could claim without checking it against its own records; under
//     refusal a genuine notification sharing a second with another of the
//     same user is refused, and lost if WeChat retries the same document;
//   - a notification counts as handled only once its handler succeeded (a
//     2xx status, or nothing written, which net/http answers 200). After a
//     failure (any other status, or a panic) the claim is released and the
//     next identical copy runs the handler again: nothing is lost. The
//     fingerprint stays: under RefuseSharedSignature, a copy with other
//     fields sent after the failure (by someone who saw the 5xx) is still
//     refused, and WeChat's genuine re-delivery is handled;
//   - two identical copies arriving together run the handler once: the
//     second waits (up to InFlightWait, 5 s by default, polling the store)
//     for the first's outcome, then is acknowledged if it succeeded or runs
//     the handler itself if it failed; if the first is still running, the
//     second is answered 503 with Retry-After, and the sender retries.
//
// Entries live until their TimeStamp leaves the freshness window; after
// that the TimeStamp check refuses the copy anyway. Limits to know: the
// first copy wins, so an attacker who intercepts a notification and gets an
// altered copy in before the genuine one has it handled first (serve
// payfeedback_url over HTTPS); a notification re-signed with a new
// TimeStamp is a new notification. Handlers should therefore still be
// idempotent by FeedBackId and MsgType.
//
// The memory behind this is a ReplayStore: Claim (new, duplicate,
// in-progress or conflict), Complete and Release, context first, designed so
// a store shared by several instances fits as well as the default; the
// middleware only ever calls it through the interface, or through the
// optional ReplayStoreAt (as io.Copy uses io.WriterTo), which hands the
// store the time read for the request instead of letting it read a clock
// twice more. Package replaytest checks any store against the contract,
// both ways, and the rules of a full store (RunBounded).
//
// # Sizing the replay memory
//
// The default MemoryStore keeps each entry while its TimeStamp is inside
// the window (MaxAge + MaxFuture, 11 minutes by default) and holds
// DefaultMaxEntries (10,000) entries at most, about 160 bytes each: enough
// for a sustained 15 notifications a second. Size MemoryOptions.MaxEntries
// to peak notifications per second × window in seconds. When the store is
// full of fresh entries, a new notification is answered 503 with
// Retry-After (ErrStoreFull; the warning is logged at most once a minute):
// WeChat delivers it again, and nothing is handled twice. A store set to
// ForgetWhenFull takes every notification instead, forgetting the finished
// entry closest to leaving the window (never a claim in progress), and
// reports OutcomeReplayDegraded: a replay of the forgotten one would be
// handled again. Several instances behind a load balancer must share one
// store (the package redisstore has one on Redis), or each remembers only
// what it saw.
//
// # Losing the replay memory
//
// A store that forgets what it saw cannot recognise it again. A process
// restarted with the MemoryStore (a deploy, a crash), a Redis restarted
// without persistence, a Redis evicting keys when full: for the
// notifications still inside their freshness window (the last MaxAge), a
// replay is handled again, and a captured signature sent with forged
// fields is accepted as new, whatever SharedSignature says. To prevent it,
// keep the memory where it survives: on Redis with the append-only file on
// (appendonly yes; appendfsync everysec loses at most a second) and
// maxmemory-policy noeviction (a full Redis then refuses writes, and the
// middleware answers 503; with an eviction policy, the volatile-* ones
// first, replay entries, all with a TTL, are dropped).
// redisstore's ReplayStore.CheckDurability reports both settings at
// start-up. With the MemoryStore, a restart opens that window: serve
// payfeedback_url over HTTPS so that no one captures a signature to replay.
//
// # Outside net/http
//
// A Verifier (NewVerifier, with the same Config) runs the checks on a body
// held in memory: Verify decodes and checks it, Claim asks the replay
// store, and the Claim it returns is Completed once the notification is
// safe or Released on failure. Refusals are *Error values with the status
// the middleware would answer (and RetryAfter for a 503), so another
// framework answers the same. A merchant that stores notifications in a
// queue verifies and claims on receipt and completes once the notification
// is queued (ExampleVerifier): freshness is then judged at arrival, and the
// queue holds each notification once.
//
// # Metrics
//
// Config.Metrics receives one Observation per request: its Outcome
// (accepted, duplicate, refused, handler error), the status answered, the
// refusal's error and a label for it (Observation.Reason), the AppId and
// MsgType, and the latency; and, from the default store, each degradation of
// the replay memory. It is called without allocating; examples/metrics
// exposes it to Prometheus.
//
// # Dispatcher
//
// Dispatcher calls OnRequest, OnConfirm or OnReject and answers 200
// "success" when it returns nil, 500 when it returns an error (or the
// status of an *Error it returns) so the sender retries, and 501 when the
// MsgType has no function: a notification is never acknowledged without
// being handled. To ignore a kind on purpose, give a function returning nil.
// When the next handler is a Dispatcher, the middleware calls its function
// itself, without copying the request.
//
// # Logging
//
// Config.Logger (log/slog) gets one record per notification: accepted and
// acknowledged at Info, refusals and handler failures at Warn (4xx) or
// Error (5xx), with AppId, MsgType, FeedBackId, status and reason, and for
// a Dispatcher's failure the error its function returned: one logger
// configuration covers both (Dispatcher.Logger, when set, also gets the
// functions' errors). Without Config.Logger, refusals, handler failures and
// shared signatures go to slog.Default() (standard error unless the program
// set another), at most one record per cause a minute with the count of
// those left out, so that a merchant's terminal says why WeChat's pushes
// fail; accepted notifications are not logged. To log nothing, give
// slog.New(slog.DiscardHandler). Keys, bodies, signatures and OpenIds are
// never logged.
//
// # Mounting
//
// With net/http (Go 1.22 patterns):
//
//	mux.Handle("POST /wechat/payfeedback", verify(dispatcher))
//
// With chi:
//
//	r.With(verify).Post("/wechat/payfeedback", dispatcher.ServeHTTP)
//
// With gorilla/mux:
//
//	r.Handle("/wechat/payfeedback", verify(dispatcher)).Methods(http.MethodPost)
//
// With echo:
//
//	e.POST("/wechat/payfeedback", echo.WrapHandler(verify(dispatcher)))
//
// With gin:
//
//	r.POST("/wechat/payfeedback", gin.WrapH(verify(dispatcher)))
//
// # Performance
//
// A notification costs two allocations, the root package's decode and
// verify, a fingerprint (SHA-1 over the unsigned fields) and one probe of
// the store's hash table under a mutex. One allocation holds everything
// the request needs: the Notification (decoded in place from a pooled body
// buffer, payfeedback.ParseNotificationInto), the claim and its key, the
// context handed to the next handler, the detached context the outcome is
// recorded with and the status writer; the other is the bytes of the
// notification's values, copied out of the buffer together
// (Notification.Own) before the buffer goes back to its pool. A Dispatcher
// is called directly; any other handler gets a request copy
// (r.WithContext, one more allocation). BenchmarkMiddleware measures it
// (TestMiddlewareAllocs holds the allocation bound); the load test
// scripts/middleware-load.sh compares it with an empty handler over
// loopback, and docs/performance.md has the figures and the profile.
package middleware

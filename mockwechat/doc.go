// Package mockwechat is a stateful fake of the WeChat APIs a merchant of
// the complaint (维权) system talks to, for tests and CI: access tokens,
// /payfeedback/update, customer-service messages, deliver notify and media
// upload, with the real error codes; a world of accounts, users, orders and
// complaints with the deadlines of docs/protocol.md; a clock it owns, real
// or virtual; signed pushes of complaint notifications to the merchant,
// with retries, a delivery log and fault injection; a bounded log of every
// API call; a typed feed of everything that happens; a JSON admin API
// under /_mock/ to drive it all from any language (GET /_mock/ lists it,
// GET /_mock/openapi.json describes it, GET /_mock/events streams the feed
// as Server-Sent Events); and a web console at / for a person to watch and
// drive it. README.md beside this file has the tables and curl examples.
//
// # Lifecycle
//
// NewServer mirrors httptest.NewServer: it listens on 127.0.0.1:0, sets
// URL, offers a preconfigured Client, and Close waits for in-flight work,
// pushes included, while it closes at once the connections that are idle
// or never sent a request (Close after 64 clients takes milliseconds). A
// *Server is also an http.Handler, to mount inside another server (New or
// NewUnstartedServer, without Start). Options.Scenario starts it from a
// scenario (ParseScenario, LoadScenario: a YAML or JSON file described by
// docs/scenario.schema.json) on a virtual clock. Reset puts it back in its
// start state (the options plus the scenario, the clock at its start, the
// logs emptied, pushes in flight cancelled; the accounts kept as they
// stand, and ids never handed out twice), so that suites can share one
// fake; Snapshot writes the whole world as a scenario, which a new fake
// resumes (Restore, or Options.Scenario). The CLI's `payfeedback mock` runs it
// as a process on 127.0.0.1:8080. A served fake reads a whole request
// within Options.ReadTimeout (10 s), closes connections idle
// Options.IdleTimeout (2 min) and answers 431 beyond Options.MaxHeaderBytes
// (64 KiB). Its base context ends with Close (or when Shutdown's context
// ends first): pushes and requests in flight see it.
//
// # Layout
//
// The Server wires and runs parts that live in internal packages, each
// with one job; a complaint travels admin → world → events → push. The
// fake's vocabulary (Account, Complaint, Delivery, Call, Event, Fault,
// Scenario…) is defined here, fields and all; each part keeps types of its
// own, and convert.go turns one into the other at the Server's edge (a
// test fails when a field is added on one side and not converted):
//
//   - world: the state as plain data (accounts, users, orders, complaints,
//     tokens, media, inboxes) and the rules (the complaint state machine,
//     the checks of each API endpoint in the live API's order). One mutex,
//     taken with defer. Transitions return the events.Effects they cause
//     (notifications to push, deadlines to schedule or forget, changes to
//     tell) instead of doing them. Snapshot and Restore take the whole
//     world out and back as a State that serialises to JSON.
//   - events: Effects, the Bus that carries them out (changes to the feed,
//     deadlines to the clock, notifications to the push engine, and back to
//     the world when a deadline falls due), the Feed of Events, and Wait,
//     the one wait helper behind WaitForComplaint, WaitForCall,
//     WaitForDelivery and WaitIdle.
//   - push: the delivery engine behind a narrow Host interface (where to
//     push, the key, the next TimeStamp, the fault of an attempt); each
//     attempt goes plan (sign, encode, tamper or copy), execute (POST),
//     settle (deliver, retry or fail). Faults reach it as a typed
//     push.Plan.
//   - fault: Fault, its booleans turned into a set of Kinds checked by set
//     rules, compiled to the plans of the API and of pushes.
//   - calllog, clock: the bounded call log; the virtual clock and the real
//     scheduler.
//   - api and admin: thin HTTP adapters, over the world for the WeChat
//     endpoints, over the Server's Go API for /_mock/. Admin endpoints are
//     registered through one registry, which the index (GET /_mock/) reads
//     and a test holds to openapi.json.
//   - stream: the feed as Server-Sent Events (GET /_mock/events), one
//     subscription for every client, each event encoded once.
//   - console: the web console's pages, read-only over the Server; its
//     forms call the admin API from the browser.
//   - hostguard: the Host names the fake answers to, checked on every path
//     before any of the above (DNS rebinding).
//
// Lock order: every package's mutex is a leaf, taken with defer and never
// held while calling another part, with three exceptions, all downward:
// the world and the feed read the clock; the bus schedules on it; a
// server's view of a shared virtual clock is locked before the clock.
//
// # Defaults
//
// Options' zero value is a working fake: the demo account (DemoAccount),
// real time, tokens valid 7200 s with a 5-minute grace period for the
// previous one, no token quota (RealDailyTokenQuota, 2000 a day, is the
// live one; a quota counts calls per day on the fake's clock and resets at
// midnight Beijing time), no per-minute limit (CallsPerMinute answers
// 45011 beyond), a 24-hour messaging window, news limited to
// payfeedback.DefaultMaxArticles answered 45008 beyond, what the later live
// API answers (NewsOverflowSilent: no answer at all, the connection held
// until the client gives up or the fake closes), media ids valid 72 h
// (image 128 KiB, voice 256 KiB, video 1 MiB, thumb 64 KiB; 10,000
// remembered), inboxes of 1,000 messages, pushes with a 5 s timeout, 8 at a
// time, unpaced (PushRate), any 2xx acknowledging (StrictPushAck: 2xx and
// "success"), retried after 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m,
// 1h, 3h, 3h, 3h, 6h and 6h (DefaultRetrySchedule), then marked failed; a
// call log of 10,000 calls within 16 MiB, a delivery log of 10,000
// finished deliveries within 32 MiB, and 72 h to submit arbitration
// evidence.
//
// # Decisions where the protocol is silent
//
// Unknown paths answer HTTP 404 with errcode -1, wrong methods HTTP 405
// with errcode -1, a panic HTTP 500 with errcode -1 (logged, never a
// trace). A wrong appSecret answers 40125 (what the live API answers; the
// 2014 table said 40001, which SDKs take for a stale token and retry
// forever). /payfeedback/update answers 47001 for a missing, unknown or
// foreign feedbackid and for a complaint that is confirmed or in
// arbitration, 40003 for an openid that is not the complaint's; updating a
// handled complaint again answers ok. /pay/delivernotify answers 47001 for
// a bad app_signature or an unknown transid, 40013 for an appid that is
// not the token's. Errmsg is the live API's text plus a " hint: [...]".
// A complaint whose notification would exceed what receivers accept
// (payfeedback.MaxNotificationSize, 64 KiB) is refused.
//
// A complaint may be filed without an order (ComplaintSpec.NoOrder; TransId
// is optional in WeChat's document): its notifications carry no TransId,
// and it gets the deadline of a shipped order of its goods kind (3 or 15
// days), there being no payment to count a shipping deadline from.
//
// Complaints move filed → handled (update) → confirmed or rejected (the
// user); a rejected one may be handled again; a filed one may be confirmed
// (withdrawn). Overdue is a mark set when the deadline of
// payfeedback.ResolveBy passes while the complaint waits for the merchant
// (filed or rejected). Arbitration may follow a reject or an overdue:
// states 0 awaiting evidence, 1 evidence deadline missed, 2 under review,
// 3 decided for the user, 4 for the merchant (the console only said "3/4
// arbitrated"). Filing, confirming, rejecting and paying count as the
// user's interactions, opening the messaging window; RecordInteraction
// records the other openers of WeChat's document (a message, a menu
// click, a subscription, a QR-code scan), now or earlier.
//
// # Time
//
// With a VirtualClock, Advance fires everything due in time order — push
// retries, late pushes, complaints going overdue, evidence deadlines — and
// waits for the pushes it starts; token expiry, windows, quotas and media
// expiry are judged at each call. Events live in a heap, so 15 days over
// 10,000 open complaints take milliseconds.
//
// Which clock stamps a push's TimeStamp is Options.PushTimestamps. In a Go
// test the merchant usually runs in the same process and judges freshness
// on the fake's clock (middleware.Config.Now = fake.Now): the default,
// PushTimestampsVirtual, stamps the fake's clock. A merchant in another
// process cannot read a virtual clock: PushTimestampsWall stamps real time
// whatever the fake's clock says, and is the default of `payfeedback mock`.
// Two notifications to one user in the same second share their TimeStamp
// and hence their AppSignature, as WeChat's do; under a frozen clock every
// push falls in the same second, so advance it between a user's actions.
//
// # Pushes and faults
//
// Notifications are signed with the account's paySignKey
// (payfeedback.Notification.Sign and Encode), afresh for each attempt.
// Every attempt is logged (time, TimeStamp, status, latency, answer
// excerpt, error, body); nothing is dropped silently. When the fake
// recognises why an attempt failed (a target not allowed, a TimeStamp the
// merchant refused as too old or in the future), the attempt's error says
// what to set. Fault injects
// errcodes, HTTP errors, delays and dropped connections on API endpoints,
// and dropped, late, out-of-order, duplicated, re-signed-wrong or forged
// pushes.
//
// # The feed
//
// Subscribe returns every change as an Event: a complaint filed or
// changed, a world change, a push attempt sent, answered or held back, an
// API call, the clock moved; Event.String is a live-log line. Publishing
// never blocks the fake: each subscription buffers (1,024 events by
// default) and, when full, drops and counts (Subscription.Dropped; a gap
// in Seq shows where). With no subscriber, the feed costs an atomic load
// per change. Inside, a subscription may take only some kinds and at most
// so many events of each kind a second (what the SSE stream does): events
// nobody takes are never built.
//
// # Security
//
// The admin API is unauthenticated: serve it on loopback. Every path (the
// WeChat API, the console, the admin API) refuses a Host that is neither a
// loopback name, the fake's address, one of WeChat's API host names nor
// one of Options.AllowedHosts (421: DNS rebinding). The admin API also
// refuses what a web page could make a browser send: writes that are not
// application/json (415), a foreign Origin or cross-site Sec-Fetch-Site
// (403; a page served by the fake itself is same-origin and passes).
// Pushes go to loopback and the AllowedHosts names only, unless
// Options.AllowNotify allows more (CIDRs, IPs, host names): checked on the
// addresses the target resolves to when the connection is made, so that a
// notify_url cannot make the fake a relay into other networks.
// Secrets and keys are masked ("***") and tokens shortened to a
// fingerprint in the call log, whatever the path; the admin API masks
// accounts' secrets and keys.
package mockwechat

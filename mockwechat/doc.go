// Package mockwechat is a stateful fake of the WeChat APIs a merchant of
// the complaint (维权) system talks to, for tests and CI: access tokens,
// /payfeedback/update, customer-service messages, deliver notify and media
// upload, with the real error codes; a world of accounts, users, orders and
// complaints with the deadlines of the protocol; a clock it owns, real or
// virtual; signed pushes of complaint notifications to the merchant, with
// retries, a delivery log and fault injection; a bounded log of every API
// call; and a JSON admin API under /_mock/ to drive it all from any
// language. README.md beside this file has the tables and curl examples.
//
// # Lifecycle
//
// NewServer mirrors httptest.NewServer: it listens on 127.0.0.1:0, sets
// URL, offers a preconfigured Client, and Close waits for in-flight work,
// pushes included. A *Server is also an http.Handler, to mount inside
// another server (New or NewUnstartedServer, without Start). The CLI's
// `payfeedback mock` runs it as a process on 127.0.0.1:8080.
//
// # Defaults
//
// Options' zero value is a working fake: the demo account (DemoAccount),
// real time, tokens valid 7200 s with a 5-minute grace period for the
// previous one, no token quota (RealDailyTokenQuota, 2000 a day, is the
// live one), a 24-hour messaging window, news limited to 10 articles
// answered 45008 beyond (NewsOverflowSilent: HTTP 200 with an empty body,
// nothing delivered), media ids valid 72 h (image 128 KiB, voice 256 KiB,
// video 1 MiB, thumb 64 KiB; 10,000 remembered), inboxes of 1,000
// messages, pushes with a 5 s timeout, 8 at a time, any 2xx acknowledging
// (StrictPushAck: 2xx and "success"), retried after 15s, 15s, 30s, 3m, 10m,
// 20m, 30m, 30m, 30m, 1h, 3h, 3h, 3h, 6h and 6h (DefaultRetrySchedule),
// then marked failed; a call log of 10,000 calls, a delivery log of 10,000
// finished deliveries, and 72 h to submit arbitration evidence.
//
// # Decisions where the protocol is silent
//
// Unknown paths answer HTTP 404 with errcode -1, wrong methods HTTP 405
// with errcode -1, a panic HTTP 500 with errcode -1 (logged, never a
// trace). /payfeedback/update answers 47001 for a missing, unknown or
// foreign feedbackid and for a complaint that is confirmed or in
// arbitration, 40003 for an openid that is not the complaint's; updating a
// handled complaint again answers ok. /pay/delivernotify answers 47001 for
// a bad app_signature or an unknown transid, 40013 for an appid that is
// not the token's. Errmsg is the live API's text plus a " hint: [...]".
//
// Complaints move filed → handled (update) → confirmed or rejected (the
// user); a rejected one may be handled again; a filed one may be confirmed
// (withdrawn). Overdue is a mark set when the deadline of
// payfeedback.ResolveBy passes while the complaint waits for the merchant
// (filed or rejected). Arbitration may follow a reject or an overdue:
// states 0 awaiting evidence, 1 evidence deadline missed, 2 under review,
// 3 decided for the user, 4 for the merchant (the console only said "3/4
// arbitrated"). Filing, confirming, rejecting and paying count as the
// user's interactions, opening the messaging window.
//
// # Time
//
// With a VirtualClock, Advance fires everything due in time order — push
// retries, late pushes, complaints going overdue, evidence deadlines — and
// waits for the pushes it starts; token expiry, windows and media expiry
// are judged at each call. Events live in a heap, so 15 days over 10,000
// open complaints take milliseconds. Under a frozen clock the fake never
// gives two notifications to one user the same TimeStamp (hence the same
// AppSignature): it moves it one second on, as real time would have.
//
// # Pushes and faults
//
// Notifications are signed with the account's paySignKey
// (payfeedback.Notification.Sign and Encode), afresh for each attempt. Every
// attempt is logged (time, TimeStamp, status, latency, answer excerpt,
// error, body); nothing is dropped silently. Fault injects errcodes, HTTP
// errors, delays and dropped connections on API endpoints, and dropped,
// late, out-of-order, duplicated, re-signed-wrong or forged pushes.
//
// Secrets: the appSecret is never recorded (the call log shows "***") and
// the admin API masks secrets and keys.
package mockwechat

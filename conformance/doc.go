// Package conformance certifies a merchant's complaint endpoint before
// go-live: it plays WeChat against the merchant, including the hostile
// WeChat an attacker would pretend to be, and reports case by case what is
// wrong and why.
//
// It runs against a live endpoint (Options.URL; the CLI's
// "payfeedback check") or an http.Handler in-process (Options.Handler; in
// the merchant's own go test, the conformancetest package runs each case
// as a subtest and reports what the CLI reports):
//
//	func TestConformance(t *testing.T) {
//		conformancetest.Run(t, myHandler, conformance.Options{AppID: appID, PaySignKey: key})
//	}
//
// # Cases
//
// Each case has a stable id grouped by section, quotes the requirement it
// checks, says how to fix a failure (Case.Fix, citing docs/protocol.md and
// the package docs), and returns a Result: Pass, Warn (passed in a way
// practice discourages; a failure with Options.Strict), Fail, Skip (with
// the reason), Inconclusive, Interrupted or ExpectedFail. Failures carry
// Expected vs Actual, a line diff where one helps, the Fix line and the
// exchanges on the wire. List them with Cases (or "payfeedback check
// --list").
//
//   - notify/…: valid request, confirm and reject notifications are
//     accepted (2xx; a body other than "success" is a warning) in every
//     form WeChat was seen to send: CDATA and plain text, white space
//     around values, any element order, Unicode, pictures, unknown
//     elements, a FeedBackId beyond int64; without each optional element
//     of WeChat's field table (notify/optional/…: TransId, Reason,
//     Solution, ExtInfo, PicInfo, and SignMethod, which the table does
//     not list); and answered within the time limit (Options.Timeout,
//     5 s).
//   - security/…: each hostile notification is refused (no 2xx): a wrong
//     signature, one made with another key, none, an empty one, another
//     AppId (validly signed), SignMethod md5, a stale and a future
//     timestamp, a captured signature replayed with another FeedBackId or
//     MsgType, malformed XML, another root, a DOCTYPE with entity
//     expansion or an external entity, an oversized body with and without
//     Content-Length, GET and PUT; a notification without each required
//     element (security/required/…: AppId, TimeStamp and OpenId signed
//     over an empty value, so that only the rule refuses them; MsgType,
//     FeedBackId), and an unknown MsgType.
//   - delivery/…: an exact duplicate is acknowledged both times; a
//     notification delivered after a failed first attempt is accepted.
//   - api/…: with the merchant wired to the suite's embedded fake WeChat
//     (Options.API): the token fetched with the right credentials and
//     reused, recovery when it expires, payfeedback/update called for each
//     complaint, and before the deadline of each cell of the deadline
//     table (api/deadline/…), customer messages well-formed, within the
//     article limit and the messaging window.
//   - chaos/campaign: the chaos campaign (Options.Chaos; below).
//
// # No green that checked nothing
//
// A refusal proves something only when a valid notification is accepted
// at the same endpoint, with the same key, in the same run: an endpoint
// that answers 404 to everything (a wrong path) or verifies with another
// key refuses every hostile notification too. So when a selected case
// passes on a refusal, the suite first sends a valid notification, the
// control (Report.Control, ControlID). When the control is not accepted,
// the refusal cases that refused are Inconclusive, not passed. Every case
// whose verdict rests on another is Inconclusive when that one failed: a
// replay whose original was refused, a confirm whose request was, the
// time limit of a refused notification, the API cases of a scenario that
// stopped. An Inconclusive case fails the run.
//
// A Run pattern that selects no case is refused (ErrNoCaseSelected), and a
// run whose cases were all skipped fails unless Options.AllowSkip: a typo
// in CI must not be a green gate.
//
// Against a URL, the suite first connects to it (the pre-flight): when
// nothing listens, Run returns ErrUnreachable at once instead of failing
// every case the same way; Options.Wait gives a merchant that starts in
// the same CI step time to listen.
//
// # One cause, said once
//
// A failed or inconclusive case carries a Symptom when it shares one with
// others: the answer a valid notification got ("HTTP 401: AppSignature does
// not match"), or that nothing answered. Report.Groups gathers the cases
// of one symptom, with the likely cause ("is --paysignkey the merchant's
// key?", "is the path right?") and one exchange; the text report prints
// each group first, once, and then the other failures.
//
// # What the suite judges, and what it does not
//
// The suite judges only what every sound merchant must do. Its stale
// timestamp is days old (Options.StaleAge, 72 h) and its future one an hour
// ahead (Options.FutureSkew): a merchant with any sound freshness window
// (the middleware's is 10 minutes back, 1 minute ahead) passes whatever
// window it chose. Only notify/time-limit judges speed; other cases wait
// at least 10 s for an answer.
//
// The AppSignature covers only appid, openid and timestamp, so two
// different notifications with the same openid and timestamp share a
// signature and a sound merchant refuses the second as a replay. The suite
// therefore gives each notification of a run a timestamp of its own (a
// second before the clock, and before the previous notification's), and
// uses a fresh openid per run unless Options.OpenID names one: with a
// fixed openid, running the suite twice within the merchant's freshness
// window can make the second run's notifications look like replays of the
// first.
//
// The security cases are judged on the status alone: any answer that is
// not 2xx is a refusal, when the control was accepted. An oversized body
// may also be refused by closing the connection while it is being sent
// (a transport error classified with errors.Is: a reset, an early end of
// file), but only when no answer came first: the suite reads the answer
// while it sends, and a merchant that answered 200 before it closed the
// connection accepted the body. A transport error otherwise (the merchant down, no
// answer) fails the case: a refusal must be an answer.
//
// # A failed first attempt
//
// delivery/retry-after-cut produces "a delivery attempt that failed on the
// way" against a black box: the suite opens a connection of its own, sends
// the headers with the full Content-Length and the body up to the middle
// of PicInfo (every signed field and the FeedBackId have arrived, the
// document has not), then closes its sending side. The merchant reads an
// early end of body (io.ErrUnexpectedEOF in Go); whatever it answers is
// recorded but not judged. Then the suite delivers the full notification
// on a fresh connection, which must be accepted: a merchant that records
// a notification as seen before the body is complete and verified would
// refuse it as a replay. In-process, the handler gets a body that ends
// with io.ErrUnexpectedEOF and a cancelled request context, as net/http
// gives it when a client goes away.
//
// # The API cases
//
// They need the merchant wired to the suite's embedded fake WeChat (the
// mockwechat package), so they run only when asked for (Options.API,
// --api); otherwise they are skipped at once with the reason. The fake
// listens on Options.APIAddr and holds one account: the merchant's AppID
// and PaySignKey, and Options.Secret (default: the demo account's secret).
// Options.APIReady is told its URL and credentials once it serves (the CLI
// prints them); the merchant must call that URL with those credentials.
//
// With the API cases on, every notification the suite sends itself names a
// complaint it first filed in the fake (without a push), so a merchant that
// calls payfeedback/update or sends a message while handling a
// notification gets an answer, not an error. Without them, such a
// merchant calls whatever API it is configured with about complaints that
// do not exist there; if it then answers 5xx, the notify cases fail (the
// failure says so): run with the API cases, or configure it not to call
// the API.
//
// The merchant learns about the scenario's complaints as it would in
// production: the fake files a complaint and pushes its signed request
// notification to the merchant (Options.URL, or the in-process handler
// served on a loopback port). The suite then waits for the merchant to
// call payfeedback/update, and judges the update against the complaint's
// deadline on the fake's clock, not against how soon it came: WeChat's
// document asks a merchant to mark a complaint handled only once it is
// resolved with the user. The scenario files complaints one after the other,
// each by a user of its own: a first, a second (so that two calls can
// share one token), a third after the merchant's token expired, and then
// one in each cell of the deadline table: virtual goods or a service, and
// physical goods; not shipped when the shipping deadline passed, or
// shipped. api/deadline/… checks each update against its cell's deadline
// (1, 2, 3 or 15 days from the complaint) on the fake's clock. A phase
// that does not end in a successful update ends the scenario; the cases
// that needed the later phases are then Inconclusive.
//
// The fake's clock is virtual in-process with Options.Merchant (the suite
// builds the merchant's handler with Merchant(APIEnv), whose Now is that
// clock) and, with Options.VirtualClock (--virtual-clock), against a URL
// or a Handler wired beforehand: such a merchant reads the fake's clock
// (GET APIEnv.BaseURL + "/_mock/clock") for everything, and the suite
// stamps its own notifications with that clock too. On the virtual clock,
// days pass in no real time: a merchant that defers work (a job that marks
// complaints handled later) schedules it with APIEnv.AfterFunc, or on the
// clock it follows; when the update has not come once the merchant
// answered the push, the suite runs the merchant's timers (AfterFunc) up
// to a day past the deadline, waits a moment for work done after the
// answer, then moves the clock to a minute before the deadline and, if
// the update has still not come, to a day past it, waiting up to
// Options.APITimeout each time, so that a late update is seen, and judged
// late. Before the third complaint it moves the clock 25 hours ahead, past
// the token's lifetime and the messaging window of the first two users.
//
// Otherwise the clock is real, and a run cannot reach a deadline of days:
// the suite waits up to Options.APITimeout for each update. The api/
// cases that passed say so ("on the real clock: updated within 30s …"),
// and an update that did not come in that time, from a merchant that
// acknowledged the push and called the API, leaves them Inconclusive
// (a merchant whose staff resolve complaints later is not at fault), while
// Report.Config.Clock says which clock ran. The token is expired by the
// fake answering the merchant's next payfeedback/update with errcode 42001
// instead, and the merchant must fetch a new token rather than retry with
// the same one; the messaging window cannot close during a run, so
// api/message/window catches only messages to users who never interacted.
//
// Customer messages are judged from what the fake answered them: the
// messages a merchant sends while handling a notification (before it
// answers the push) are always seen; one sent later, after the merchant's
// last update, may be missed. A merchant that sends no message at all has
// the message cases skipped.
//
// # The chaos campaign
//
// With Options.Chaos N (--chaos N), chaos/campaign delivers N genuine
// complaints the way a bad network and WeChat's retries would, from a plan
// drawn from Options.Seed alone (--seed; a random one when 0, printed): per
// complaint, copies cut mid-body, exact duplicates before, alongside and
// after the delivery WeChat tracks, deliveries up to a minute late, the
// forms WeChat writes, a confirm or reject reordered before its request,
// forged copies that reuse the captured AppSignature with altered fields
// (another FeedBackId, MsgType, Reason, ExtInfo, pictures), and stale
// copies stamped days ago. Eight complaints are played at once. A genuine
// notification answered anything but 2xx is delivered again as the kit
// assumes WeChat does (WeChat's document does not say that it retries a
// complaint notification; the schedule is the fake's, taken from WeChat
// Pay's other notifications, docs/protocol.md): 15 s, 15 s, 30 s, 3 min,
// … later, 16 deliveries over about a day, or after the answer's
// Retry-After when that is longer. Those delays pass on the campaign's own
// clock, in no real time: a retry goes once nothing else of the campaign
// is being sent, alone, earliest first, so a merchant that sheds load
// under the burst (503 with Retry-After, or 500) and catches up passes.
// With the embedded fake, one update call in fifty fails with a system
// error, so that the merchant's own errors are retried too. The
// invariants:
//
//   - every genuine notification is eventually acknowledged (2xx; a body
//     other than "success" is a warning);
//   - no forged or stale copy is acknowledged;
//   - with the embedded fake (Options.API, or Options.Merchant), no
//     payfeedback/update names a forged FeedBackId, and each complaint is
//     updated at most once per genuine notification of it acknowledged.
//
// A broken invariant fails the case with the violations, their exchanges,
// and the seed that replays the same campaign. The message counts them by
// cause, and the Fix line is the causes' own: refusals under load that
// outlasted WeChat's retries, genuine notifications refused as invalid,
// forged or stale copies acknowledged, updates of forged ids, and double
// processing (a complaint updated more often than its notifications were
// acknowledged) are told apart. The same seed always plays
// the same plan; which of two copies in flight at once wins may vary, so a
// failure that rests on such a race may need the campaign run again.
//
// # Expected failures
//
// Options.ExpectFail (read with ParseExpectFail; --expect-fail FILE) lists
// cases a team knows fail, for gradual adoption as in Autobahn and the
// OpenID suite: a listed case that fails is reported ExpectedFail and does
// not fail the run; one that passes is flagged Listed, so the list can be
// trimmed.
//
// # Reports
//
// Report.WriteText prints one line per case (FormatLine), each group of
// cases that failed for one reason with its likely cause, the other
// failures with their details, and the summary last: "N cases, P passed,
// S skipped, F failed", then the inconclusive and interrupted ones.
// Report.WriteJSON and Report.WriteJUnit write the JSON and JUnit XML
// reports. Reports never hold a secret: the paySignKey and the appSecret
// are not in them, access tokens are shortened.
package conformance

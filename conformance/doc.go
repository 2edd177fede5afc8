// Package conformance certifies a merchant's complaint endpoint before
// go-live: it plays WeChat against the merchant, including the hostile
// WeChat an attacker would pretend to be, and reports case by case what is
// wrong and why.
//
// It runs against a live endpoint (Options.URL; the CLI's
// "payfeedback check") or an http.Handler in-process (Options.Handler, and
// Test inside the merchant's own go test):
//
//	func TestConformance(t *testing.T) {
//		conformance.Test(t, myHandler, conformance.Options{AppID: appID, PaySignKey: key})
//	}
//
// # Cases
//
// Each case has a stable id grouped by section, quotes the requirement it
// checks, and returns a Result: Pass, Warn (passed in a way practice
// discourages; a failure with Options.Strict), Fail, Skip (with the
// reason) or ExpectedFail. Failures carry Expected vs Actual, a go-cmp diff
// where one helps, and the exchanges on the wire. List them with Cases (or
// "payfeedback check --list").
//
//   - notify/…: valid request, confirm and reject notifications are
//     accepted (2xx; a body other than "success" is a warning) in every
//     form WeChat was seen to send: CDATA and plain text, white space
//     around values, any element order, Unicode, pictures, unknown
//     elements, a FeedBackId beyond int64; and answered within the time
//     limit (Options.Timeout, 5 s).
//   - security/…: each hostile notification is refused (no 2xx): a wrong
//     signature, one made with another key, none, an empty one, another
//     AppId (validly signed), SignMethod md5, a stale and a future
//     timestamp, a captured signature replayed with another FeedBackId or
//     MsgType, malformed XML, another root, a DOCTYPE with entity
//     expansion or an external entity, an oversized body with and without
//     Content-Length, GET and PUT.
//   - delivery/…: an exact duplicate is acknowledged both times; a
//     notification delivered after a failed first attempt is accepted.
//   - api/…: with the merchant wired to the suite's embedded fake WeChat
//     (Options.API): the token fetched with the right credentials and
//     reused, recovery when it expires, payfeedback/update called for each
//     complaint before its deadline, customer messages well-formed, within
//     the article limit and the messaging window.
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
// uses a
// fresh openid per run unless Options.OpenID names one: with a fixed
// openid, running the suite twice within the merchant's freshness window
// can make the second run's notifications look like replays of the first.
//
// The security cases are judged on the status alone: any answer that is
// not 2xx is a refusal. An oversized body may also be refused by closing
// the connection while it is being sent. A transport error otherwise (the
// merchant down, no answer) fails the case: a refusal must be an answer.
//
// The replay cases first send the original notification, which must be
// accepted; if it is not, the case fails as a precondition rather than
// pass because the merchant refuses everything. The confirm and reject
// cases likewise follow a request for the same complaint.
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
// production: the fake
// files a complaint and pushes its signed request notification to the
// merchant (Options.URL, or the in-process handler served on a loopback
// port). The suite then waits, up to Options.APITimeout each time, for the
// merchant to call payfeedback/update. The scenario files three
// complaints, each by a user of its own: a first, a second (so that two
// calls can share one token), and a third after the merchant's token
// expired. A phase that does not end in a successful update ends the
// scenario; the cases that needed the later phases are then skipped with
// the reason.
//
// How the token expires depends on the clock. In-process with
// Options.Merchant, the fake's clock is virtual: the suite builds the
// merchant's handler with Merchant(APIEnv), whose Now is that clock, and
// before the third complaint moves it 25 hours ahead, past the token's
// lifetime and the messaging window of the first two users, in no real
// time. Against a live URL, or an in-process Handler built without the
// fake's clock, time is real: the fake answers the merchant's next
// payfeedback/update with errcode 42001 instead, and the merchant must
// fetch a new token rather than retry with the same one; the messaging
// window then cannot close during a run, so api/message/window catches
// only messages to users who never interacted.
//
// Customer messages are judged from what the fake answered them: the
// messages a merchant sends while handling a notification (before it
// answers the push) are always seen; one sent later, after the merchant's
// last update, may be missed. A merchant that sends no message at all has
// the message cases skipped.
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
// Report.WriteText prints one line per case (FormatLine), the failures
// with their details, and the summary last: "N cases, P passed, S skipped,
// F failed". Report.WriteJSON and Report.WriteJUnit write the JSON and
// JUnit XML reports. Reports never hold a secret: the paySignKey and the
// appSecret are not in them, access tokens are shortened.
package conformance

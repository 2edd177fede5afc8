package conformance

import "strings"

// Where the rules are documented, for the Fix line of a failing case: the
// protocol notes that ship with the module, and the package docs.
const (
	docFields     = "docs/protocol.md#the-notification"
	docSignature  = "docs/protocol.md#the-appsignature"
	docAnswer     = "docs/protocol.md#what-the-merchant-answers"
	docToken      = "docs/protocol.md#access_token"
	docUpdate     = "docs/protocol.md#marking-a-complaint-handled"
	docDeadlines  = "docs/protocol.md#deadlines"
	docMessages   = "docs/protocol.md#customer-service-messages"
	docMiddleware = "go doc github.com/payfeedback/payfeedback/middleware"
	docClient     = "go doc github.com/payfeedback/payfeedback.Client"
	docSuite      = "go doc github.com/payfeedback/payfeedback/conformance"
)

// assumedRetry words a retry the Fix line counts on as what it is: the
// kit's assumption (the fake's schedule, from WeChat Pay's other
// notifications), not the complaint document's word.
func assumedRetry(what string) string {
	return what + " is delivered again (the kit's assumption, from WeChat Pay's other notifications: the complaint document does not say that WeChat retries)"
}

// fix words a Fix line: what to change, then where the rule is written.
func fix(what string, where ...string) string {
	return what + " (see " + strings.Join(where, "; ") + ")"
}

func fixOptional(name string) string {
	return fix("accept a notification without "+name+": read it as empty, and do not require it; the middleware's decoder does so",
		docFields, docMiddleware)
}

func fixRequired(name string) string {
	return fix("refuse a notification without "+name+" (400); never fill in a missing required element; the middleware does so",
		docFields, docMiddleware)
}

var fixMsgType = fix("refuse a MsgType other than request, confirm and reject instead of handling it as one of them", docFields, docMiddleware)

// Fix lines shared by several cases.
var (
	fixAccept = fix("accept every valid notification WeChat may send with HTTP 200 and the body \"success\", whatever its form (CDATA or text, white space, element order, unknown elements)",
		docFields, docAnswer, docMiddleware)
	fixSignature = fix("verify the AppSignature with the merchant's paySignKey over appid, appkey, openid and timestamp, and refuse a mismatch (401)",
		docSignature, docMiddleware+" (Config.Keys)")
	fixTimestamp = fix("refuse a TimeStamp outside a freshness window (the middleware's: 10 minutes back, 1 minute ahead)",
		docSignature, docMiddleware+" (Config.MaxAge, Config.MaxFuture)")
	fixReplay = fix("remember each accepted AppSignature with a fingerprint of the unsigned fields for the freshness window, and refuse the signature reused with other fields (409); "+
		"this kit's middleware accepts a shared signature by default, since two genuine notifications of one user in one second share it: certify with Config.SharedSignature = middleware.RefuseSharedSignature, or know the trade-off",
		docSignature, docMiddleware+" (Config.Replay, Config.SharedSignature)")
	fixXML = fix("parse with a decoder that refuses a document that is not well-formed, not rooted in <xml>, or holds a DOCTYPE",
		docFields, docMiddleware)
	fixSize   = fix("bound the body by the bytes read (http.MaxBytesReader), not by Content-Length alone; 64 KiB is ample", docMiddleware+" (Config.MaxBodySize)")
	fixMethod = fix("accept notifications by POST only (405 otherwise)", docMiddleware)
)

var fixFollowUp = fix("accept confirm and reject notifications (the user's answers) as well as requests; a reject may carry TransId, Solution and ExtInfo",
	docFields, docMiddleware+" (Dispatcher)")

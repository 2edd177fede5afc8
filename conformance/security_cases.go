package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/payfeedback/payfeedback"
)

// otherKey signs the "another key" case: a key of the right shape that is
// not the merchant's.
const otherKey = "Zq9RkQ2wVw0p7hY1jv4b8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46"

// otherAppID is an official account that is not the merchant's.
const otherAppID = "wx00000000c0ffee00"

func securityCases() []Case {
	return []Case{
		{
			refusal:     true,
			ID:          "security/signature/wrong",
			Fix:         fixSignature,
			Requirement: "A notification whose AppSignature does not match its fields is refused.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				n.AppSignature = flipHex(n.AppSignature)
				return mustRefuse(e.post(ctx, encode(n)), "a notification with a wrong AppSignature")
			},
		},
		{
			refusal:     true,
			ID:          "security/signature/other-key",
			Fix:         fixSignature,
			Requirement: "A notification signed with another paySignKey than the merchant's is refused.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				e.forge.sign(n, otherKey)
				return mustRefuse(e.post(ctx, encode(n)), "a notification signed with another key")
			},
		},
		{
			refusal:     true,
			ID:          "security/signature/missing",
			Fix:         fixSignature,
			Requirement: "A notification without an AppSignature element is refused.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				return mustRefuse(e.post(ctx, variant(n, without("AppSignature"))), "a notification without AppSignature")
			},
		},
		{
			refusal:     true,
			ID:          "security/signature/empty",
			Fix:         fixSignature,
			Requirement: "A notification whose AppSignature is empty is refused.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				return mustRefuse(e.post(ctx, variant(n, withValue("AppSignature", ""))), "a notification with an empty AppSignature")
			},
		},
		{
			refusal:     true,
			ID:          "security/appid/wrong",
			Fix:         fix("refuse a notification whose AppId is not the merchant's account (403)", docFields, docMiddleware+" (Config.Keys)"),
			Requirement: "A notification for another official account (another AppId), even validly signed with the merchant's key, is refused.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				n.AppID = otherAppID
				e.forge.sign(n, e.s.PaySignKey)
				return mustRefuse(e.post(ctx, encode(n)), "a notification for AppId "+otherAppID)
			},
		},
		{
			refusal:     true,
			ID:          "security/signmethod/unknown",
			Fix:         fix("refuse a SignMethod other than sha1 (an empty one means sha1)", docSignature, docMiddleware),
			Requirement: "A notification whose SignMethod is not sha1 (here md5, over a valid sha1 signature) is refused.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				n.SignMethod = "md5"
				return mustRefuse(e.post(ctx, encode(n)), "a notification with SignMethod md5")
			},
		},
		{
			refusal:     true,
			ID:          "security/timestamp/stale",
			Fix:         fixTimestamp,
			Requirement: "A validly signed notification whose TimeStamp is days old (Options.StaleAge, 72 h by default) is refused.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.nextAt(payfeedback.MsgRequest, -e.s.StaleAge)
				return mustRefuse(e.post(ctx, encode(n)), fmt.Sprintf("a notification stamped %s ago", e.s.StaleAge))
			},
		},
		{
			refusal:     true,
			ID:          "security/timestamp/future",
			Fix:         fixTimestamp,
			Requirement: "A validly signed notification whose TimeStamp lies well ahead of now (Options.FutureSkew, 1 h by default) is refused.",
			run: func(ctx context.Context, e *env) Result {
				// Timestamps run a little behind the clock: add room for it.
				n := e.forge.nextAt(payfeedback.MsgRequest, e.s.FutureSkew+e.s.FutureSkew/10)
				return mustRefuse(e.post(ctx, encode(n)), fmt.Sprintf("a notification stamped %s ahead", e.s.FutureSkew))
			},
		},
		{
			refusal:     true,
			ID:          "security/replay/feedbackid",
			Fix:         fixReplay,
			Requirement: "A captured AppSignature replayed with another FeedBackId (the signature does not cover it) is refused, after the original was accepted.",
			run: func(ctx context.Context, e *env) Result {
				return e.replay(ctx, func(n *payfeedback.Notification) string {
					n.FeedBackID = n.FeedBackID[:len(n.FeedBackID)-1] + string('0'+(n.FeedBackID[len(n.FeedBackID)-1]-'0'+1)%10)
					return "the captured signature with FeedBackId " + n.FeedBackID
				})
			},
		},
		{
			refusal:     true,
			ID:          "security/replay/msgtype",
			Fix:         fixReplay,
			Requirement: "A captured AppSignature replayed with another MsgType (a request turned into a confirm) is refused, after the original was accepted.",
			run: func(ctx context.Context, e *env) Result {
				return e.replay(ctx, func(n *payfeedback.Notification) string {
					n.MsgType = payfeedback.MsgConfirm
					return "the captured signature of a request, replayed as a confirm"
				})
			},
		},
		{
			refusal:     true,
			ID:          "security/xml/malformed",
			Fix:         fixXML,
			Requirement: "A body that is not well-formed XML (the root never closed, a tag cut off), even with every field and a valid signature, is refused.",
			run: func(ctx context.Context, e *env) Result {
				body := encode(e.forge.next(payfeedback.MsgRequest))
				body = append(bytes.TrimSuffix(body, []byte("</xml>")), "<Note"...)
				return mustRefuse(e.post(ctx, body), "a body that is not well-formed XML")
			},
		},
		{
			refusal:     true,
			ID:          "security/xml/wrong-root",
			Fix:         fixXML,
			Requirement: "A document whose root element is not <xml>, even with every field and a valid signature, is refused.",
			run: func(ctx context.Context, e *env) Result {
				body := variant(e.forge.next(payfeedback.MsgRequest), rootNamed("notification"))
				return mustRefuse(e.post(ctx, body), "a document rooted in <notification>")
			},
		},
		{
			refusal:     true,
			ID:          "security/xml/doctype-entities",
			Fix:         fixXML,
			Requirement: "A document with a DOCTYPE declaring nested entities (\"billion laughs\") and using one in a field is refused, without expanding it.",
			run: func(ctx context.Context, e *env) Result {
				body := variant(e.forge.next(payfeedback.MsgRequest), asText(), withDoctype(billionLaughs()), withRaw("Reason", "&lol9;"))
				return mustRefuse(e.post(ctx, body), "a document with a DOCTYPE and entity expansion")
			},
		},
		{
			refusal:     true,
			ID:          "security/xml/external-entity",
			Fix:         fixXML,
			Requirement: "A document with a DOCTYPE declaring an external entity (XXE: file:///etc/passwd) and using it in a field is refused, without resolving it.",
			run: func(ctx context.Context, e *env) Result {
				body := variant(e.forge.next(payfeedback.MsgRequest), asText(), withDoctype(externalEntity), withRaw("ExtInfo", "&xxe;"))
				return mustRefuse(e.post(ctx, body), "a document with an external entity")
			},
		},
		{
			refusal:     true,
			ID:          "security/size/oversized",
			Fix:         fixSize,
			Requirement: "An oversized body (megabytes; Options.Oversize, 4 MiB by default) announced by its Content-Length, otherwise a valid signed notification, is refused.",
			run: func(ctx context.Context, e *env) Result {
				return e.oversized(ctx, false)
			},
		},
		{
			refusal:     true,
			ID:          "security/size/oversized-chunked",
			Fix:         fixSize,
			Requirement: "An oversized body sent chunked, without a Content-Length, otherwise a valid signed notification, is refused: the limit applies to the bytes read, not to a header.",
			run: func(ctx context.Context, e *env) Result {
				return e.oversized(ctx, true)
			},
		},
		{
			refusal:     true,
			ID:          "security/method/get",
			Fix:         fixMethod,
			Requirement: "A GET request carrying a valid notification is refused: WeChat POSTs notifications.",
			run: func(ctx context.Context, e *env) Result {
				return e.method(ctx, http.MethodGet)
			},
		},
		{
			refusal:     true,
			ID:          "security/method/put",
			Fix:         fixMethod,
			Requirement: "A PUT request carrying a valid notification is refused: WeChat POSTs notifications.",
			run: func(ctx context.Context, e *env) Result {
				return e.method(ctx, http.MethodPut)
			},
		},
	}
}

// externalEntity declares an entity read from a file (XXE).
const externalEntity = "DOCTYPE xml [\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]"

// billionLaughs declares ten levels of entities, each ten of the previous:
// &lol9; is a billion "lol"s once expanded. It is a DOCTYPE's content
// after "<!".
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("DOCTYPE xml [\n<!ENTITY lol \"lol\">\n")
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		fmt.Fprintf(&b, "<!ENTITY %s \"%s\">\n", name, strings.Repeat("&"+prev+";", 10))
		prev = name
	}
	b.WriteString("]")
	return b.String()
}

// flipHex changes the last hex digit of sig, keeping its shape.
func flipHex(sig string) string {
	if sig == "" {
		return sig
	}
	last := sig[len(sig)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return sig[:len(sig)-1] + string(repl)
}

// replay sends a valid request (the capture), then the same signature with
// the changes alter makes to unsigned fields; alter returns a description.
func (e *env) replay(ctx context.Context, alter func(*payfeedback.Notification) string) Result {
	orig := e.forge.next(payfeedback.MsgRequest)
	first := e.post(ctx, encode(orig))
	if r, ok := precondition(first, "the original notification"); !ok {
		return r
	}
	forged := *orig
	what := alter(&forged)
	return mustRefuse(e.post(ctx, encode(&forged)), what).with(first)
}

// oversized sends a valid notification whose ExtInfo is padded to
// Options.Oversize bytes.
func (e *env) oversized(ctx context.Context, chunked bool) Result {
	const mark = "\u27e6fill\u27e7"
	n := e.forge.next(payfeedback.MsgRequest)
	doc := variant(n, withValue("ExtInfo", mark))
	prefix, suffix, _ := bytes.Cut(doc, []byte(mark))
	big := &bigBody{prefix: prefix, suffix: suffix, fill: 'A', size: e.s.Oversize}
	ex := e.t.send(ctx, request{big: big, chunked: chunked, wait: e.s.answerWait()})
	what := fmt.Sprintf("a body of %d bytes", e.s.Oversize)
	if ex.Response == nil && ex.Fault == FaultClosed {
		// The merchant closed the connection while the body was still
		// coming: a refusal too.
		return Result{Status: Pass, Exchanges: []Exchange{ex}}
	}
	return mustRefuse(ex, what)
}

// method sends a valid notification with another method than POST.
func (e *env) method(ctx context.Context, m string) Result {
	body := encode(e.forge.next(payfeedback.MsgRequest))
	return mustRefuse(e.t.send(ctx, request{method: m, body: body, wait: e.s.answerWait()}), "a "+m+" request")
}

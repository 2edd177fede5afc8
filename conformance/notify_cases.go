package conformance

import (
	"context"

	"github.com/payfeedback/payfeedback"
)

func notifyCases() []Case {
	return []Case{
		{
			ID:          "notify/request/cdata",
			Fix:         fixAccept,
			Requirement: "A valid request notification, written as WeChat writes it (values in CDATA), is accepted: a 2xx status, with the body \"success\".",
			run: func(ctx context.Context, e *env) Result {
				return e.acceptForm(ctx, encode(e.forge.next(payfeedback.MsgRequest)))
			},
		},
		{
			ID:          "notify/request/plain-text",
			Fix:         fixAccept,
			Requirement: "A valid request notification whose values are plain text instead of CDATA is accepted.",
			run: func(ctx context.Context, e *env) Result {
				return e.acceptForm(ctx, variant(e.forge.next(payfeedback.MsgRequest), asText()))
			},
		},
		{
			ID:          "notify/request/whitespace",
			Fix:         fixAccept,
			Requirement: "A valid request notification with white space and newlines around its values is accepted: values are trimmed before the signature is checked (WeChat's own sample has a TimeStamp with a leading space).",
			run: func(ctx context.Context, e *env) Result {
				return e.acceptForm(ctx, variant(e.forge.next(payfeedback.MsgRequest), padded()))
			},
		},
		{
			ID:          "notify/request/element-order",
			Fix:         fixAccept,
			Requirement: "A valid request notification whose elements come in another order (PicInfo first, SignMethod before AppSignature) is accepted.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				n.PicURLs = []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"}
				return e.acceptForm(ctx, variant(n, reordered("PicInfo", "SignMethod", "AppSignature", "ExtInfo", "Solution", "Reason", "TransId", "FeedBackId", "MsgType", "TimeStamp", "AppId", "OpenId")))
			},
		},
		{
			ID:          "notify/request/unicode",
			Fix:         fixAccept,
			Requirement: "A valid request notification whose reason, solution and note hold any Unicode text (Chinese, emoji, markup characters, a CDATA end split in two) is accepted.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				n.Reason = "商品质量有问题 😡 <坏了> & 退货"
				n.Solution = "退款 💴 “尽快” — Rückerstattung, s'il vous plaît"
				n.ExtInfo = "明天六点前联系我 18610847266 ]]> 𠀋 \u200d"
				return e.acceptForm(ctx, encode(n))
			},
		},
		{
			ID:          "notify/request/pictures",
			Fix:         fixAccept,
			Requirement: "A valid request notification carrying picture evidence (PicInfo with five items, one of them an empty slot) is accepted.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				n.PicURLs = []string{
					"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0",
					"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/1",
					"",
					"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/3?wx_fmt=jpeg&tp=webp",
					"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/4",
				}
				return e.acceptForm(ctx, encode(n))
			},
		},
		{
			ID:          "notify/request/unknown-elements",
			Fix:         fixAccept,
			Requirement: "A valid request notification with elements the protocol does not define (with attributes, nested, empty) is accepted: unknown elements are ignored.",
			run: func(ctx context.Context, e *env) Result {
				return e.acceptForm(ctx, variant(e.forge.next(payfeedback.MsgRequest), withExtra()))
			},
		},
		{
			ID:          "notify/request/feedbackid-beyond-int64",
			Fix:         fix("keep FeedBackId a string: real ids exceed int64", docFields),
			Requirement: "A valid request notification whose FeedBackId is a 20-digit number beyond the range of int64 (as real ones are) is accepted: FeedBackId is a string.",
			run: func(ctx context.Context, e *env) Result {
				return e.acceptForm(ctx, encode(e.forge.nextBig(payfeedback.MsgRequest)))
			},
		},
		{
			ID:          "notify/confirm",
			Fix:         fixFollowUp,
			Requirement: "A valid confirm notification (the user confirms the complaint resolved) following a request is accepted.",
			run: func(ctx context.Context, e *env) Result {
				return e.followUp(ctx, payfeedback.MsgConfirm, false)
			},
		},
		{
			ID:          "notify/reject",
			Fix:         fixFollowUp,
			Requirement: "A valid reject notification (the user rejects the merchant's handling) following a request is accepted, also when it carries TransId, Solution and ExtInfo as one public sample does.",
			run: func(ctx context.Context, e *env) Result {
				return e.followUp(ctx, payfeedback.MsgReject, true)
			},
		},
		{
			ID:          "notify/time-limit",
			Fix:         fix("answer within the time limit: keep the handling short, or acknowledge first and work after; "+assumedRetry("a notification left unanswered"), docAnswer),
			Requirement: "A valid request notification is answered within the time limit (Options.Timeout, 5 s by default).",
			run: func(ctx context.Context, e *env) Result {
				limit := e.s.Timeout
				ex := e.t.send(ctx, request{body: encode(e.forge.next(payfeedback.MsgRequest)), wait: limit})
				return judgeTimeLimit(ex, limit, "the notification was refused", "a valid one", refusalSymptom(ex))
			},
		},
	}
}

// followUp sends a request and then a notification of kind mt about the
// same complaint; withRequestFields keeps TransId, Solution and ExtInfo in
// the follow-up.
func (e *env) followUp(ctx context.Context, mt payfeedback.MsgType, withRequestFields bool) Result {
	req := e.forge.next(payfeedback.MsgRequest)
	first := e.post(ctx, encode(req))
	if r, ok := precondition(first, "the request it follows"); !ok {
		return r
	}
	n := e.forge.follow(req, mt)
	if withRequestFields {
		n.TransID, n.Solution, n.ExtInfo = req.TransID, req.Solution, req.ExtInfo
	}
	return mustAccept(e.post(ctx, encode(n))).with(first)
}

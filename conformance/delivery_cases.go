package conformance

import (
	"bytes"
	"context"

	"github.com/payfeedback/payfeedback"
)

func deliveryCases() []Case {
	return []Case{
		{
			ID:          "delivery/duplicate",
			Fix:         fix("acknowledge an exact duplicate (2xx) without handling it twice: "+assumedRetry("a notification not acknowledged"), docAnswer, docMiddleware+" (Config.Replay)"),
			Requirement: "An exact duplicate of an accepted notification (WeChat delivering it again) is acknowledged too: a 2xx both times.",
			run: func(ctx context.Context, e *env) Result {
				body := encode(e.forge.next(payfeedback.MsgRequest))
				first := e.post(ctx, body)
				if r, ok := precondition(first, "the first delivery"); !ok {
					return r
				}
				r := mustAccept(e.post(ctx, body)).with(first)
				if r.Status == Fail {
					r.Message = "the duplicate was not acknowledged, so WeChat would keep delivering it: " + r.Message
				}
				return r
			},
		},
		{
			ID:  "delivery/retry-after-cut",
			Fix: fix("record a notification as seen only once its body is complete and verified", docMiddleware+" (Config.Replay)"),
			Requirement: "A notification delivered in full after a first attempt that failed on the way (the connection ended " +
				"before the body was complete) is accepted: a failed attempt leaves no trace that refuses the retry.",
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				n.PicURLs = []string{
					"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0",
					"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/1",
				}
				body := encode(n)
				// Cut inside PicInfo: every signed field and the FeedBackId
				// have arrived, the document has not.
				cut := bytes.Index(body, []byte("<PicInfo>")) + len("<PicInfo>") + 20
				first := e.t.send(ctx, request{body: body, cutAfter: cut, wait: e.s.answerWait()})
				r := mustAccept(e.post(ctx, body)).with(first)
				if r.Status == Fail {
					r.Message = "the full delivery after a failed attempt was not accepted: " + r.Message
				}
				return r
			},
		},
	}
}

package conformance

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

func payRefuseCases() []Case {
	missing := func(header string) Case {
		return Case{
			refusal: true, ID: "refuse/missing/" + strings.ToLower(header), Fix: fixPayHeaders,
			Requirement: fmt.Sprintf("A callback without the %s header, otherwise genuine, is refused.", header),
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, "a callback without "+header, payCallbackSpec{}, false, func(q *request) { q.header.Del(header) })
			},
		}
	}
	oversized := func(chunked bool) Case {
		c := Case{
			refusal: true, ID: "refuse/size/oversized", Fix: fixPaySize,
			Requirement: "A callback of a megabyte (Options.Oversize, 1 MiB by default: a genuine envelope padded with an unknown member, validly signed), announced by its Content-Length, is refused: WeChat's callbacks are under 1 KiB.",
		}
		if chunked {
			c.ID = "refuse/size/oversized-chunked"
			c.Requirement = "The same megabyte callback sent chunked, without a Content-Length, is refused: the limit applies to the bytes read, not to a header."
		}
		c.run = func(ctx context.Context, e *env) Result {
			what := fmt.Sprintf("a body of %d bytes", e.s.Oversize)
			return e.pay.refuse(ctx, what, payCallbackSpec{size: e.s.Oversize}, true, func(q *request) {
				q.big = &bigBody{prefix: q.body, size: int64(len(q.body))}
				q.body, q.chunked = nil, chunked
			})
		}
		return c
	}
	return []Case{
		{
			refusal: true, ID: "refuse/probe", Fix: fixPayProbe,
			Requirement: "A signature probe is refused as any failed verification (\"请按验签失败返回即可\"): a callback whose Wechatpay-Signature starts with WECHATPAY/SIGNTEST/ (here followed by the genuine signature, so that stripping the prefix does not help), under the serial of a key the merchant trusts.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, "a signature probe (WECHATPAY/SIGNTEST/…)", payCallbackSpec{}, false, func(q *request) {
					q.header.Set(apiv3.HeaderSignature, apiv3.ProbeSignaturePrefix+q.header.Get(apiv3.HeaderSignature))
				})
			},
		},
		{
			refusal: true, ID: "refuse/signature/tampered-body", Fix: fixPaySignature,
			Requirement: "A callback whose body was altered after WeChat signed it (its event_type changed, the JSON still valid) is refused: the signature covers the raw body.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, "a callback altered after it was signed", payCallbackSpec{}, false, func(q *request) {
					q.body = bytes.Replace(q.body, []byte(`"`+complaints.EventCreate+`"`), []byte(`"`+complaints.EventStateChange+`"`), 1)
				})
			},
		},
		{
			refusal: true, ID: "refuse/signature/other-key", Fix: fixPaySignature,
			Requirement: "A callback signed with a key that is not WeChat's, under the serial of a key the merchant trusts, is refused.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, "a callback signed with another key", payCallbackSpec{signer: signByOther}, false, nil)
			},
		},
		{
			refusal: true, ID: "refuse/serial/unknown", Fix: fixPaySerial,
			Requirement: "A callback whose Wechatpay-Serial names no key the merchant has (a platform certificate's serial it never saw) is refused, though WeChat's key made the signature: the serial picks the key, and an unknown one means stale keys or a probe.",
			run: func(ctx context.Context, e *env) Result {
				serial := e.pay.forge.unknownSerial()
				return e.pay.refuse(ctx, "a callback under the unknown serial "+serial, payCallbackSpec{serial: serial}, false, nil)
			},
		},
		{
			refusal: true, ID: "refuse/timestamp/stale", Fix: fixPayTimestamp,
			Requirement: "A genuine callback whose Wechatpay-Timestamp is 6 minutes old (Options.StaleAge), past the five minutes WeChat and its SDKs allow, is refused: it may be a replay.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, fmt.Sprintf("a callback stamped %s ago", e.s.StaleAge), payCallbackSpec{skew: -e.s.StaleAge}, false, nil)
			},
		},
		{
			refusal: true, ID: "refuse/timestamp/future", Fix: fixPayTimestamp,
			Requirement: "A genuine callback whose Wechatpay-Timestamp is 6 minutes ahead of now (Options.FutureSkew) is refused.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, fmt.Sprintf("a callback stamped %s ahead", e.s.FutureSkew), payCallbackSpec{skew: e.s.FutureSkew}, false, nil)
			},
		},
		missing(apiv3.HeaderTimestamp),
		missing(apiv3.HeaderNonce),
		missing(apiv3.HeaderSignature),
		missing(apiv3.HeaderSerial),
		{
			refusal: true, ID: "refuse/resource/other-apiv3-key", Fix: fixPayDecrypt,
			Requirement: "A validly signed callback whose resource was encrypted under another APIv3 key is refused (4xx or 5xx, so that WeChat sends it again), not acknowledged unread.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, "a resource it could not decrypt", payCallbackSpec{otherAPIv3Key: true}, false, nil)
			},
		},
		{
			refusal: true, ID: "refuse/resource/broken-tag", Fix: fixPayDecrypt,
			Requirement: "A validly signed callback whose resource's GCM tag was altered (its last byte) is refused: AEAD_AES_256_GCM authenticates the ciphertext, and a decryption that skips the tag must not be trusted.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.refuse(ctx, "a resource whose GCM tag does not verify", payCallbackSpec{brokenTag: true}, false, nil)
			},
		},
		oversized(false),
		oversized(true),
	}
}

// unknownSerial returns a serial of a platform certificate's shape that
// no key of the run has.
func (f *payForge) unknownSerial() string {
	var b [20]byte
	_, _ = f.rngReader().Read(b[:]) // ChaCha8 never fails
	b[0] = 0x5e
	return fmt.Sprintf("%X", b)
}

// refuse sends a callback made from spec (about a new complaint,
// CREATE_COMPLAINT unless spec says) and altered by alter, and judges it
// refused; what names its fault. big marks a body that may be refused by
// closing the connection while it comes.
//
// A refusal must leave no trace, so the genuine callback under the same
// notification id (about another complaint) is sent next and must be
// accepted: a merchant that recorded the id from the refused copy would
// take it for a retry. With an Observer, the merchant must then have
// worked on the genuine callback's complaint, and done nothing about the
// refused one's (the genuine callback comes after it, so work on the
// refused one would have come first).
func (p *payRun) refuse(ctx context.Context, what string, spec payCallbackSpec, big bool, alter func(*request)) Result {
	if spec.action == "" {
		spec.action = complaints.ActionCreateComplaint
	}
	c, err := p.callback(ctx, spec)
	if err != nil {
		return payBroken(err)
	}
	q := c.request(p.s.answerWait())
	if alter != nil {
		alter(&q)
	}
	ex := p.send(ctx, q, c.note)
	r := payRefused(ex, what)
	if big && ex.Response == nil && ex.Fault == FaultClosed {
		// The merchant closed the connection while the body was still
		// coming: a refusal too.
		r = Result{Status: Pass, Exchanges: []Exchange{ex}}
	}
	if r.Status == Fail {
		return r
	}
	g, gex, err := p.post(ctx, payCallbackSpec{id: c.id, action: spec.action})
	if err != nil {
		return payBroken(err)
	}
	exs := []Exchange{ex, gex}
	if gr := payAccepted(gex); gr.Failed() {
		gr.Exchanges = exs
		if p.controlFailed {
			gr.Status = Inconclusive
			gr.Message = "refused, but so was the genuine callback sent after it, as the control was: a refusal proves nothing here"
			return gr
		}
		gr.Message = "refused, but the genuine callback sent after it under the same notification id was refused too (" + answerLine(gex) +
			"): the merchant took the refused copy for that notification"
		gr.Fix = fixPayNoTrace
		return gr
	}
	if p.obs != nil {
		gw, err := p.work(ctx, g.complaint, 1)
		if err != nil {
			return payBroken(err)
		}
		fw, err := p.work(ctx, c.complaint, 0)
		if err != nil {
			return payBroken(err)
		}
		switch {
		case fw.total() > 0:
			return Result{Status: Fail, Exchanges: exs, Fix: fixPayNoTrace,
				Message:  fmt.Sprintf("refused (%s), but processed: the merchant worked on complaint %s, which only the refused callback named (%s)", answerLine(ex), c.complaint, fw),
				Expected: "no work on complaint " + c.complaint, Actual: fw.String()}
		case gw.total() == 0:
			return Result{Status: Fail, Exchanges: exs, Fix: fixPayNoTrace,
				Message: fmt.Sprintf("refused, but the genuine callback sent after it under the same notification id was acknowledged and never processed (no work on complaint %s within %s): the merchant took the refused copy for it",
					g.complaint, p.s.APITimeout),
				Expected: "work on complaint " + g.complaint, Actual: gw.String()}
		}
	}
	r.Exchanges = exs
	return r
}

package conformance

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/payfeedback/payfeedback/complaints"
)

// payUnknownAction is an action_type WeChat has not documented: the suite
// sends it as WeChat would send a type it adds.
const payUnknownAction complaints.ActionType = "COMPLAINT_AGENT_TRANSFER"

// payAction is an action type and what it says happened.
type payAction struct {
	action complaints.ActionType
	what   string
}

// payActions are the documented action types (docs/complaints-v3.md,
// "Callbacks"), each as the suite sends it, and an unknown one.
func payActions() []payAction {
	return []payAction{
		{complaints.ActionCreateComplaint, "the user filed a complaint"},
		{complaints.ActionContinueComplaint, "the user complained again"},
		{complaints.ActionUserResponse, "the user left a message"},
		{complaints.ActionResponseByPlatform, "WeChat left a message"},
		{complaints.ActionSellerRefund, "the merchant refunded in full"},
		{complaints.ActionMerchantResponse, "the merchant replied"},
		{complaints.ActionMerchantConfirmComplete, "the merchant marked it complete"},
		{complaints.ActionUserApplyPlatformService, "the user asked WeChat to step in"},
		{complaints.ActionUserApplyPlatformSerivce, "the same, in the spelling of WeChat's 2024-09 changelog"},
		{complaints.ActionUserCancelPlatformService, "the user withdrew that request"},
		{complaints.ActionPlatformServiceFinished, "WeChat's service ended"},
		{complaints.ActionMerchantApproveRefund, "the refund request was approved"},
		{complaints.ActionMerchantRejectRefund, "the refund request was rejected"},
		{complaints.ActionRefundSuccess, "the refund arrived"},
		{payUnknownAction, "a type WeChat has not documented, as it may add"},
	}
}

// payCaseName is an action type as a case id's last element:
// USER_RESPONSE is user-response.
func payCaseName(a complaints.ActionType) string {
	if a == payUnknownAction {
		return "unknown"
	}
	return strings.ReplaceAll(strings.ToLower(string(a)), "_", "-")
}

// paySwitchShares are the WeChat Pay public key's shares of callbacks on
// the 1st to the 7th day of WeChat's switch from the platform certificate
// (docs/apiv3.md, "Keys"): 0.1 %, 1 %, 5 %, 10 %, 20 %, 50 %, 100 %.
func paySwitchShares() []float64 { return []float64{0.001, 0.01, 0.05, 0.10, 0.20, 0.50, 1} }

// paySwitchPerDay is how many callbacks each day of the switch sends.
const paySwitchPerDay = 4

// paySwitchPublic returns how many of a day's callbacks the public key
// signs at share: the share of paySwitchPerDay, rounded, and at least one,
// so that every day before the 7th mixes both keys.
func paySwitchPublic(share float64) int {
	if share >= 1 {
		return paySwitchPerDay
	}
	return max(1, int(math.Round(share*paySwitchPerDay)))
}

func payAcceptCases() []Case {
	var cs []Case
	for _, a := range payActions() {
		event := complaints.EventStateChange
		if a.action == complaints.ActionCreateComplaint {
			event = complaints.EventCreate
		}
		req := fmt.Sprintf("A genuine %s callback whose action_type is %s (%s) is accepted: HTTP 200 or 204.", event, a.action, a.what)
		if a.action == payUnknownAction {
			req = fmt.Sprintf("A genuine %s callback whose action_type is one WeChat has not documented (%s) is accepted, not refused with a server error: WeChat adds action types, and advises routing the ones a merchant does not handle to a default path.", event, a.action)
		}
		cs = append(cs, Case{
			ID: "accept/action/" + payCaseName(a.action), Fix: fixPayAccept, Requirement: req,
			run: func(ctx context.Context, e *env) Result {
				return e.pay.accept(ctx, payCallbackSpec{action: a.action})
			},
		})
	}
	cs = append(cs,
		Case{
			ID: "accept/envelope/no-summary", Fix: fixPayAccept,
			Requirement: "A genuine callback without summary (WeChat's own example of a complaint callback has none) is accepted.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.accept(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, noSummary: true})
			},
		},
		Case{
			ID: "accept/envelope/create-time-millis", Fix: fixPayAccept,
			Requirement: "A genuine callback whose create_time has milliseconds (2015-05-20T13:29:35.120+08:00; the suite's other callbacks have none, as WeChat writes both) is accepted.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.accept(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, millis: true})
			},
		},
		Case{
			ID: "accept/envelope/unknown-fields", Fix: fixPayAccept,
			Requirement: "A genuine callback whose envelope and resource carry members the documentation does not list (original_type, a version, a nested object with null) is accepted: WeChat adds fields.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.accept(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, extraEnvelope: true})
			},
		},
		Case{
			ID: "accept/event/unknown-fields", Fix: fixPayAccept,
			Requirement: "A genuine callback whose decrypted event carries members beside complaint_id and action_type (the 1.0 fields WeChat sent during the move to 2.0, a nested object) is accepted.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.accept(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, extraEvent: true})
			},
		},
		Case{
			ID: "accept/resource/associated-data", Fix: fix("decrypt with the resource's own associated_data, which may be empty or not", docPayAEAD, docCallbackMW),
			Requirement: "A genuine callback whose resource has non-empty associated_data (\"complaint\"; WeChat's complaint example has it empty) is accepted: the resource is decrypted with its own associated data.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.accept(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, associatedData: "complaint"})
			},
		},
		Case{
			ID: "accept/key/public-key", Fix: fixPayKeys,
			Requirement: "A genuine callback signed with the WeChat Pay public key (Wechatpay-Serial PUB_KEY_ID_…) is accepted (key modes public-key and switch).",
			run: func(ctx context.Context, e *env) Result {
				if !e.s.KeyMode.usesPublicKey() {
					return Result{Status: Skip, Message: "the merchant is on platform certificates (--pay-mode platform-certificate): WeChat signs its callbacks with the public key only once it enables the switch"}
				}
				return e.pay.accept(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, signer: signByPublicKey})
			},
		},
		Case{
			ID: "accept/key/platform-certificate", Fix: fixPayKeys,
			Requirement: "A genuine callback signed with the platform certificate (Wechatpay-Serial its serial) is accepted (key modes platform-certificate and switch).",
			run: func(ctx context.Context, e *env) Result {
				if !e.s.KeyMode.usesPlatform() {
					return Result{Status: Skip, Message: "the merchant is on the public key (--pay-mode public-key): WeChat signs none of its callbacks with a certificate"}
				}
				return e.pay.accept(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, signer: signByPlatform})
			},
		},
	)
	for i, share := range paySwitchShares() {
		day := i + 1
		cs = append(cs, Case{
			ID: fmt.Sprintf("accept/switch/day-%d", day), Fix: fixPayKeys,
			Requirement: fmt.Sprintf("On day %d of WeChat's switch from the platform certificate to the public key, when the public key signs %s of callbacks, %d genuine callbacks one after the other, %d of them signed with the public key and the others with the certificate, are all accepted (key mode switch; the days come one after the other in the run, each with its mix).",
				day, percent(share), paySwitchPerDay, paySwitchPublic(share)),
			run: func(ctx context.Context, e *env) Result {
				if e.s.KeyMode != KeyModeSwitch {
					return Result{Status: Skip, Message: "the merchant is not in WeChat's switch (--pay-mode " + string(e.s.KeyMode) + ")"}
				}
				return e.pay.switchDay(ctx, day, share)
			},
		})
	}
	cs = append(cs, Case{
		ID: "accept/time-limit", Fix: fixPayTime,
		Requirement: "A genuine callback is answered within WeChat's time limit (\"需在5秒内完成对报文的验签，并应答回调通知\"; Options.Timeout, 5 s by default).",
		run: func(ctx context.Context, e *env) Result {
			return e.pay.timeLimit(ctx)
		},
	})
	return cs
}

// percent words a share as WeChat's staff did: 0.1 %, 5 %, 100 %.
func percent(share float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", share*100), "0"), ".") + " %"
}

// switchDay sends a day of the switch: paySwitchPerDay callbacks, the
// public key's among them spread evenly.
func (p *payRun) switchDay(ctx context.Context, day int, share float64) Result {
	k := paySwitchPublic(share)
	var exs []Exchange
	var warned *Result
	for i := range paySwitchPerDay {
		signer, which := signByPlatform, "the platform certificate"
		if i*k/paySwitchPerDay != (i+1)*k/paySwitchPerDay {
			signer, which = signByPublicKey, "the WeChat Pay public key"
		}
		_, ex, err := p.post(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, signer: signer})
		if err != nil {
			return payBroken(err)
		}
		exs = append(exs, ex)
		r := payAccepted(ex)
		switch {
		case r.Failed():
			r.Message = fmt.Sprintf("day %d of the switch (the public key signs %s): callback %d of %d, signed with %s, was refused: %s",
				day, percent(share), i+1, paySwitchPerDay, which, r.Message)
			r.Exchanges = exs
			return r
		case r.Status == Warn && warned == nil:
			warned = &r
		}
	}
	if warned != nil {
		warned.Exchanges = exs
		return *warned
	}
	return Result{Status: Pass, Exchanges: exs}
}

// timeLimit sends a genuine callback and judges how soon it was answered.
func (p *payRun) timeLimit(ctx context.Context) Result {
	limit := p.s.Timeout
	c, err := p.callback(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint})
	if err != nil {
		return payBroken(err)
	}
	ex := p.send(ctx, c.request(limit), c.note)
	return judgeTimeLimit(ex, limit, "the callback was refused", "a genuine one", paySymptom(ex))
}

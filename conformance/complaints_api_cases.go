package conformance

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// Where the Complaints 2.0 API rules are written.
const (
	docPayDetail    = "docs/complaints-v3.md#detail"
	docPayHistory   = "docs/complaints-v3.md#negotiation-history"
	docPayReply     = "docs/complaints-v3.md#reply"
	docPayComplete  = "docs/complaints-v3.md#complete"
	docPayRefund    = "docs/complaints-v3.md#refund-approval"
	docPayImmediate = "docs/complaints-v3.md#immediate-service-reply"
	docPayLimits    = "docs/complaints-v3.md#rate-limits"
	docPayClient    = "go doc github.com/payfeedback/payfeedback/complaints.Client"
)

// payAPICases are the Complaints 2.0 plan's API cases: they judge what the
// merchant does with WeChat's API about the complaints of the scenario
// (payAPIRun.play), from the embedded fake's call log.
func payAPICases() []Case {
	return []Case{
		{
			ID: "api/detail/fetched", API: true,
			Requirement: "After a CREATE_COMPLAINT callback, which carries only the complaint's id, the merchant fetches the complaint's detail (GET /v3/merchant-service/complaints-v2/{complaint_id}), successfully, before it acts on the complaint.",
			Fix:         fix("on CREATE_COMPLAINT, fetch the complaint's detail with the id the callback carries (complaints.Client.Detail) and act on what it says", docPayCallbacks, docPayDetail, docPayClient),
			run:         payAPIDetail,
		},
		{
			ID: "api/reply/valid", API: true,
			Requirement: "The merchant replies to each complaint the suite files (POST …/response, or …/response-immediate-service when it needs immediate service) with a valid signature and valid fields: every reply is answered 2xx, none SIGN_ERROR, PARAM_ERROR or INVALID_REQUEST.",
			Fix:         fix("sign each request with the merchant's API key (Authorization WECHATPAY2-SHA256-RSA2048) and send the reply's documented fields: complainted_mchid, a response_content of 1 to 200 characters; check them before sending (ResponseRequest.Validate)", docPayReply, docPayImmediate, docPayClient),
			run:         payAPIReply,
		},
		{
			ID: "api/complete/valid", API: true,
			Requirement: "The merchant marks each complaint the suite files complete (POST …/complete, with complainted_mchid) once it has replied, unless it decided the complaint's refund: every completion is answered 204, none SIGN_ERROR, PARAM_ERROR or INVALID_REQUEST.",
			Fix:         fix("reply first, then complete the complaint with complainted_mchid (complaints.Client.Complete); do not complete a PENDING or PROCESSED one", docPayComplete, docPayClient),
			run:         payAPIComplete,
		},
		{
			ID: "api/refund/decision", API: true,
			Requirement: "The merchant's decision on a REFUND complaint (POST …/update-refund-progress) carries the fields its action needs and no other: APPROVE with launch_refund_day at least 0 when given and no reject_reason or reject_media_list; REJECT with a reject_reason of 1 to 200 characters, at most 4 reject_media_list ids and no launch_refund_day; each decision is answered 204.",
			Fix:         fix("send action APPROVE with launch_refund_day, or REJECT with reject_reason (RefundProgressRequest.Validate checks the pairing)", docPayRefund, docPayClient),
			run:         payAPIRefund,
		},
		{
			ID: "api/immediate/fresh-id", API: true,
			Requirement: "Each immediate-service reply the merchant makes (POST …/response-immediate-service) has an idempotent_id of its own: two different replies never share one (\"相同idempotent_id的请求只会被处理一次\": WeChat would drop the second).",
			Fix:         fix("make a fresh idempotent_id for each new reply (complaints.NewIdempotentID)", docPayImmediate, docPayClient),
			run:         payAPIFreshID,
		},
		{
			ID: "api/immediate/retry-same-id", API: true,
			Requirement: "When an immediate-service reply fails with a transient error (the suite answers the merchant's first one 500 SYSTEM_ERROR, \"请使用相同参数稍后重新调用\"), the merchant sends it again with the same idempotent_id, and the retry succeeds: a fresh id would have WeChat post the reply twice.",
			Fix:         fix("retry a reply that failed with 5xx or SYSTEM_ERROR with the same body and idempotent_id (apiv3.RetryPolicy does)", docPayImmediate, "go doc github.com/payfeedback/payfeedback/apiv3.RetryPolicy"),
			run:         payAPIRetrySameID,
		},
		{
			ID: "api/history/paged", API: true,
			Requirement: "When the merchant reads a complaint's negotiation history (GET …/negotiation-historys), it pages through it: a limit of 1 to 300, each page at the offset where the one before ended, until it has read total_count entries.",
			Fix:         fix("read the history page by page until offset reaches total_count (complaints.Client.HistoryAll)", docPayHistory, docPayClient),
			run:         payAPIHistory,
		},
		{
			ID: "api/limits/per-minute", API: true,
			Requirement: "The merchant stays under the per-minute limits of WeChat's complaint API (list and history 200, reply and image upload 60, complete 1,500 calls a minute per merchant): no call of the run is answered 429 FREQUENCY_LIMITED.",
			Fix:         fix("pace the calls to each endpoint under its limit (complaints.ClientOptions.Pacing) and back off on 429 (apiv3.RetryPolicy)", docPayLimits, docPayClient),
			run:         payAPILimits,
		},
		{
			ID: "api/deadline/respond-within", API: true,
			Requirement: "Each complaint the suite files is replied to and handled (completed, or its refund decided) within the deadline the merchant sets itself (--respond-within, Options.RespondWithin: 24 h by default, as merchant-platform policies require) of its filing, on the fake's clock.",
			Fix:         fix("reply to and handle each complaint within your own deadline: schedule the work on arrival and alert before it passes", docPayCallbacks, docPayComplete),
			run:         payAPIDeadline,
		},
	}
}

func payAPIDetail(ctx context.Context, e *env) Result {
	obs := e.payAPI.observe(ctx)
	if len(obs.phases) == 0 {
		return Result{Status: Inconclusive, Message: "no complaint could be filed: " + obs.stopped}
	}
	var bad []string
	var shown []mockwechat.Call
	for _, ph := range obs.phases {
		if ph.id == "" {
			continue
		}
		mine := callsAbout(scenarioCalls(obs, ""), ph.id)
		detail, act := -1, -1
		for i, c := range mine {
			_, ce := complaintCall(c.Endpoint)
			switch {
			case ce == complaints.EndpointDetail && succeeded(c) && detail < 0:
				detail = i
			case c.Method == http.MethodPost && act < 0:
				act = i
			}
		}
		switch {
		case detail < 0 && len(obs.calls) == 0:
			return Result{Status: Fail, Message: "the merchant made no API call to the fake at all: is it configured with the base URL " + e.payAPI.env.BaseURL + " and the keys of the run?",
				Expected: "GET " + complaints.PathComplaint(ph.id) + " answered 200", Actual: "no call"}
		case detail < 0:
			bad = append(bad, fmt.Sprintf("the %s (%s): never fetched", ph.name, ph.id))
			shown = append(shown, mine...)
		case act >= 0 && act < detail:
			bad = append(bad, fmt.Sprintf("the %s (%s): acted on (%s) before its detail was fetched", ph.name, ph.id, mine[act].Endpoint))
			shown = append(shown, mine[:detail+1]...)
		}
	}
	if len(bad) > 0 {
		return Result{Status: Fail, Message: "the merchant acted on complaints it had not fetched: a callback carries only the complaint's id",
			Expected: "GET /v3/merchant-service/complaints-v2/{complaint_id} answered 200 after each COMPLAINT.CREATE, before any reply",
			Actual:   strings.Join(bad, "\n"), Exchanges: payCallExchanges(shown)}
	}
	return Result{Status: Pass}
}

// payActCase judges the scenario's calls to endpoints es: none refused,
// and, with need, each phase complaint has a successful one (need says
// whether the phase requires it).
func payActCase(ctx context.Context, e *env, what string, es []complaints.Endpoint, need func(payPhase, []mockwechat.Call) bool) Result {
	obs := e.payAPI.observe(ctx)
	if len(obs.phases) == 0 {
		return Result{Status: Inconclusive, Message: "no complaint could be filed: " + obs.stopped}
	}
	var calls []mockwechat.Call
	for _, c := range scenarioCalls(obs, "") {
		if _, ce := complaintCall(c.Endpoint); containsEndpoint(es, ce) {
			calls = append(calls, c)
		}
	}
	var bad []mockwechat.Call
	for _, c := range calls {
		if refused(c) {
			bad = append(bad, c)
		}
	}
	if len(bad) > 0 {
		return Result{Status: Fail, Message: fmt.Sprintf("%d of the merchant's %d %s were refused by the fake", len(bad), len(calls), what),
			Expected: "each answered 2xx", Actual: payCallsLine(bad), Exchanges: payCallExchanges(bad)}
	}
	for _, ph := range obs.phases {
		if ph.id == "" || !need(ph, obs.calls) {
			continue
		}
		ok := false
		for _, c := range callsAbout(calls, ph.id) {
			ok = ok || succeeded(c)
		}
		if ok {
			continue
		}
		status := Fail
		if ph.unreached {
			status = Inconclusive
		}
		msg := fmt.Sprintf("the %s (%s) got none of the merchant's %s", ph.name, ph.id, what)
		if ph.problem != "" {
			msg += ": " + ph.problem
		}
		return Result{Status: status, Message: msg, Expected: fmt.Sprintf("a successful one for complaint %s", ph.id),
			Actual: payCallsLine(callsAbout(scenarioCalls(obs, ""), ph.id)), Exchanges: payCallExchanges(callsAbout(scenarioCalls(obs, ""), ph.id))}
	}
	return Result{Status: Pass}
}

func payAPIReply(ctx context.Context, e *env) Result {
	return payActCase(ctx, e, "replies", []complaints.Endpoint{complaints.EndpointResponse, complaints.EndpointImmediateService},
		func(ph payPhase, calls []mockwechat.Call) bool { return !refundDecided(ph, calls) })
}

func payAPIComplete(ctx context.Context, e *env) Result {
	return payActCase(ctx, e, "completions", []complaints.Endpoint{complaints.EndpointComplete},
		func(ph payPhase, calls []mockwechat.Call) bool { return !refundDecided(ph, calls) })
}

// problems lists what is wrong with the decision's fields.
func (b refundBody) problems() []string {
	var out []string
	switch b.Action {
	case complaints.RefundApprove:
		if b.LaunchRefundDay != nil && *b.LaunchRefundDay < 0 {
			out = append(out, fmt.Sprintf("launch_refund_day %d is negative", *b.LaunchRefundDay))
		}
		if b.RejectReason != nil || b.RejectMediaList != nil {
			out = append(out, "APPROVE with reject_reason or reject_media_list")
		}
	case complaints.RefundReject:
		switch {
		case b.RejectReason == nil || *b.RejectReason == "":
			out = append(out, "REJECT without a reject_reason")
		case utf8.RuneCountInString(*b.RejectReason) > complaints.MaxRejectReasonLength:
			out = append(out, fmt.Sprintf("reject_reason of %d characters", utf8.RuneCountInString(*b.RejectReason)))
		}
		if len(b.RejectMediaList) > complaints.MaxRejectMedia {
			out = append(out, fmt.Sprintf("%d reject_media_list ids", len(b.RejectMediaList)))
		}
		if b.LaunchRefundDay != nil {
			out = append(out, "REJECT with launch_refund_day (WeChat answers 400)")
		}
	default:
		out = append(out, fmt.Sprintf("action %q is neither APPROVE nor REJECT", b.Action))
	}
	return out
}

func payAPILimits(ctx context.Context, e *env) Result {
	obs := e.payAPI.observe(ctx)
	if len(obs.calls) == 0 {
		return payUnjudged(obs, "the merchant made no API call")
	}
	var limited []mockwechat.Call
	for _, c := range obs.calls {
		if c.Status == http.StatusTooManyRequests || c.Code == string(apiv3.CodeFrequencyLimited) {
			limited = append(limited, c)
		}
	}
	if len(limited) > 0 {
		return Result{Status: Fail, Message: fmt.Sprintf("%d of the merchant's %d calls were over WeChat's per-minute limits", len(limited), len(obs.calls)),
			Expected: "no 429 FREQUENCY_LIMITED", Actual: payCallsLine(limited[:min(len(limited), 5)]), Exchanges: payCallExchanges(limited[:min(len(limited), 3)])}
	}
	return Result{Status: Pass}
}

func payAPIDeadline(ctx context.Context, e *env) Result {
	obs := e.payAPI.observe(ctx)
	if len(obs.phases) == 0 {
		return Result{Status: Inconclusive, Message: "no complaint could be filed: " + obs.stopped}
	}
	for _, ph := range obs.phases {
		if ph.id == "" {
			continue
		}
		expected := fmt.Sprintf("complaint %s replied to and handled by %s (%s after it was filed, %s, on the fake's clock)",
			ph.id, rfc3339(ph.deadline), e.s.RespondWithin, rfc3339(ph.filed))
		if ph.handled == nil {
			status := Fail
			if ph.unreached {
				status = Inconclusive
			}
			return Result{Status: status, Message: fmt.Sprintf("the %s was not handled: %s", ph.name, ph.problem), Expected: expected,
				Actual: "no successful completion or refund decision", Exchanges: payCallExchanges(callsAbout(scenarioCalls(obs, ""), ph.id))}
		}
		var reply *mockwechat.Call
		for _, c := range callsAbout(scenarioCalls(obs, ""), ph.id) {
			if _, ce := complaintCall(c.Endpoint); (ce == complaints.EndpointResponse || ce == complaints.EndpointImmediateService || ce == complaints.EndpointRefundProgress) && succeeded(c) {
				reply = &c
				break
			}
		}
		for _, c := range []*mockwechat.Call{reply, ph.handled} {
			if c == nil {
				continue
			}
			if at := obs.virtualAt(c.Time); at.After(ph.deadline) {
				return Result{Status: Fail, Message: fmt.Sprintf("the %s was handled %s after it was filed, %s past the merchant's deadline", ph.name, at.Sub(ph.filed), at.Sub(ph.deadline)),
					Expected: expected, Actual: fmt.Sprintf("%s %s at %s (fake's clock)", c.Method, c.Endpoint, rfc3339(at)), Exchanges: []Exchange{payCallExchange(*c)}}
			}
		}
	}
	if !obs.virtual {
		return Result{Status: Pass, Message: fmt.Sprintf("on the real clock: handled within %s of each complaint, so within the deadline; "+
			"a run on the real clock judges no more than that (--virtual-clock, Options.VirtualClock, judges the hours)", e.s.APITimeout)}
	}
	return Result{Status: Pass}
}

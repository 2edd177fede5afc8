package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
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

// payUnjudged says why a case has nothing to judge: Inconclusive when the
// scenario stopped early, skipped when it ran through and the merchant
// chose not to do what the case judges.
func payUnjudged(obs *payObservations, why string) Result {
	if obs.stopped != "" {
		return Result{Status: Inconclusive, Message: why + ": the scenario stopped at its " + obs.stoppedAt + " (see api/complete/valid)"}
	}
	return Result{Status: Skip, Message: why}
}

// scenarioCalls are the calls of the scenario's phases about their
// complaints, endpoint e ("": any), in order.
func scenarioCalls(obs *payObservations, e complaints.Endpoint) []mockwechat.Call {
	ids := map[string]bool{}
	for _, ph := range obs.phases {
		ids[ph.id] = true
	}
	var out []mockwechat.Call
	for _, c := range obs.calls {
		if id, ce := complaintCall(c.Endpoint); c.Seq >= obs.from && ids[id] && ce != "" && (e == "" || ce == e) {
			out = append(out, c)
		}
	}
	return out
}

// callsAbout filters calls about complaint id.
func callsAbout(calls []mockwechat.Call, id string) []mockwechat.Call {
	var out []mockwechat.Call
	for _, c := range calls {
		if cid, _ := complaintCall(c.Endpoint); cid == id {
			out = append(out, c)
		}
	}
	return out
}

// refused reports a call the fake refused for the merchant's own mistake
// (4xx but 429, which api/limits/per-minute judges).
func refused(c mockwechat.Call) bool {
	return c.Status >= 400 && c.Status < 500 && c.Status != http.StatusTooManyRequests
}

// payCallExchange renders a merchant's /v3/ call as the fake logged it.
func payCallExchange(c mockwechat.Call) Exchange {
	ex := Exchange{
		Note:    "the merchant called the fake WeChat at " + rfc3339(c.Time) + " (real time)",
		Request: WireRequest{Method: c.Method, Target: c.Endpoint, Body: excerpt(c.Body), BodySize: int64(len(c.Body))},
	}
	if c.Status != 0 {
		ex.Response = &WireResponse{Status: c.Status, Header: map[string]string{"Content-Type": "application/json"}, Body: string(c.Answer), BodySize: int64(len(c.Answer))}
	} else {
		ex.Error = "the fake dropped the connection"
	}
	return ex
}

func payCallExchanges(calls []mockwechat.Call) []Exchange {
	out := make([]Exchange, 0, len(calls))
	for _, c := range calls {
		out = append(out, payCallExchange(c))
	}
	return out
}

// injectedExchange renders a call the front answered itself.
func injectedExchange(c injectedCall) Exchange {
	return Exchange{
		Note:     "the merchant called the fake WeChat at " + rfc3339(c.Time) + " (real time); the suite answered a transient error on purpose",
		Request:  WireRequest{Method: http.MethodPost, Target: c.Target, Body: excerpt(c.Body), BodySize: int64(len(c.Body))},
		Response: &WireResponse{Status: http.StatusInternalServerError, Header: map[string]string{"Content-Type": "application/json"}, Body: transientAnswer, BodySize: int64(len(transientAnswer))},
	}
}

// payCallsLine sums calls up: "POST …/response → 204, …".
func payCallsLine(calls []mockwechat.Call) string {
	if len(calls) == 0 {
		return "no call"
	}
	parts := make([]string, 0, len(calls))
	for _, c := range calls {
		line := fmt.Sprintf("%s %s → %d", c.Method, c.Endpoint, c.Status)
		if c.Code != "" {
			line += " " + c.Code
		}
		parts = append(parts, line)
	}
	return strings.Join(parts, "\n")
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

func containsEndpoint(es []complaints.Endpoint, e complaints.Endpoint) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

func payAPIReply(ctx context.Context, e *env) Result {
	return payActCase(ctx, e, "replies", []complaints.Endpoint{complaints.EndpointResponse, complaints.EndpointImmediateService},
		func(ph payPhase, calls []mockwechat.Call) bool { return !refundDecided(ph, calls) })
}

func payAPIComplete(ctx context.Context, e *env) Result {
	return payActCase(ctx, e, "completions", []complaints.Endpoint{complaints.EndpointComplete},
		func(ph payPhase, calls []mockwechat.Call) bool { return !refundDecided(ph, calls) })
}

// refundDecided reports whether the merchant decided the phase's refund.
func refundDecided(ph payPhase, calls []mockwechat.Call) bool {
	for _, c := range callsAbout(calls, ph.id) {
		if _, ce := complaintCall(c.Endpoint); ce == complaints.EndpointRefundProgress && succeeded(c) {
			return true
		}
	}
	return false
}

// refundBody is what api/refund/decision reads of a decision.
type refundBody struct {
	Action          complaints.RefundAction `json:"action"`
	LaunchRefundDay *int                    `json:"launch_refund_day"`
	RejectReason    *string                 `json:"reject_reason"`
	RejectMediaList []string                `json:"reject_media_list"`
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

func payAPIRefund(ctx context.Context, e *env) Result {
	obs := e.payAPI.observe(ctx)
	calls := scenarioCalls(obs, complaints.EndpointRefundProgress)
	if len(calls) == 0 {
		return payUnjudged(obs, "the merchant decided no refund (it may complete REFUND complaints instead)")
	}
	var lines []string
	var bad []mockwechat.Call
	for _, c := range calls {
		var b refundBody
		var probs []string
		if err := json.Unmarshal(c.Body, &b); err != nil {
			probs = []string{"the body is not JSON of a decision"}
		} else {
			probs = b.problems()
		}
		if !succeeded(c) && c.Status != http.StatusTooManyRequests {
			probs = append(probs, fmt.Sprintf("answered %d %s", c.Status, c.Code))
		}
		if len(probs) > 0 {
			bad = append(bad, c)
			lines = append(lines, c.Endpoint+": "+strings.Join(probs, "; "))
		}
	}
	if len(bad) > 0 {
		return Result{Status: Fail, Message: fmt.Sprintf("%d of the merchant's %d refund decisions were wrong", len(bad), len(calls)),
			Expected: "APPROVE with launch_refund_day, or REJECT with reject_reason, each answered 204", Actual: strings.Join(lines, "\n"), Exchanges: payCallExchanges(bad)}
	}
	return Result{Status: Pass}
}

// immediateReply is one immediate-service call: the fake's, or the one
// the front answered itself.
type immediateReply struct {
	seq        uint64
	complaint  string
	idempotent string
	ok         bool
	injected   bool
	ex         Exchange
}

// immediateReplies lists the scenario's immediate-service calls in order.
func immediateReplies(obs *payObservations) []immediateReply {
	id := func(body []byte) string {
		var b struct {
			IdempotentID string `json:"idempotent_id"`
		}
		_ = json.Unmarshal(body, &b)
		return b.IdempotentID
	}
	var out []immediateReply
	inj := obs.injected
	for _, c := range scenarioCalls(obs, complaints.EndpointImmediateService) {
		for len(inj) > 0 && inj[0].Seq <= c.Seq {
			out = append(out, immediateReply{seq: inj[0].Seq, complaint: inj[0].Complaint, idempotent: id(inj[0].Body), injected: true, ex: injectedExchange(inj[0])})
			inj = inj[1:]
		}
		cid, _ := complaintCall(c.Endpoint)
		out = append(out, immediateReply{seq: c.Seq, complaint: cid, idempotent: id(c.Body), ok: succeeded(c), ex: payCallExchange(c)})
	}
	for _, c := range inj {
		out = append(out, immediateReply{seq: c.Seq, complaint: c.Complaint, idempotent: id(c.Body), injected: true, ex: injectedExchange(c)})
	}
	return out
}

func payAPIFreshID(ctx context.Context, e *env) Result {
	obs := e.payAPI.observe(ctx)
	replies := immediateReplies(obs)
	// A reply is the first call, or the first after a success: the calls
	// after a failure are its retries.
	owner := map[string]immediateReply{} // idempotent_id → the reply that first used it
	retrying := map[string]bool{}        // complaint → its last call failed
	n := 0
	for _, r := range replies {
		isNew := !retrying[r.complaint]
		retrying[r.complaint] = !r.ok
		if !isNew {
			continue
		}
		n++
		if first, ok := owner[r.idempotent]; ok {
			return Result{Status: Fail, Message: "two different immediate-service replies share idempotent_id " + r.idempotent + ": WeChat processes the second as the first",
				Expected: "a fresh idempotent_id for each new reply", Actual: fmt.Sprintf("complaint %s and complaint %s, the same id", first.complaint, r.complaint),
				Exchanges: []Exchange{first.ex, r.ex}}
		}
		owner[r.idempotent] = r
	}
	if n < 2 {
		return payUnjudged(obs, fmt.Sprintf("the merchant made %d immediate-service replies (POST …/response-immediate-service): a fresh id needs two to judge", n))
	}
	return Result{Status: Pass}
}

func payAPIRetrySameID(ctx context.Context, e *env) Result {
	obs := e.payAPI.observe(ctx)
	replies := immediateReplies(obs)
	for i, r := range replies {
		if !r.injected {
			continue
		}
		for _, next := range replies[i+1:] {
			if next.complaint != r.complaint {
				continue
			}
			if next.idempotent != r.idempotent {
				return Result{Status: Fail, Message: "the merchant retried the failed immediate-service reply with another idempotent_id: had the first been processed, WeChat would post the reply twice",
					Expected: "idempotent_id " + r.idempotent, Actual: "idempotent_id " + next.idempotent, Exchanges: []Exchange{r.ex, next.ex}}
			}
			if !next.ok {
				return Result{Status: Fail, Message: "the merchant's retry of the failed immediate-service reply was refused",
					Expected: "the retry answered 200", Actual: answerLine(next.ex), Exchanges: []Exchange{r.ex, next.ex}}
			}
			return Result{Status: Pass}
		}
		return Result{Status: Fail, Message: "the merchant did not retry the immediate-service reply the suite answered 500 SYSTEM_ERROR (\"请使用相同参数稍后重新调用\")",
			Expected: "the same reply again, with idempotent_id " + r.idempotent, Actual: "no other immediate-service call for complaint " + r.complaint, Exchanges: []Exchange{r.ex}}
	}
	return payUnjudged(obs, "the merchant made no immediate-service reply (POST …/response-immediate-service), so none failed to be retried")
}

// historyPage is what api/history/paged reads of a history call.
type historyPage struct {
	offset, limit int
	data, total   int
	known         bool // the answer could be read
	call          mockwechat.Call
}

func readHistoryPage(c mockwechat.Call) historyPage {
	p := historyPage{call: c}
	var a struct {
		Data       []json.RawMessage `json:"data"`
		Limit      int               `json:"limit"`
		Offset     int               `json:"offset"`
		TotalCount int               `json:"total_count"`
	}
	if json.Unmarshal(c.Answer, &a) == nil {
		p.offset, p.limit, p.data, p.total, p.known = a.Offset, a.Limit, len(a.Data), a.TotalCount, true
	}
	return p
}

func payAPIHistory(ctx context.Context, e *env) Result {
	obs := e.payAPI.observe(ctx)
	var pages []historyPage
	limited := map[string]bool{} // complaints whose history reads met the per-minute limit
	for _, c := range scenarioCalls(obs, complaints.EndpointHistory) {
		id, _ := complaintCall(c.Endpoint)
		switch {
		case succeeded(c):
			pages = append(pages, readHistoryPage(c))
		case c.Status == http.StatusTooManyRequests:
			limited[id] = true
		}
	}
	pages = slices.DeleteFunc(pages, func(p historyPage) bool {
		id, _ := complaintCall(p.call.Endpoint)
		return limited[id] // a read the limit cut short is api/limits/per-minute's to judge
	})
	if len(pages) == 0 {
		why := "the merchant did not read a negotiation history (GET …/negotiation-historys)"
		if len(limited) > 0 {
			why = "the merchant's reads of the negotiation history met WeChat's per-minute limit (see api/limits/per-minute), so their paging is not judged"
		}
		return payUnjudged(obs, why)
	}
	// Each read of a complaint's history starts at offset 0 and goes on
	// while the pages say there is more.
	type read struct {
		pages []historyPage
	}
	open := map[string]*read{}
	var reads []*read
	for _, p := range pages {
		id, _ := complaintCall(p.call.Endpoint)
		r := open[id]
		if r == nil || p.offset == 0 {
			r = &read{}
			open[id] = r
			reads = append(reads, r)
		}
		r.pages = append(r.pages, p)
	}
	for _, r := range reads {
		first, last := r.pages[0], r.pages[len(r.pages)-1]
		var problem string
		for i, p := range r.pages {
			switch {
			case !p.known:
				problem = "an answer the suite could not read"
			case i == 0 && p.offset != 0:
				problem = fmt.Sprintf("the read began at offset %d, not 0", p.offset)
			case i > 0 && p.offset != r.pages[i-1].offset+r.pages[i-1].data:
				problem = fmt.Sprintf("a page at offset %d after a page that ended at %d", p.offset, r.pages[i-1].offset+r.pages[i-1].data)
			}
			if problem != "" {
				break
			}
		}
		if problem == "" && last.offset+last.data < last.total {
			problem = fmt.Sprintf("the read stopped at entry %d of %d (limit %d)", last.offset+last.data, last.total, last.limit)
		}
		if problem != "" {
			calls := make([]mockwechat.Call, 0, len(r.pages))
			for _, p := range r.pages {
				calls = append(calls, p.call)
			}
			id, _ := complaintCall(first.call.Endpoint)
			return Result{Status: Fail, Message: "the merchant did not page through the negotiation history of complaint " + id + ": " + problem,
				Expected: fmt.Sprintf("pages from offset 0 until offset reaches total_count (%d)", last.total), Actual: payCallsLine(calls), Exchanges: payCallExchanges(calls)}
		}
	}
	return Result{Status: Pass}
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

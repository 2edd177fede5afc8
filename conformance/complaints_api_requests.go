package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

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

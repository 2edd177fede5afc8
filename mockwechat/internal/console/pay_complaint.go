package console

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// payKindOrder orders the marks of one instant: the history, then a
// callback tied to no entry of it, then a call of the merchant's refused.
var payKindOrder = map[string]int{"history": 0, "callback": 1, "refused": 2}

// payEntry is one mark of a Complaints 2.0 complaint's timeline: an entry
// of its negotiation history, a callback with its attempts, or a call of
// the merchant's that WeChat refused (which leaves no history).
type payEntry struct {
	Time time.Time
	// Kind names the mark for the page's style: user, merchant, platform,
	// system (history entries), callback, refused.
	Kind     string
	Title    string
	History  *complaints.NegotiationHistory
	Delivery *payDelivery
	Refused  *refusedCall
}

// payDelivery is a callback as the timeline shows it.
type payDelivery struct {
	paypush.Delivery
	Views []attemptView
}

// attemptView is an attempt and how it went, in words.
type attemptView struct {
	paypush.Attempt
	N int
	// Class is ok (the merchant did right) or bad; Note says why.
	Class, Note string
}

// viewAttempts judges each attempt of d: a 2xx answer is right, unless a
// verifying merchant must refuse what was sent (Wrong); a refusal is right
// for a probe only.
func viewAttempts(d paypush.Delivery) []attemptView {
	out := make([]attemptView, len(d.Attempts))
	for i, a := range d.Attempts {
		v := attemptView{Attempt: a, N: i + 1, Class: "bad"}
		switch {
		case a.Wrong:
			v.Note = "wrong: a merchant that verifies callbacks refuses this one"
		case a.Status >= 200 && a.Status < 300 && a.Verdict != "too slow":
			v.Class = "ok"
		case d.Probe && a.Status >= 400:
			v.Class, v.Note = "ok", "right: a SIGNTEST probe must be refused"
		case a.URL == "":
			v.Note = "the merchant has no callback URL"
		}
		out[i] = v
	}
	return out
}

// refusedCall is a call of the merchant's on the complaint that WeChat
// refused, with WeChat's code and message.
type refusedCall struct {
	calllog.Call
	Code, Message string
}

// payActs is what the complaint's state lets the user and the platform
// do, for the page to offer the matching forms (the admin API judges).
type payActs struct {
	Continue, Message, ApplyPlatform, CancelPlatform bool
	PlatformFinish, RefundArrived, SellerRefund      bool
}

func actsOf(c payworld.Complaint) payActs {
	w := c.Wire
	open := w.ComplaintState == complaints.StatePending || w.ComplaintState == complaints.StateProcessing
	return payActs{
		Continue:       w.ComplaintState == complaints.StateProcessed,
		Message:        open,
		ApplyPlatform:  open && !w.InPlatformService,
		CancelPlatform: w.InPlatformService,
		PlatformFinish: w.InPlatformService,
		RefundArrived:  c.Refund != nil && c.Refund.Action == complaints.RefundApprove && c.Refund.ArrivedAt.IsZero(),
		SellerRefund:   !w.ComplaintFullRefunded,
	}
}

type payComplaintData struct {
	Tab       payTab
	C         payworld.Complaint
	Acts      payActs
	NotifyURL string
	Timeline  []payEntry
	Callbacks int
	// Extra is the complaint's undeclared members as JSON, "" when none.
	Extra string
}

func (h *Handler) payComplaint(w http.ResponseWriter, r *http.Request) {
	if h.payOff(w, r) {
		return
	}
	id := r.PathValue("id")
	c, ok := h.pay.PayComplaint(id)
	if !ok {
		h.notFound(w, r, "Complaints 2.0 complaint "+text.Clip(id, 64))
		return
	}
	d := payComplaintData{Tab: h.payTab("complaints"), C: c, Acts: actsOf(c)}
	for _, m := range h.pay.PayMerchants() {
		if m.MchID == c.Wire.ComplaintedMchID {
			d.NotifyURL = m.NotifyURL
		}
	}
	if len(c.Wire.Extra) > 0 {
		if b, err := json.Marshal(c.Wire.Extra); err == nil {
			d.Extra = string(b)
		}
	}
	d.Timeline, d.Callbacks = h.payTimeline(c)
	h.render(w, r, http.StatusOK, "pay_complaint", &page{Title: "Complaint " + c.ID(), Nav: "pay", Events: payEvents, Data: d})
}

// merchantActs are the paths of the merchant's acts on a complaint, whose
// refusals the timeline shows.
func merchantActs(id string) []string {
	return []string{complaints.PathResponse(id), complaints.PathComplete(id), complaints.PathUpdateRefundProgress(id),
		complaints.PathResponseImmediateService(id)}
}

// announces maps the action_type of a callback to the operate_type of
// the history entry of the act it announces.
var announces = map[complaints.ActionType]complaints.OperateType{
	complaints.ActionCreateComplaint:           complaints.OperateUserCreateComplaint,
	complaints.ActionContinueComplaint:         complaints.OperateUserContinueComplaint,
	complaints.ActionUserResponse:              complaints.OperateUserResponse,
	complaints.ActionUserApplyPlatformService:  complaints.OperateUserApplyPlatformService,
	complaints.ActionUserCancelPlatformService: complaints.OperateUserCancelPlatformService,
	complaints.ActionResponseByPlatform:        complaints.OperatePlatformResponse,
	complaints.ActionPlatformServiceFinished:   complaints.OperatePlatformServiceFinished,
	complaints.ActionRefundSuccess:             complaints.OperateComplaintRefundReceivedSystemMessage,
	complaints.ActionSellerRefund:              complaints.OperateComplaintFullRefundedSystemMessage,
}

// payTimeline interleaves a complaint's negotiation history, its
// callbacks with every attempt, and the merchant's refused calls, in time
// order. Each callback follows the history entry of the act it announces
// (the k-th callback of an action_type, the k-th entry of its
// operate_type), so that on a virtual clock, where a whole life may share
// one instant, the page still reads as it happened.
func (h *Handler) payTimeline(c payworld.Complaint) ([]payEntry, int) {
	// groups: each history entry with the callbacks announcing it, and
	// the entries tied to nothing, each alone
	type group struct {
		time    time.Time
		order   int
		entries []payEntry
	}
	groups := make([]group, len(c.History))
	for i := range c.History {
		e := &c.History[i]
		groups[i] = group{time: e.OperateTime, entries: []payEntry{{Time: e.OperateTime, Kind: operatorKind(*e), Title: operateLabel(e.OperateType), History: e}}}
	}
	matched := make([]bool, len(c.History))
	ds := h.pay.PayDeliveriesOf(func(d *paypush.Delivery) bool { return !d.Probe && d.ComplaintID == c.ID() })
	for _, d := range ds {
		e := payEntry{Time: d.Queued, Kind: "callback", Title: "Callback " + string(d.ActionType) + " to the merchant",
			Delivery: &payDelivery{Delivery: d, Views: viewAttempts(d)}}
		op, known := announces[d.ActionType.Canonical()]
		at := -1
		for i := range c.History {
			if known && !matched[i] && c.History[i].OperateType == op && !c.History[i].OperateTime.After(d.Queued) {
				at = i
				break
			}
		}
		if at < 0 {
			groups = append(groups, group{time: d.Queued, order: payKindOrder["callback"], entries: []payEntry{e}})
			continue
		}
		matched[at] = true
		groups[at].entries = append(groups[at].entries, e)
	}
	for _, path := range merchantActs(c.ID()) {
		for _, cl := range h.b.LatestCalls(calllog.Filter{Endpoint: path}, maxTimelineCalls) {
			if cl.Status < http.StatusBadRequest {
				continue
			}
			rc := &refusedCall{Call: cl}
			var a struct{ Code, Message string }
			if json.Unmarshal(cl.Answer, &a) == nil {
				rc.Code, rc.Message = a.Code, a.Message
			}
			groups = append(groups, group{time: cl.Time, order: payKindOrder["refused"], entries: []payEntry{{Time: cl.Time, Kind: "refused",
				Title: "WeChat refused the merchant's " + cl.Method + " " + actName(path), Refused: rc}}})
		}
	}
	slices.SortStableFunc(groups, func(a, b group) int {
		return cmp.Or(cmp.Compare(a.time.UnixNano(), b.time.UnixNano()), cmp.Compare(a.order, b.order))
	})
	var t []payEntry
	for _, g := range groups {
		t = append(t, g.entries...)
	}
	return t, len(ds)
}

// actName is the last part of a merchant act's path: response, complete…
func actName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return "…/" + path[i+1:]
		}
	}
	return path
}

package conformance

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// deadlineCell is one cell of the resolution-deadline table: the kind of
// goods and whether the shipping deadline had passed unshipped when the
// user complained.
type deadlineCell struct {
	id      string
	goods   payfeedback.GoodsKind
	overdue bool // not shipped, and the shipping deadline passed
	// days is the cell's deadline, counted from the complaint.
	days int
}

// deadlineCells are the four cells, in the order the scenario files them.
var deadlineCells = []deadlineCell{
	{"virtual-unshipped-overdue", payfeedback.GoodsVirtual, true, 1},
	{"physical-unshipped-overdue", payfeedback.GoodsPhysical, true, 2},
	{"virtual-shipped", payfeedback.GoodsVirtual, false, 3},
	{"physical-shipped", payfeedback.GoodsPhysical, false, 15},
}

func (c deadlineCell) phaseName() string { return "complaint of cell " + c.id }

// describe words the cell: "virtual goods or a service, not shipped within
// the 24 h shipping deadline".
func (c deadlineCell) describe() string {
	what := "physical goods"
	if c.goods == payfeedback.GoodsVirtual {
		what = "virtual goods or a service"
	}
	if c.overdue {
		return fmt.Sprintf("%s, not shipped within the %s shipping deadline", what, payfeedback.ShippingDeadline(c.goods))
	}
	return what + ", shipped"
}

// spec is the complaint the scenario files for the cell by openID, at now:
// an order paid an hour past its shipping deadline and not shipped, or
// paid an hour ago and shipped.
func (c deadlineCell) spec(appID, openID string, now time.Time) mockwechat.ComplaintSpec {
	s := mockwechat.ComplaintSpec{
		AppID: appID, OpenID: openID, Goods: c.goods,
		Reason: sampleReason, Solution: sampleSolution, ExtInfo: sampleExtInfo,
	}
	if c.overdue {
		s.PaidAt = now.Add(-payfeedback.ShippingDeadline(c.goods) - time.Hour)
	} else {
		s.PaidAt, s.Shipped = now.Add(-time.Hour), true
	}
	return s
}

// The suite's timers on the fake's virtual clock (APIEnv.AfterFunc). The
// suite alone moves that clock, so it runs each timer when the clock
// reaches it: a merchant that defers work (a job that marks complaints
// handled later) is then met by virtual days in no real time.

// timer is one function due at a virtual instant.
type timer struct {
	at  time.Time
	seq uint64
	f   func()
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// timers are the suite's timers of a run. The lock is taken alone.
type timers struct {
	mu   sync.Mutex
	heap timerHeap
	seq  uint64
}

func (t *timers) add(at time.Time, f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	heap.Push(&t.heap, timer{at: at, seq: t.seq, f: f})
}

// next returns the earliest timer's instant, if any.
func (t *timers) next() (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.heap) == 0 {
		return time.Time{}, false
	}
	return t.heap[0].at, true
}

// popDue removes and returns the earliest timer due at or before until.
func (t *timers) popDue(until time.Time) (timer, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.heap) == 0 || t.heap[0].at.After(until) {
		return timer{}, false
	}
	return heap.Pop(&t.heap).(timer), true
}

// afterFunc is APIEnv.AfterFunc: f runs once the fake's clock has moved d
// ahead; with real time, after d.
func (a *apiRun) afterFunc(d time.Duration, f func()) {
	if a.clock == nil {
		time.AfterFunc(d, f)
		return
	}
	a.timers.add(a.clock.Now().Add(max(d, 0)), f)
}

// advanceTo moves the virtual clock to t, running the suite's timers due
// on the way, each at its instant; the fake fires its own events (overdue
// complaints, push retries) as the clock passes them.
func (a *apiRun) advanceTo(ctx context.Context, t time.Time) {
	for ctx.Err() == nil {
		tm, ok := a.timers.popDue(t)
		if !ok {
			break
		}
		a.clock.AdvanceTo(tm.at)
		a.runTimer(ctx, tm.f)
	}
	a.clock.AdvanceTo(t)
}

// runTimer runs a merchant's timer, waiting for it at most as long as for
// an answer.
func (a *apiRun) runTimer(ctx context.Context, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	case <-time.After(a.s.answerWait()):
	}
}

// awaitUpdate waits for the merchant's successful payfeedback/update of
// complaint c, made after the call numbered from. With the virtual clock
// it lets the merchant answer the push, then runs the merchant's timers
// up to limit, one after the other, until the update comes; whatever is
// left is waited for in real time, up to Options.APITimeout.
func (a *apiRun) awaitUpdate(ctx context.Context, c mockwechat.Complaint, from uint64, limit time.Time) (*mockwechat.Call, error) {
	a.s.waiting("the merchant's payfeedback/update of complaint " + c.FeedBackID)
	defer a.s.waiting("")
	wctx, cancel := context.WithTimeout(ctx, a.s.APITimeout)
	defer cancel()
	match := func(k mockwechat.Call) bool {
		return k.Seq >= from && k.Endpoint == payfeedback.PathUpdateFeedback && k.ErrCode == payfeedback.CodeOK &&
			k.Status == http.StatusOK && k.Query.Get("feedbackid") == c.FeedBackID
	}
	if a.clock != nil {
		// The merchant's handling of the push, timers it sets included,
		// is over once the first attempt has its answer.
		_, _ = a.fake.WaitForDelivery(wctx, func(d mockwechat.Delivery) bool {
			return d.FeedBackID == c.FeedBackID && d.MsgType == payfeedback.MsgRequest && len(d.Attempts) > 0
		})
		for wctx.Err() == nil {
			if call, ok := a.findCall(match); ok {
				return &call, nil
			}
			at, ok := a.timers.next()
			if !ok || at.After(limit) {
				break
			}
			a.advanceTo(wctx, at)
		}
	}
	call, err := a.fake.WaitForCall(wctx, match)
	if err != nil {
		return nil, err
	}
	return &call, nil
}

// findCall returns the first logged call that matches.
func (a *apiRun) findCall(match func(mockwechat.Call) bool) (mockwechat.Call, bool) {
	calls, _ := a.fake.CallsSince(0)
	for _, k := range calls {
		if match(k) {
			return k, true
		}
	}
	return mockwechat.Call{}, false
}

// lastSeq returns the sequence number the next call will have.
func (a *apiRun) lastSeq() uint64 {
	_, next := a.fake.CallsSince(math.MaxUint64)
	return next
}

// cellCase judges the update of the cell's complaint against the cell's
// deadline, on the fake's clock.
func cellCase(cell deadlineCell) Case {
	return Case{
		ID:  "api/deadline/" + cell.id,
		API: true,
		Requirement: fmt.Sprintf("A complaint about %s is marked handled (payfeedback/update) within %s of the complaint, on the fake's clock.",
			cell.describe(), plural(cell.days, "day", "days")),
		Fix: fix(fmt.Sprintf("mark such a complaint handled within %s: the deadline depends on the goods and on whether they shipped in time",
			plural(cell.days, "day", "days")), docDeadlines, "go doc github.com/payfeedback/payfeedback.ResolveBy"),
		run: func(ctx context.Context, e *env) Result {
			obs := e.api.observe(ctx)
			var ph *phase
			for i := range obs.phases {
				if obs.phases[i].cell != nil && obs.phases[i].cell.id == cell.id {
					ph = &obs.phases[i]
				}
			}
			if ph == nil {
				return unjudged(obs, "the scenario did not file this cell's complaint")
			}
			c := ph.complaint
			if c.FeedBackID == "" {
				return Result{Status: Fail, Message: ph.problem}
			}
			deadline := c.FiledAt.Add(time.Duration(cell.days) * 24 * time.Hour)
			expected := fmt.Sprintf("GET /payfeedback/update?openid=%s&feedbackid=%s answered errcode 0 by %s (%s after the complaint, filed %s)",
				c.OpenID, c.FeedBackID, stamp(deadline), plural(cell.days, "day", "days"), stamp(c.FiledAt))
			if !c.Deadline.Equal(deadline) {
				return Result{Status: Fail, Expected: expected, Actual: "the fake's deadline " + stamp(c.Deadline),
					Message: "the fake WeChat gave this complaint another deadline than the table's: report this to payfeedback"}
			}
			if ph.update == nil {
				return Result{Status: Fail, Symptom: ph.symptom, Expected: expected, Actual: "no successful payfeedback/update",
					Message:   "not marked handled: " + ph.problem,
					Exchanges: append(e.api.pushExchanges(c.FeedBackID), exchangesOf(callsOf(obs.calls, payfeedback.PathUpdateFeedback, ph.from, ph.to))...)}
			}
			if at := ph.update.Time; at.After(deadline) {
				return Result{Status: Fail, Expected: expected, Actual: "called at " + stamp(at),
					Message:   fmt.Sprintf("marked handled %s after the complaint, %s past its deadline", at.Sub(c.FiledAt), at.Sub(deadline)),
					Exchanges: []Exchange{callExchange(*ph.update)}}
			}
			return Result{Status: Pass}
		},
	}
}

// stamp formats an instant of the fake's clock.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

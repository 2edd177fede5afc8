package conformance

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// payCopies is how many copies of one callback arrive together in the
// concurrent cases.
const payCopies = 3

func payOnceCases() []Case {
	return []Case{
		{
			ID: "once/retry/acknowledged", Fix: fixPayOnce,
			Requirement: "WeChat's retry of a callback already accepted (the same notification id, event and create_time, signed and encrypted anew, as WeChat retries a callback whose answer it did not see) is acknowledged: 200 or 204.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.retry(ctx, false)
			},
		},
		{
			API: true, ID: "once/retry/processed-once", Fix: fixPayOnce,
			Requirement: "WeChat's retry of a callback already accepted (the same notification id, signed and encrypted anew) is not processed again: the merchant does no more work on the complaint after it than before it (\"同一通知可能会多次发送…id是一致的\").",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.retry(ctx, true)
			},
		},
		{
			ID: "once/concurrent/acknowledged", Fix: fixPayOnce,
			Requirement: fmt.Sprintf("%d copies of one callback arriving together (the same notification id, each signed and encrypted anew) are each answered, one of them at least accepted, and WeChat's retry after them is accepted.", payCopies),
			run: func(ctx context.Context, e *env) Result {
				return e.pay.concurrent(ctx, false)
			},
		},
		{
			API: true, ID: "once/concurrent/processed-once", Fix: fixPayOnce,
			Requirement: fmt.Sprintf("%d copies of one callback arriving together are processed once: the merchant does as much work on their complaint as on another complaint whose callback came alone.", payCopies),
			run: func(ctx context.Context, e *env) Result {
				return e.pay.concurrent(ctx, true)
			},
		},
		{
			ID: "once/out-of-order/acknowledged", Fix: fixPayOrder,
			Requirement: "COMPLAINT.STATE_CHANGE callbacks arriving out of order (a USER_RESPONSE created a minute before a REFUND_SUCCESS already accepted) are accepted, the late one too: callbacks are not delivered in order.",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.outOfOrder(ctx, false)
			},
		},
		{
			API: true, ID: "once/out-of-order/view", Fix: fixPayView,
			Requirement: "A late STATE_CHANGE does not take the merchant's view of a complaint back: once the complaint is PROCESSED at WeChat and the REFUND_SUCCESS saying so was accepted, an older USER_RESPONSE arriving after it makes the merchant act on the complaint no more (no reply, completion or refund decision).",
			run: func(ctx context.Context, e *env) Result {
				return e.pay.outOfOrder(ctx, true)
			},
		},
	}
}

// retry sends a genuine callback, then WeChat's retry of it, and judges
// the retry acknowledged or, with count, the merchant's work unchanged by
// it.
func (p *payRun) retry(ctx context.Context, count bool) Result {
	spec := payCallbackSpec{action: complaints.ActionCreateComplaint, created: p.s.Now()}
	first, ex1, err := p.post(ctx, spec)
	if err != nil {
		return payBroken(err)
	}
	r, ok := payPrecondition(ex1, "the first delivery")
	if !ok {
		return r
	}
	var before MerchantWork
	if count {
		if before, err = p.work(ctx, first.complaint, 1); err != nil {
			return payBroken(err)
		}
		if before.total() == 0 {
			return payUnseen(first.complaint, p.s.APITimeout, ex1)
		}
	}
	spec.id, spec.complaint = first.id, first.complaint
	_, ex2, err := p.post(ctx, spec)
	if err != nil {
		return payBroken(err)
	}
	if !count {
		r := payAccepted(ex2).with(ex1)
		if r.Failed() {
			r.Message = "WeChat's retry of a callback already accepted was refused: " + r.Message
		}
		return r
	}
	if r, ok := payPrecondition(ex2, "the retry"); !ok {
		return r.with(ex1)
	}
	after, err := p.work(ctx, first.complaint, 0)
	if err != nil {
		return payBroken(err)
	}
	if after.total() > before.total() {
		return Result{Status: Fail, Exchanges: []Exchange{ex1, ex2},
			Message:  fmt.Sprintf("WeChat's retry was processed again: the merchant's work on complaint %s went from %s to %s", first.complaint, before, after),
			Expected: before.String(), Actual: after.String()}
	}
	return Result{Status: Pass, Exchanges: []Exchange{ex1, ex2}}
}

// payUnseen is the result of a case whose complaint saw no work from the
// merchant after an accepted callback: there is nothing to count.
func payUnseen(complaint string, wait time.Duration, ex ...Exchange) Result {
	return Result{Status: Inconclusive, Exchanges: ex,
		Message: fmt.Sprintf("the merchant accepted the callback and did no work on complaint %s within %s, so how often it processes a callback cannot be counted", complaint, wait)}
}

// concurrent sends payCopies copies of a callback at once. Without count
// it judges that each is answered, one at least accepted, and a retry
// after them accepted; with count, that the merchant did as much work on
// their complaint as on a twin complaint whose callback came alone.
func (p *payRun) concurrent(ctx context.Context, count bool) Result {
	var lead []Exchange
	var twin MerchantWork
	if count {
		t, ex, err := p.post(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint})
		if err != nil {
			return payBroken(err)
		}
		if r, ok := payPrecondition(ex, "the callback of the twin complaint"); !ok {
			return r
		}
		lead = append(lead, ex)
		if twin, err = p.work(ctx, t.complaint, 1); err != nil {
			return payBroken(err)
		}
		if twin.total() == 0 {
			return payUnseen(t.complaint, p.s.APITimeout, ex)
		}
	}
	spec := payCallbackSpec{action: complaints.ActionCreateComplaint, created: p.s.Now()}
	var copies []payCallback
	for range payCopies {
		c, err := p.callback(ctx, spec)
		if err != nil {
			return payBroken(err)
		}
		spec.id, spec.complaint = c.id, c.complaint
		copies = append(copies, c)
	}
	exs := make([]Exchange, len(copies))
	var wg sync.WaitGroup
	for i, c := range copies {
		wg.Go(func() {
			exs[i] = p.send(ctx, c.request(p.s.answerWait()), fmt.Sprintf("copy %d of %d, sent together; %s", i+1, len(copies), c.note))
		})
	}
	wg.Wait()
	all := append(lead, exs...)
	accepted := 0
	for _, ex := range exs {
		switch {
		case ex.Response == nil:
			r := payAccepted(ex)
			r.Exchanges = all
			r.Message = "a copy arriving together with others got no answer: " + ex.Error
			return r
		case is2xx(ex.Response.Status):
			accepted++
		}
	}
	if accepted == 0 {
		r := payAccepted(exs[0])
		r.Exchanges = all
		r.Message = fmt.Sprintf("none of %d copies of a genuine callback arriving together was accepted", len(exs))
		if p.controlFailed || count {
			r.Status = Inconclusive
		}
		return r
	}
	if !count {
		_, ex, err := p.post(ctx, spec)
		if err != nil {
			return payBroken(err)
		}
		r := payAccepted(ex)
		r.Exchanges = append(all, ex)
		if r.Failed() {
			r.Message = "WeChat's retry after copies arriving together was refused: " + r.Message
		}
		return r
	}
	got, err := p.work(ctx, spec.complaint, twin.total())
	if err != nil {
		return payBroken(err)
	}
	switch {
	case got.total() > twin.total():
		return Result{Status: Fail, Exchanges: all, Expected: twin.String(), Actual: got.String(),
			Message: fmt.Sprintf("%d copies arriving together were processed more than once: %s on complaint %s, where a callback alone made %s", len(copies), got, spec.complaint, twin)}
	case got.total() < twin.total():
		return Result{Status: Fail, Exchanges: all, Expected: twin.String(), Actual: got.String(),
			Message: fmt.Sprintf("%d copies arriving together were acknowledged (%d of them) but their complaint %s saw less work (%s) than a callback alone makes (%s) within %s: was it processed at all?",
				len(copies), accepted, spec.complaint, got, twin, p.s.APITimeout)}
	}
	return Result{Status: Pass, Exchanges: all}
}

// outOfOrder sends a complaint's CREATE_COMPLAINT, then a REFUND_SUCCESS,
// then a USER_RESPONSE created before it. Without view it judges each
// accepted; with view, the complaint is resolved at WeChat before the
// REFUND_SUCCESS, and the late USER_RESPONSE must not make the merchant
// act on it.
func (p *payRun) outOfOrder(ctx context.Context, view bool) Result {
	now := p.s.Now()
	c, ex, err := p.post(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint, created: now.Add(-2 * time.Minute)})
	if err != nil {
		return payBroken(err)
	}
	exs := []Exchange{ex}
	if r, ok := payPrecondition(ex, "the complaint's CREATE_COMPLAINT"); !ok {
		return r
	}
	if view {
		if _, err := p.work(ctx, c.complaint, 1); err != nil {
			return payBroken(err)
		}
		if err := p.obs.Resolve(ctx, c.complaint); err != nil {
			return payBroken(fmt.Errorf("the Observer could not resolve complaint %s: %w", c.complaint, err))
		}
	}
	var before MerchantWork
	steps := []struct {
		action  complaints.ActionType
		created time.Time
		what    string
	}{
		{complaints.ActionRefundSuccess, now, "the REFUND_SUCCESS"},
		{complaints.ActionUserResponse, now.Add(-time.Minute), "the USER_RESPONSE created a minute before the REFUND_SUCCESS, arriving after it,"},
	}
	for i, st := range steps {
		_, ex, err := p.post(ctx, payCallbackSpec{complaint: c.complaint, action: st.action, created: st.created})
		if err != nil {
			return payBroken(err)
		}
		exs = append(exs, ex)
		if !view {
			if r := payAccepted(ex); r.Failed() {
				r.Exchanges = exs
				r.Message = st.what + " was refused: " + r.Message
				return r
			}
			continue
		}
		if r, ok := payPrecondition(ex, st.what); !ok {
			r.Exchanges = exs
			return r
		}
		w, err := p.work(ctx, c.complaint, 0)
		if err != nil {
			return payBroken(err)
		}
		if i == 0 {
			before = w
			continue
		}
		if w.Acts > before.Acts {
			return Result{Status: Fail, Exchanges: exs, Expected: before.String(), Actual: w.String(),
				Message: fmt.Sprintf("a USER_RESPONSE created before the REFUND_SUCCESS and arriving after it made the merchant act on complaint %s, PROCESSED at WeChat: %d act(s) more; its view went back", c.complaint, w.Acts-before.Acts)}
		}
	}
	return Result{Status: Pass, Exchanges: exs}
}

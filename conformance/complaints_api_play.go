package conformance

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// payPhaseKind is what a phase's complaint asks of the merchant.
type payPhaseKind int

const (
	// payPlain: a complaint to reply to and complete; the user then writes
	// again, so that the merchant may read the history.
	payPlain payPhaseKind = iota
	// payRefund: a REFUND complaint: a refund decision, or a reply and
	// completion.
	payRefund
	// payImmediate: a complaint that needs immediate service; the first
	// such reply is answered with a transient error (payPhase.faulted).
	payImmediate
)

// payPhase is one complaint of the scenario, filed at the fake (which
// announces it with CREATE_COMPLAINT), and the merchant's handling of it
// awaited: a successful completion or refund decision.
type payPhase struct {
	name string
	kind payPhaseKind
	// faulted: the front fails the phase's first immediate-service reply.
	faulted bool
	id      string
	// filed is when, on the fake's clock; deadline is filed plus
	// Options.RespondWithin.
	filed, deadline time.Time
	// from and to bound the call log's sequence numbers of the phase.
	from, to uint64
	// handled is the successful completion or refund decision; nil when
	// none came.
	handled *mockwechat.Call
	// problem says why the phase failed.
	problem string
	// unreached: on the real clock, the merchant worked on the complaint
	// but did not complete it within APITimeout, its deadline being hours
	// away: the phase proves nothing either way.
	unreached bool
}

// payObservations are what the scenario saw.
type payObservations struct {
	// from is the fake's first call sequence number of the scenario.
	from   uint64
	phases []payPhase
	// stopped says why the scenario ended early ("": it ran through),
	// stoppedAt at which phase.
	stopped, stoppedAt string
	// calls are every call of the run, injected the front's own.
	calls    []mockwechat.Call
	injected []injectedCall
	virtual  bool
	// virtualAt converts a call's time, real, to the fake's clock.
	virtualAt func(time.Time) time.Time
}

// observe plays the scenario once and returns what it saw.
func (a *payAPIRun) observe(ctx context.Context) *payObservations {
	a.once.Do(func() { a.obs = a.play(ctx) })
	return a.obs
}

// The scenario's complaints, in order.
var payPhases = []struct {
	name    string
	kind    payPhaseKind
	faulted bool
}{
	{"complaint", payPlain, false},
	{"refund complaint", payRefund, false},
	{"first immediate-service complaint", payImmediate, true},
	{"second immediate-service complaint", payImmediate, false},
}

// play gives the fake the merchant's callback URL, then files the
// scenario's complaints one after the other, as users do, each announced
// by the fake's COMPLAINT.CREATE callback, and waits each time for the
// merchant to handle it: a successful completion or refund decision.
//
//  1. a complaint (problem_type OTHERS); once handled, the user complains
//     again (CONTINUE_COMPLAINT) and writes (USER_RESPONSE), so that a
//     merchant may read the history;
//  2. a REFUND complaint, asking for the orders' total;
//  3. a complaint that needs immediate service, whose first
//     immediate-service reply the front answers 500 SYSTEM_ERROR;
//  4. another one, without the fault.
//
// A phase that is not handled ends the scenario.
func (a *payAPIRun) play(ctx context.Context) *payObservations {
	obs := &payObservations{virtual: a.clock != nil, virtualAt: a.virtualAt}
	defer func() {
		obs.calls = a.fake.Calls()
		obs.injected = a.injectedCalls()
	}()
	if err := a.fake.SetPayNotifyURL(a.mchid, a.notifyURL); err != nil {
		obs.stopped, obs.stoppedAt = "the fake refused the merchant's callback URL: "+err.Error(), "start"
		return obs
	}
	obs.from = a.nextSeq()
	for _, st := range payPhases {
		ph := a.runPayPhase(ctx, payPhase{name: st.name, kind: st.kind, faulted: st.faulted})
		obs.phases = append(obs.phases, ph)
		if ph.problem != "" {
			obs.stopped = fmt.Sprintf("the scenario stopped at its %s: %s", st.name, ph.problem)
			obs.stoppedAt = st.name
			break
		}
	}
	return obs
}

// spec is the complaint a phase files.
func (ph payPhase) spec(mchid string) mockwechat.PayComplaintSpec {
	s := mockwechat.PayComplaintSpec{MchID: mchid, ProblemType: complaints.ProblemOthers, Detail: "商家一直不发货，联系不上客服"}
	switch ph.kind {
	case payRefund:
		s.ProblemType, s.Detail = complaints.ProblemRefund, "已取消订单，申请退款"
	case payImmediate:
		s.NeedImmediateService, s.Detail = true, "急！付款后无法使用，请立即处理"
	}
	return s
}

// runPayPhase files the phase's complaint and awaits its handling.
func (a *payAPIRun) runPayPhase(ctx context.Context, in payPhase) (ph payPhase) {
	ph = in
	ph.from = a.nextSeq()
	defer func() { ph.to = a.nextSeq() }()
	if ph.faulted {
		a.arm()
		defer a.takeFault() // disarmed, used or not
	}
	c, err := a.fake.FilePayComplaint(ctx, ph.spec(a.mchid))
	if err != nil {
		ph.problem = "the fake could not file the complaint: " + err.Error()
		return ph
	}
	ph.id, ph.filed = c.Wire.ComplaintID, a.fake.Now()
	ph.deadline = ph.filed.Add(a.s.RespondWithin)
	call, err := a.awaitHandled(ctx, ph)
	if err != nil {
		ph.problem, ph.unreached = a.unhandled(ph)
		return ph
	}
	ph.handled = call
	if ph.kind == payPlain {
		// The user complains again and writes: a merchant that reads the
		// history on a USER_RESPONSE does it now.
		for _, act := range []mockwechat.PayAct{mockwechat.PayActContinue, mockwechat.PayActMessage} {
			if _, err := a.fake.PayAct(ctx, ph.id, act, mockwechat.PayActInput{Text: "问题还没有解决，请问什么时候处理？"}); err != nil {
				break
			}
			a.waitIdle(ctx)
		}
	}
	return ph
}

// unhandled words why a phase's complaint was not handled, and whether
// that is all a run on the real clock could tell.
func (a *payAPIRun) unhandled(ph payPhase) (string, bool) {
	mine := 0
	for _, c := range a.fake.Calls() {
		if id, _ := complaintCall(c.Endpoint); id == ph.id {
			mine++
		}
	}
	switch {
	case len(a.fake.Calls()) == 0:
		return fmt.Sprintf("no successful completion or refund decision for complaint %s: the merchant made no API call to the fake at all: "+
			"is it configured with the base URL %s and the keys of the run?", ph.id, a.env.BaseURL), false
	case a.clock != nil:
		return fmt.Sprintf("no successful completion or refund decision for complaint %s by a day past its deadline %s on the fake's clock "+
			"(the suite moved the clock to a minute before it, then a day past it, waiting up to %s each time)",
			ph.id, rfc3339(ph.deadline), a.s.APITimeout), false
	case mine > 0:
		return fmt.Sprintf("no successful completion or refund decision for complaint %s within %s: on the real clock its deadline "+
			"(%s after it) cannot be reached in a run, so whether the merchant handles it in time is not known "+
			"(run with --virtual-clock, Options.VirtualClock, with the merchant following the fake's clock)", ph.id, a.s.APITimeout, a.s.RespondWithin), true
	}
	return fmt.Sprintf("no successful completion or refund decision for complaint %s within %s, and no call about it at all: "+
		"did the merchant acknowledge the COMPLAINT.CREATE callback and fetch the complaint?", ph.id, a.s.APITimeout), false
}

// waitIdle waits, at most APITimeout, until the fake's callbacks have
// been answered.
func (a *payAPIRun) waitIdle(ctx context.Context) {
	wctx, cancel := context.WithTimeout(ctx, a.s.APITimeout)
	defer cancel()
	_ = a.fake.WaitPayIdle(wctx)
}

// handles reports whether c is the merchant's successful completion or
// refund decision of complaint id.
func handles(c mockwechat.Call, id string) bool {
	cid, e := complaintCall(c.Endpoint)
	return cid == id && succeeded(c) && c.Method == http.MethodPost &&
		(e == complaints.EndpointComplete || e == complaints.EndpointRefundProgress)
}

// awaitHandled waits for the merchant's completion or refund decision of
// the phase's complaint, as apiRun.awaitUpdate waits for an update: on the
// real clock up to APITimeout; on the virtual clock, once the callback is
// answered, running the merchant's timers up to a day past the deadline,
// then moving the clock to a minute before the deadline and to a day past
// it, waiting up to APITimeout each time.
func (a *payAPIRun) awaitHandled(ctx context.Context, ph payPhase) (*mockwechat.Call, error) {
	a.s.waiting("the merchant's completion or refund decision of complaint " + ph.id)
	defer a.s.waiting("")
	match := func(k mockwechat.Call) bool { return k.Seq >= ph.from && handles(k, ph.id) }
	wait := func(d time.Duration) (*mockwechat.Call, error) {
		wctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		call, err := a.fake.WaitForCall(wctx, match)
		if err != nil {
			return nil, err
		}
		return &call, nil
	}
	if a.clock == nil {
		return wait(a.s.APITimeout)
	}
	limit := ph.deadline.Add(24 * time.Hour)
	a.waitIdle(ctx)
	for ctx.Err() == nil {
		if call, ok := a.findCall(match); ok {
			return &call, nil
		}
		at, ok := a.timers.next()
		if !ok || at.After(limit) {
			break
		}
		a.advanceTo(ctx, at)
	}
	if call, err := wait(min(settleWait, a.s.APITimeout)); err == nil || ctx.Err() != nil {
		return call, err
	}
	for _, at := range []time.Time{ph.deadline.Add(-time.Minute), limit} {
		if a.clock.Now().Before(at) {
			a.advanceTo(ctx, at)
		}
		if call, err := wait(a.s.APITimeout); err == nil || ctx.Err() != nil {
			return call, err
		}
	}
	return nil, context.DeadlineExceeded
}

// findCall returns the first logged call that matches.
func (a *payAPIRun) findCall(match func(mockwechat.Call) bool) (mockwechat.Call, bool) {
	for _, k := range a.fake.Calls() {
		if match(k) {
			return k, true
		}
	}
	return mockwechat.Call{}, false
}

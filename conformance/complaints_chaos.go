package conformance

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// The Complaints 2.0 chaos campaign delivers Options.Chaos genuine
// complaints' callbacks the way a bad network and WeChat's retries would
// (see payChaosPlan), with WeChat's signature probes and forged and stale
// copies mixed in, then checks the invariants a sound merchant keeps
// whatever the order and the copies:
//
//   - every genuine callback is eventually acknowledged (2xx): a refused
//     one is delivered again, signed and encrypted anew under the same
//     notification id, on the 2.0 retry schedule (payRetryLadder) or after
//     the answer's Retry-After when it is longer, on the campaign's own
//     clock (campaignClock);
//   - no probe, forged copy or stale copy is acknowledged;
//   - with an Observer: each notification id is processed once (a genuine
//     callback makes the merchant work on its complaint; its copies, its
//     retries and hostile copies under its id make it do no more), and a
//     late USER_RESPONSE does not make the merchant act on a complaint
//     already PROCESSED (its view does not go back).

// The kinds of the Complaints 2.0 campaign's broken invariants, beside
// underLoad, refusedGenuine and acceptedHostile.
const (
	// notProcessed: a genuine callback was acknowledged and its complaint
	// saw no work (a hostile copy under its id taken for it).
	notProcessed violationKind = iota + 100
	// processedTwice: copies or retries of one notification made the
	// merchant work on its complaint again.
	processedTwice
	// viewRegressed: a late state change made the merchant act on a
	// PROCESSED complaint.
	viewRegressed
)

// payCauses are the Complaints 2.0 campaign's causes, in the order the
// verdict names them.
var payCauses = []chaosCause{
	{underLoad, "genuine callback refused under load until WeChat's retries ran out", "genuine callbacks refused under load until WeChat's retries ran out",
		fix("acknowledge a callback once it is stored, within 5 s; under load answer 503 (with Retry-After) and catch up within WeChat's retries "+
			"(the campaign retried 5 s, then every minute ten times, then every 5 minutes, up to 1000 tries, the 2.0 page's schedule)", docPayCallbacks, docCallbackMW)},
	{refusedGenuine, "genuine callback refused at every delivery", "genuine callbacks refused at every delivery",
		fix("acknowledge every genuine callback however often and in whatever order it comes (a copy, a retry signed anew, a state change before its complaint's creation): "+
			"a hostile copy under the same notification id must leave no trace", docPayCallbacks, docCallbackMW)},
	{acceptedHostile, "probe, forged or stale copy acknowledged or acted on", "probes, forged or stale copies acknowledged or acted on",
		fix("verify every callback (the signature over the raw body with the key Wechatpay-Serial names, the timestamp within five minutes, probes refused) before anything else, and refuse one that fails: 401 with {\"code\":\"FAIL\",…}", docPayVerify, docPayProbes, docCallbackMW)},
	{notProcessed, "genuine callback acknowledged but not processed", "genuine callbacks acknowledged but not processed", fixPayNoTrace},
	{processedTwice, "notification processed more than once", "notifications processed more than once", fixPayOnce},
	{viewRegressed, "late state change acted on (the merchant's view went back)", "late state changes acted on (the merchant's view went back)", fixPayView},
}

// payChaosCase is the Complaints 2.0 plan's chaos/campaign.
func payChaosCase() Case {
	return Case{
		ID: payChaosID,
		Requirement: "Under a bad network and WeChat's retries (exact and concurrent copies, WeChat's retries signed and encrypted anew under the same notification id, " +
			"state changes out of order, retries on the 2.0 schedule after a refusal), with WeChat's SIGNTEST probes and forged (altered, another key, an unknown serial) and stale copies " +
			"under the genuine notification ids, every genuine callback is eventually acknowledged and no probe, forged or stale copy is; with an Observer, each notification is " +
			"processed once and a late state change does not make the merchant act on a PROCESSED complaint.",
		Fix: fix("acknowledge every genuine callback however often and in whatever order it comes, process each notification id once, refuse what does not verify; "+
			"reproduce a failure with the seed it prints", docPayCallbacks, docCallbackMW),
		run: func(ctx context.Context, e *env) Result {
			switch {
			case e.s.Chaos == 0:
				return Result{Status: Skip, Message: "the chaos campaign runs only when asked for (--chaos N, Options.Chaos)"}
			case e.pay.controlFailed:
				return Result{Status: Inconclusive, Message: "the control's genuine callback was refused, so the campaign's would be: not played"}
			}
			return newPayCampaign(e.pay).run(ctx)
		},
	}
}

// payCampaign is one Complaints 2.0 chaos campaign. The lock guards the
// tallies; it is taken alone (the clock has its own, the forge its own).
type payCampaign struct {
	p     *payRun
	plan  []payChaosComplaint
	notes []payChaosNotes
	clock campaignClock
	// unit is the work a lone CREATE_COMPLAINT makes the merchant do
	// (with an Observer): the most one complaint's creation may make,
	// whatever its copies.
	unit MerchantWork

	mu         sync.Mutex
	counts     payChaosCounts
	violations []violation
}

// payChaosNotes are what one complaint's callbacks are about.
type payChaosNotes struct {
	complaint string
	// created is the CREATE_COMPLAINT's create_time; the state changes
	// follow it.
	created time.Time
	// ids are the notification ids of the CREATE_COMPLAINT, the
	// USER_RESPONSE, the REFUND_SUCCESS and the late USER_RESPONSE.
	create, response, refund, late string
}

func newPayCampaign(p *payRun) *payCampaign {
	n := p.s.Chaos
	return &payCampaign{p: p, plan: payChaosPlan(p.s.Seed, n), notes: make([]payChaosNotes, n)}
}

// run plays the campaign and judges it.
func (c *payCampaign) run(ctx context.Context) Result {
	s := c.p.s
	s.waiting(fmt.Sprintf("the chaos campaign: %d complaints (seed %d)", s.Chaos, s.Seed))
	defer s.waiting("")
	start := time.Now()
	signed := c.p.forge.signatures.Load()
	if r, ok := c.prepare(ctx); !ok {
		return r
	}
	c.clock.playAll(ctx, len(c.plan), c.play)
	if ctx.Err() != nil {
		return Result{Status: Fail, Message: "interrupted"}
	}
	c.counts.signatures = c.p.forge.signatures.Load() - signed
	return c.verdict(time.Since(start))
}

// prepare names each complaint and its notifications, in complaint order
// (the Observer files the complaints; without one, the ids come from the
// seed), and with an Observer measures the work of a lone
// CREATE_COMPLAINT on a complaint of its own. It returns a result when
// the campaign cannot be played.
func (c *payCampaign) prepare(ctx context.Context) (Result, bool) {
	s := c.p.s
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x3c6ef372fe94f82b))
	id := func() string {
		var b [16]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	now := s.Now()
	day := inChina(now).Format("20060102")
	for i := range c.notes {
		n := payChaosNotes{created: now.Add(-2 * time.Minute), create: id(), response: id(), refund: id(), late: id()}
		n.complaint = fmt.Sprintf("2002%s%07d%08d", day, s.Seed%1e7, i+1)
		if c.p.obs != nil {
			var err error
			if n.complaint, err = c.p.obs.NewComplaint(ctx); err != nil {
				return payBroken(fmt.Errorf("the Observer could not file complaint %d: %w", i, err)), false
			}
		}
		c.notes[i] = n
	}
	if c.p.obs == nil {
		return Result{}, true
	}
	unitID, err := c.p.obs.NewComplaint(ctx)
	if err != nil {
		return payBroken(fmt.Errorf("the Observer could not file a complaint: %w", err)), false
	}
	spec := payCallbackSpec{id: c.p.forge.notificationID(), complaint: unitID, action: complaints.ActionCreateComplaint}
	first, err := c.p.forge.make(spec)
	if err != nil {
		return payBroken(err), false
	}
	// Delivered as WeChat would, retries included: a merchant that
	// pushes back at first is judged by the campaign, not here.
	ex, ok := c.deliverEx(ctx, -1, "the CREATE_COMPLAINT that measures a callback's work", spec, &first)
	if !ok {
		c.violations = nil
		r := payAccepted(ex)
		r.Status = Inconclusive
		r.Message = "the CREATE_COMPLAINT that measures a callback's work was never acknowledged (" + answerLine(ex) + "), so the campaign could not be played"
		return r, false
	}
	if c.unit, err = c.p.work(ctx, unitID, 1); err != nil {
		return payBroken(err), false
	}
	if c.unit.total() == 0 {
		return payUnseen(unitID, s.APITimeout, ex), false
	}
	return Result{}, true
}

// play plays complaint i's plan.
func (c *payCampaign) play(ctx context.Context, i int) {
	p, n := c.plan[i], c.notes[i]
	if p.pause > 0 {
		time.Sleep(p.pause)
	}
	create := payCallbackSpec{id: n.create, complaint: n.complaint, action: complaints.ActionCreateComplaint, created: n.created, millis: p.millis}
	response := payCallbackSpec{id: n.response, complaint: n.complaint, action: complaints.ActionUserResponse, created: n.created.Add(time.Minute), millis: p.millis}
	genuine, err := c.p.forge.make(create)
	if err != nil {
		c.violate(i, refusedGenuine, "the suite could not make the CREATE_COMPLAINT: "+err.Error(), Exchange{})
		return
	}
	hostile := func(first bool) {
		if p.probe && p.probeFirst == first {
			q := genuine.request(0)
			q.header.Set(apiv3.HeaderSignature, apiv3.ProbeSignaturePrefix+q.header.Get(apiv3.HeaderSignature))
			c.refusedCopy(ctx, i, "a signature probe (WECHATPAY/SIGNTEST/…)", q, func(k *payChaosCounts) { k.probes++ })
		}
		if p.stale && p.staleFirst == first {
			old := create
			old.skew = -c.p.s.StaleAge
			if cb, err := c.p.forge.make(old); err == nil {
				c.refusedCopy(ctx, i, fmt.Sprintf("a copy stamped %s ago", c.p.s.StaleAge), cb.request(0), func(k *payChaosCounts) { k.stale++ })
			}
		}
		if p.forgedFirst != first {
			return
		}
		for _, f := range p.forged {
			forgery := payForgeries[f]
			q := genuine.request(0)
			if forgery.tamper {
				q.body = bytes.Replace(q.body, []byte(`"`+complaints.EventCreate+`"`), []byte(`"`+complaints.EventStateChange+`"`), 1)
			} else {
				cb, err := c.p.forge.make(forgery.spec(create))
				if err != nil {
					continue
				}
				q = cb.request(0)
			}
			c.refusedCopy(ctx, i, forgery.what, q, func(k *payChaosCounts) { k.forged++ })
		}
	}

	if p.userResponse && p.reordered {
		c.count(func(k *payChaosCounts) { k.reordered++ })
		c.deliver(ctx, i, "the USER_RESPONSE (before the CREATE_COMPLAINT)", response, nil)
	}
	before := c.work(ctx, i, 0)
	hostile(true)
	if p.dupFirst {
		c.count(func(k *payChaosCounts) { k.duplicates++ })
		c.send(ctx, genuine.request(0))
	}
	var along sync.WaitGroup
	if p.dupAlong {
		c.count(func(k *payChaosCounts) { k.duplicates++; k.concurrent++ })
		along.Add(1)
		c.clock.enter()
		go func() {
			defer along.Done()
			defer c.clock.leave()
			if cb, err := c.p.forge.make(create); err == nil {
				c.send(ctx, cb.request(0))
			}
		}()
	}
	acked := c.deliver(ctx, i, "the CREATE_COMPLAINT", create, &genuine)
	along.Wait()
	if !acked {
		return
	}
	created := c.work(ctx, i, before.total()+1)
	c.judgeCreation(i, before, created)
	if p.dupAfter {
		c.count(func(k *payChaosCounts) { k.duplicates++ })
		c.deliver(ctx, i, "WeChat's retry of the acknowledged CREATE_COMPLAINT", create, nil)
	}
	hostile(false)
	c.unchanged(ctx, i, created, "after copies of its CREATE_COMPLAINT")
	if p.userResponse && !p.reordered {
		c.deliver(ctx, i, "the USER_RESPONSE", response, nil)
	}
	if p.resolved {
		c.resolved(ctx, i)
	}
}

// resolved plays a complaint that becomes PROCESSED at WeChat: its
// REFUND_SUCCESS, then a USER_RESPONSE created a minute before it, which
// must not make the merchant act on the complaint.
func (c *payCampaign) resolved(ctx context.Context, i int) {
	n := c.notes[i]
	if c.p.obs != nil {
		if err := c.p.obs.Resolve(ctx, n.complaint); err != nil {
			c.violate(i, refusedGenuine, "the Observer could not resolve the complaint: "+err.Error(), Exchange{})
			return
		}
	}
	at := c.p.s.Now()
	if !c.deliver(ctx, i, "the REFUND_SUCCESS", payCallbackSpec{id: n.refund, complaint: n.complaint, action: complaints.ActionRefundSuccess, created: at}, nil) {
		return
	}
	c.count(func(k *payChaosCounts) { k.reordered++ })
	before := c.work(ctx, i, 0)
	ex, ok := c.deliverEx(ctx, i, "the USER_RESPONSE created before the REFUND_SUCCESS, arriving after it,",
		payCallbackSpec{id: n.late, complaint: n.complaint, action: complaints.ActionUserResponse, created: at.Add(-time.Minute)}, nil)
	if !ok || c.p.obs == nil {
		return
	}
	if after := c.work(ctx, i, 0); after.Acts > before.Acts {
		c.violate(i, viewRegressed, fmt.Sprintf("a USER_RESPONSE created before the REFUND_SUCCESS and arriving after it made the merchant act on complaint %s, PROCESSED at WeChat (%d act(s) more)",
			n.complaint, after.Acts-before.Acts), ex)
	}
}

// work returns the merchant's work on complaint i (waiting for atLeast
// calls, as payRun.work does), or nothing without an Observer.
func (c *payCampaign) work(ctx context.Context, i, atLeast int) MerchantWork {
	if c.p.obs == nil {
		return MerchantWork{}
	}
	w, _ := c.p.work(ctx, c.notes[i].complaint, atLeast) // an Observer's error leaves the counts as they were read
	return w
}

// judgeCreation judges the work the CREATE_COMPLAINT and its copies made:
// some (it was processed), and no more than a lone one makes.
func (c *payCampaign) judgeCreation(i int, before, after MerchantWork) {
	if c.p.obs == nil {
		return
	}
	id := c.notes[i].complaint
	switch did := after.total() - before.total(); {
	case did == 0:
		c.violate(i, notProcessed, fmt.Sprintf("the CREATE_COMPLAINT of complaint %s was acknowledged and the merchant did no work on it within %s (%s)", id, c.p.s.APITimeout, after), Exchange{})
	case did > c.unit.total():
		c.violate(i, processedTwice, fmt.Sprintf("the CREATE_COMPLAINT of complaint %s and its copies made %d call(s) about it, where a lone one makes %s: processed more than once", id, did, c.unit), Exchange{})
	}
}

// unchanged checks, with an Observer, that the merchant did no more work
// on complaint i than was read.
func (c *payCampaign) unchanged(ctx context.Context, i int, was MerchantWork, when string) {
	if c.p.obs == nil {
		return
	}
	if now := c.work(ctx, i, 0); now.total() > was.total() {
		c.violate(i, processedTwice, fmt.Sprintf("complaint %s saw more work %s (retries, probes, forged or stale copies under its notification id): from %s to %s", c.notes[i].complaint, when, was, now), Exchange{})
	}
}

// send sends q, waiting the usual time for the answer.
func (c *payCampaign) send(ctx context.Context, q request) Exchange {
	q.wait = c.p.s.answerWait()
	return c.p.t.send(ctx, q)
}

// deliver delivers a genuine callback as WeChat does (see deliverEx) and
// reports whether it was acknowledged.
func (c *payCampaign) deliver(ctx context.Context, i int, what string, spec payCallbackSpec, first *payCallback) bool {
	_, ok := c.deliverEx(ctx, i, what, spec, first)
	return ok
}

// deliverEx delivers the genuine callback spec makes (first, when made
// already) as WeChat does: again after anything but a 2xx, signed and
// encrypted anew under the same notification id, on the 2.0 retry
// schedule or after the answer's Retry-After when it is longer, on the
// campaign's clock, until the schedule runs out. It returns the last
// exchange and whether the callback was acknowledged.
func (c *payCampaign) deliverEx(ctx context.Context, i int, what string, spec payCallbackSpec, first *payCallback) (Exchange, bool) {
	ladder := payRetryLadder()
	var ex Exchange
	for attempt := 0; ; attempt++ {
		c.count(func(k *payChaosCounts) {
			switch {
			case attempt > 0:
				k.retries++
			case spec.action == complaints.ActionCreateComplaint && first == nil: // WeChat's retry of an acknowledged one: counted as a duplicate
			default:
				k.genuine++
				if spec.action != complaints.ActionCreateComplaint {
					k.stateChanges++
				}
			}
		})
		cb := payCallback{}
		if attempt == 0 && first != nil {
			cb = *first
		} else {
			var err error
			if cb, err = c.p.forge.make(spec); err != nil {
				c.violate(i, refusedGenuine, what+": the suite could not make it: "+err.Error(), Exchange{})
				return Exchange{}, false
			}
		}
		ex = c.send(ctx, cb.request(0))
		if ex.Response != nil && is2xx(ex.Response.Status) {
			return ex, true
		}
		if ctx.Err() != nil {
			return ex, false
		}
		c.count(func(k *payChaosCounts) {
			if backPressure(ex) {
				k.pushedBack++
			}
		})
		if attempt == len(ladder) {
			break
		}
		if c.clock.after(ctx, max(ladder[attempt], retryAfter(ex))) != nil {
			return ex, false
		}
	}
	kind := refusedGenuine
	if ex.Response == nil || ex.Response.Status >= 500 || backPressure(ex) {
		kind = underLoad
	}
	c.violate(i, kind, fmt.Sprintf("%s was never acknowledged (%d deliveries over %s of WeChat's retries; the last answered %s)",
		what, len(ladder)+1, sum(ladder), answerLine(ex)), ex)
	return ex, false
}

// refusedCopy sends a copy that must be refused and judges the answer.
func (c *payCampaign) refusedCopy(ctx context.Context, i int, what string, q request, tally func(*payChaosCounts)) {
	c.count(tally)
	ex := c.send(ctx, q)
	if ex.Response != nil && is2xx(ex.Response.Status) {
		c.violate(i, acceptedHostile, what+" of complaint "+c.notes[i].complaint+"'s CREATE_COMPLAINT was acknowledged ("+answerLine(ex)+")", ex)
	}
}

func (c *payCampaign) count(f func(*payChaosCounts)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.counts)
}

func (c *payCampaign) violate(i int, kind violationKind, what string, ex Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := violation{complaint: i, kind: kind, what: what}
	if ex.Request.Method != "" {
		v.ex = &ex
	}
	c.violations = append(c.violations, v)
}

// verdict turns the tallies into the case's result.
func (c *payCampaign) verdict(took time.Duration) Result {
	s := c.p.s
	reproduce := fmt.Sprintf("seed %d: reproduce with --chaos %d --seed %d (Options.Chaos, Options.Seed)", s.Seed, s.Chaos, s.Seed)
	expected := "every genuine callback acknowledged (200 or 204) within WeChat's retries; no probe, forged or stale copy acknowledged"
	if c.p.obs != nil {
		expected += "; each notification processed once; no act on a PROCESSED complaint after a late state change"
	}
	summary := fmt.Sprintf("%d complaints, %s, in %s", s.Chaos, c.counts, took.Round(time.Millisecond))
	if d := c.clock.elapsed(); d > 0 {
		summary += fmt.Sprintf(" (%s of WeChat's retries on the campaign's clock)", d)
	}
	if c.p.obs == nil {
		summary += " (without an Observer: judged on the answers alone)"
	}
	return chaosVerdict(c.violations, payCauses, expected, summary, reproduce)
}

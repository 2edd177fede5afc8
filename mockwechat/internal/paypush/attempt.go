package paypush

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// What an attempt keeps of what it sent and heard.
const (
	maxBody     = 64 << 10 // the envelope sent
	maxResponse = 1 << 10  // the merchant's answer
)

// attempt makes one attempt of d: take its fault, hold it back or build
// and send it, then settle what comes next.
func (e *Engine) attempt(d *delivery) {
	ctx, ok := e.current(d)
	if !ok {
		return // forgotten by a Reset, or the engine stopped
	}
	var p Plan
	e.mu.Lock()
	dv := d.Delivery // the immutable part: id, plaintext, queued…
	dv.Attempts = nil
	carry := d.carry
	d.carry = nil
	e.mu.Unlock()
	switch {
	case carry != nil:
		p = *carry
	case !dv.Probe:
		p, _ = e.opts.Host.Fault(dv.MchID, dv.ActionType)
	}
	if p.OutOfOrder {
		e.hold(d, p)
		return
	}
	if p.Delay > 0 {
		t := time.NewTimer(p.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return // abandoned: not recorded
		}
	}

	url, key := e.opts.Host.Target(dv.MchID)
	at := e.opts.Sched.Now()
	base := Attempt{Time: at, URL: url, Fault: p.String(), Verdict: VerdictNoAnswer}
	var atts []Attempt
	if url == "" {
		base.Err = "the merchant has no callback URL: create one (POST /v3/merchant-service/complaint-notifications); WeChat retries meanwhile"
		e.settle(d, p, []Attempt{base}, at)
		return
	}
	switch s, err := e.build(&dv, p, key, e.opts.Now()); {
	case err != nil:
		base.Err = err.Error()
		atts = []Attempt{base}
	case p.Drop:
		base.Headers, base.Body, base.Plaintext = headerMap(s.header), text.Clip(string(s.body), maxBody), s.plaintext
		base.Err = "dropped by fault injection: never sent"
		atts = []Attempt{base}
	default:
		atts = e.execute(ctx, base, s, p.Duplicate)
	}
	if ctx.Err() != nil {
		return // abandoned by Reset or Stop: not recorded
	}
	e.settle(d, p, atts, at)
}

// execute POSTs the shot, twice at once for a duplicate, and returns the
// attempts.
func (e *Engine) execute(ctx context.Context, base Attempt, s shot, duplicate bool) []Attempt {
	base.Headers, base.Body, base.Plaintext = headerMap(s.header), text.Clip(string(s.body), maxBody), s.plaintext
	if !duplicate {
		return []Attempt{e.post(ctx, base, s)}
	}
	atts := []Attempt{base, base}
	var wg sync.WaitGroup
	for i := range atts {
		wg.Go(func() { atts[i] = e.post(ctx, atts[i], s) })
	}
	wg.Wait()
	return atts
}

// post sends the shot and judges the answer.
func (e *Engine) post(ctx context.Context, a Attempt, s shot) Attempt {
	actx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	start := time.Now()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, a.URL, bytes.NewReader(s.body))
	if err != nil {
		a.Err = "the callback URL cannot be used: " + err.Error()
		return a
	}
	req.Header = s.header.Clone()
	resp, err := e.client.Do(req)
	if err != nil {
		a.Latency = time.Since(start)
		a.Verdict, a.Err = e.noAnswer(ctx, actx, err)
		return a
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err == nil {
		_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	}
	resp.Body.Close()
	a.Latency = time.Since(start)
	a.Status = resp.StatusCode
	a.Response = text.Clip(string(head), maxResponse)
	if err != nil && actx.Err() != nil && ctx.Err() == nil {
		a.Verdict, a.Err = e.noAnswer(ctx, actx, err)
		return a
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		a.Verdict = VerdictAcknowledged
	} else {
		a.Verdict = VerdictRefused
	}
	return a
}

// noAnswer judges an attempt that got no answer: too slow when the
// attempt's own timeout ended it.
func (e *Engine) noAnswer(ctx, actx context.Context, err error) (verdict, msg string) {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return VerdictTooSlow, fmt.Sprintf("no answer within %s: WeChat counts it failed and retries; answer first and work after (a queue)", e.opts.Timeout)
	}
	var refused *push.TargetRefusedError
	if errors.As(err, &refused) {
		return VerdictNoAnswer, refused.Error()
	}
	return VerdictNoAnswer, err.Error()
}

// headerMap returns the headers of h worth showing: the Wechatpay-* ones
// and Request-ID.
func headerMap(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, v := range h {
		if k == "Content-Type" || len(v) == 0 {
			continue
		}
		m[k] = v[0]
	}
	return m
}

// hold keeps d back until the next callback of its complaint is sent, or
// the first retry delay at the latest, with the rest of its plan.
func (e *Engine) hold(d *delivery, p Plan) {
	wait := 5 * time.Second
	if len(e.opts.Retry) > 0 {
		wait = e.opts.Retry[0]
	}
	rest := p
	rest.OutOfOrder = false
	e.mu.Lock()
	if d.gen != e.gen {
		e.mu.Unlock()
		return
	}
	d.carry = &rest
	e.held[d.key()] = append(e.held[d.key()], d)
	schedule := e.atLocked(d, e.opts.Sched.Now().Add(wait))
	ref := e.refLocked(d, d.tries+1)
	e.mu.Unlock()
	e.observe(Report{Delivery: ref, Phase: PhaseHeld})
	schedule()
}

// settle records the attempts and decides what comes next: delivered, a
// retry on the ladder, or failed. It releases the callbacks of the
// complaint held back, and tells the observer.
func (e *Engine) settle(d *delivery, p Plan, atts []Attempt, at time.Time) {
	e.mu.Lock()
	if d.gen != e.gen { // forgotten by a Reset while it was attempted
		e.mu.Unlock()
		return
	}
	refuse := d.Probe || p.mustRefuse()
	ok := false
	for i := range atts {
		if atts[i].Verdict == VerdictAcknowledged {
			ok = true
			atts[i].Wrong = refuse
		}
	}
	if len(atts) == 2 {
		atts[1].Copy = true
	}
	d.tries++
	d.Attempts = append(d.Attempts, atts...)
	n := d.tries
	var schedule func()
	var release []*delivery // queued after the reports, which come first
	phase := PhaseQueued
	switch {
	case ok:
		d.Delivered = true
		phase = PhaseDelivered
	case d.Probe || d.tries > len(e.opts.Retry):
		d.Failed = true
		phase = PhaseFailed
		if !d.Probe {
			e.log.Warn("paypush: callback failed after every retry", "id", d.ID, "mchid", d.MchID, "complaint_id", d.ComplaintID,
				"action_type", d.ActionType, "attempts", len(d.Attempts))
		}
	default:
		schedule = e.atLocked(d, at.Add(e.opts.Retry[d.tries-1]))
	}
	if d.again { // resent while it was attempted: again now, from the ladder's start
		d.again = false
		e.reopenLocked(d)
		schedule, phase = nil, PhaseQueued
		release = append(release, d)
	} else if d.Done() {
		d.Next = time.Time{}
		d.wait++
		e.deliv.finish(d)
	}
	for _, h := range e.held[d.key()] {
		h.wait++ // its own end of hold is void
		release = append(release, h)
	}
	delete(e.held, d.key())
	reports := make([]Report, 0, len(atts)+1)
	for i := range atts {
		a := atts[i]
		reports = append(reports, Report{Delivery: e.refLocked(d, n), Attempt: &a, Phase: PhaseAttempt})
	}
	next := n
	if phase == PhaseQueued {
		next = d.tries + 1
	}
	reports = append(reports, Report{Delivery: e.refLocked(d, next), Phase: phase})
	e.mu.Unlock()

	for _, r := range reports {
		e.observe(r)
	}
	if schedule != nil { // after the reports, which tell the retry queued
		schedule()
	}
	if len(release) > 0 {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, h := range release {
			e.enqueueLocked(h)
		}
	}
}

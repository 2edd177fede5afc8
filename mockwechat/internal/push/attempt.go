package push

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
)

// responseExcerpt is how much of a receiver's answer an attempt keeps.
const responseExcerpt = 256

// attempt makes one attempt of d: plan what to send, execute it, settle
// what comes next.
func (e *Engine) attempt(d *delivery) {
	ctx, ok := e.current(d)
	if !ok {
		return // forgotten by a Reset
	}
	r, ok := e.plan(d)
	if !ok {
		return // held back by a fault: rescheduled
	}
	r.ctx = ctx
	e.settle(d, r, e.execute(d, r))
}

// round is what one attempt sends: the genuine document and the copies a
// fault asks for, or an attempt recorded without sending.
type round struct {
	ctx context.Context // ends when a Reset abandons the attempt
	url string
	now time.Time
	ts  string
	// shots are the documents to send, or attempts to record as they are.
	shots []shot
}

type shot struct {
	body   []byte
	fault  string   // the fault this document carries: "duplicate"…
	forged bool     // its answer never counts as an acknowledgement
	record *Attempt // set: nothing is sent, this is the attempt
}

// plan takes the attempt's fault and builds what to send: signed afresh
// with a new TimeStamp, tampered or copied as the fault says. False when
// the fault holds the notification back (it is rescheduled).
func (e *Engine) plan(d *delivery) (round, bool) {
	p, faulted := e.opts.Host.Fault(d.AppID, d.MsgType)
	if faulted {
		e.mu.Lock()
		d.Faults = append(d.Faults, p.String())
		number := d.genuine + 1
		e.mu.Unlock()
		switch p.Hold {
		case Late, OutOfOrder:
			if p.Hold == Late {
				e.later(d, e.opts.Sched.Now().Add(p.Delay))
			} else {
				e.hold(d)
			}
			e.observe(Report{Ref: e.ref(d), Phase: Held, Number: number, Of: e.of(), Fault: p.String()})
			return round{}, false
		}
	}
	url, key := e.opts.Host.Target(d.AppID)
	n := d.n
	n.TimeStamp = strconv.FormatInt(e.opts.Host.TimeStamp(d.AppID, d.OpenID), 10)
	r := round{url: url, now: e.opts.Sched.Now(), ts: n.TimeStamp}
	fail := func(msg, fault string, body []byte) (round, bool) {
		r.shots = []shot{{record: &Attempt{Time: r.now, TimeStamp: r.ts, Err: msg, Fault: fault, Body: string(body)}}}
		return r, true
	}
	if url == "" {
		return fail("the account has no payfeedback_url now", "", nil)
	}
	if err := n.Sign(key); err != nil {
		return fail("signing: "+err.Error(), "", nil)
	}
	genuine := shot{}
	if p.Extras&TamperSignature != 0 {
		n.AppSignature = tamperHex(n.AppSignature)
		genuine.fault = "tamper-signature"
	}
	body, err := n.Encode()
	if err != nil {
		return fail("encoding: "+err.Error(), "", nil)
	}
	if p.Hold == Drop {
		return fail("dropped by fault injection: never sent", "drop", body)
	}
	genuine.body = body
	r.shots = append(r.shots, genuine)
	if p.Extras&Duplicate != 0 {
		r.shots = append(r.shots, shot{body: body, fault: "duplicate"})
	}
	if p.Extras&TamperFields != 0 {
		forged := n
		forged.FeedBackID = forgeID(n.FeedBackID)
		forged.Reason = "forged: " + n.Reason
		if forged.MsgType == payfeedback.MsgRequest {
			forged.TransID = forgeID(n.TransID)
		}
		if fb, err := forged.Encode(); err == nil {
			r.shots = append(r.shots, shot{body: fb, fault: "tamper-fields", forged: true})
		}
	}
	return r, true
}

// execute sends the round's documents in order and returns the attempts.
func (e *Engine) execute(d *delivery, r round) []Attempt {
	ref := e.ref(d)
	ref.URL = r.url
	e.mu.Lock()
	number := d.genuine + 1
	e.mu.Unlock()
	atts := make([]Attempt, 0, len(r.shots))
	for i, s := range r.shots {
		if s.record != nil {
			atts = append(atts, *s.record)
			continue
		}
		e.observe(Report{Ref: ref, Phase: Sending, Number: number, Of: e.of(), Fault: s.fault})
		at := r.now
		if i > 0 {
			at = e.opts.Sched.Now()
		}
		a := e.post(r.ctx, r.url, s.body, at, r.ts)
		a.Fault = s.fault
		if s.forged {
			a.OK = false
		}
		atts = append(atts, a)
		if i < len(r.shots)-1 { // the last one is told by settle, with what comes next
			e.observe(Report{Ref: ref, Phase: Answered, Number: number, Of: e.of(), Fault: a.Fault, Attempt: &a})
		}
	}
	return atts
}

// settle records the attempts and decides what comes next: delivered, a
// retry on the schedule, or failed. It releases the notifications held
// back for the account, and tells the last attempt with the next step.
func (e *Engine) settle(d *delivery, r round, atts []Attempt) {
	e.mu.Lock()
	if d.gen != e.gen { // forgotten by a Reset while it was attempted
		e.mu.Unlock()
		return
	}
	d.URL = r.url
	d.genuine++
	d.Attempts = append(d.Attempts, atts...)
	ok := false
	for _, a := range atts {
		ok = ok || a.OK
	}
	var retryAt time.Time
	switch {
	case ok:
		d.Delivered = true
		e.finishLocked(d)
	case d.genuine <= len(e.opts.Retry):
		retryAt = r.now.Add(e.opts.Retry[d.genuine-1])
		d.NextAttempt = retryAt
	default:
		d.Failed = true
		e.finishLocked(d)
		e.log.Warn("mockwechat: push failed after every retry", "delivery", d.ID, "feedbackid", d.FeedBackID,
			"msgtype", d.MsgType, "attempts", len(d.Attempts))
	}
	for _, h := range e.held[d.AppID] {
		e.enqueueLocked(h)
	}
	delete(e.held, d.AppID)
	rep := Report{Ref: d.Ref, Phase: Answered, Number: d.genuine, Of: e.of(),
		Delivered: d.Delivered, Failed: d.Failed, NextAttempt: d.NextAttempt}
	e.mu.Unlock()

	if !retryAt.IsZero() {
		e.opts.Sched.At(retryAt, func() { e.enqueue(d) })
	}
	last := atts[len(atts)-1]
	rep.Attempt, rep.Fault = &last, last.Fault
	e.observe(rep)
}

// finishLocked moves d to the finished deliveries (e.mu held).
func (e *Engine) finishLocked(d *delivery) {
	d.NextAttempt = time.Time{}
	e.deliv.finish(d)
}

// post sends one document and judges the answer.
func (e *Engine) post(ctx context.Context, url string, body []byte, at time.Time, ts string) Attempt {
	a := Attempt{Time: at, TimeStamp: ts, Body: string(body)}
	if e.limiter != nil {
		if err := e.limiter.Wait(ctx); err != nil {
			a.Err = "pacing (--push-rate): " + err.Error()
			return a
		}
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.Err = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "mockwechat (payfeedback)")
	resp, err := e.client.Do(req)
	if err != nil {
		a.Latency = time.Since(start)
		a.Err = err.Error()
		if re := refusal(err); re != nil {
			a.Err = re.Error() // what to set, without the transport's wrapping
		}
		return a
	}
	head := make([]byte, responseExcerpt)
	n, _ := io.ReadFull(resp.Body, head)
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	a.Latency = time.Since(start)
	a.Status = resp.StatusCode
	a.Response = string(head[:n])
	a.OK = resp.StatusCode >= 200 && resp.StatusCode < 300
	if a.OK && e.opts.StrictAck && strings.TrimSpace(a.Response) != "success" {
		a.OK = false
		a.Err = `strict ack: the body is not "success"`
	}
	if !a.OK {
		if hint := timestampRefused(a.Status, a.Response, ts, time.Now()); hint != "" {
			a.Err = hint
		}
	}
	return a
}

func (e *Engine) ref(d *delivery) Ref {
	e.mu.Lock()
	defer e.mu.Unlock()
	return d.Ref
}

// of is how many attempts the schedule allows.
func (e *Engine) of() int { return 1 + len(e.opts.Retry) }

// tamperHex changes one hex digit of a signature.
func tamperHex(sig string) string {
	if sig == "" {
		return "0000000000000000000000000000000000000000"
	}
	b := []byte(sig)
	if b[0] == '0' {
		b[0] = '1'
	} else {
		b[0] = '0'
	}
	return string(b)
}

// forgeID returns a different id of the same shape.
func forgeID(id string) string {
	if id == "" {
		return "1"
	}
	b := []byte(id)
	last := b[len(b)-1]
	if last >= '0' && last <= '8' {
		b[len(b)-1] = last + 1
	} else {
		b[len(b)-1] = '0'
	}
	return string(b)
}

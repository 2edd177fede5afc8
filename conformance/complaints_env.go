package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// payRun is what the Complaints 2.0 plan's cases run against: the
// settings, the merchant, the forge, and where complaints come from (the
// Observer, or ids of the forge's own).
type payRun struct {
	s     *settings
	t     target
	forge *payForge
	obs   Observer
	// controlFailed is set once the control was not accepted: a genuine
	// callback refused in a refusal case then proves nothing either.
	controlFailed bool
}

func newPayRun(s *settings, t target) (*payRun, error) {
	f, err := newPayForge(s.PayKeys, s.KeyMode, s.Seed, s.Now)
	if err != nil {
		return nil, err
	}
	return &payRun{s: s, t: t, forge: f, obs: s.Observer}, nil
}

// payControlRequirement is what the Complaints 2.0 plan's control checks.
const payControlRequirement = "A genuine COMPLAINT.CREATE callback, signed with the key WeChat signs with by default in the key mode and encrypted with the merchant's APIv3 key, is accepted at the endpoint under test in this run: without that, a refusal proves nothing."

// control sends a genuine callback before the cases and judges it
// accepted (the runner names the result).
func (p *payRun) control(ctx context.Context) Result {
	c, err := p.callback(ctx, payCallbackSpec{action: complaints.ActionCreateComplaint})
	if err != nil {
		return payBroken(err)
	}
	ex := p.send(ctx, c.request(p.s.answerWait()), c.note)
	r := payAccepted(ex)
	r.Requirement = payControlRequirement
	if r.Failed() {
		p.controlFailed = true
		r.Message = "no genuine callback was accepted at " + p.t.describe() + " in this run (" + answerLine(ex) +
			"): the refusal cases prove nothing"
	}
	return r
}

// complaint returns a complaint id for a callback to name: the Observer's,
// or one of the forge's own.
func (p *payRun) complaint(ctx context.Context) (string, error) {
	if p.obs == nil {
		return p.forge.complaintID(), nil
	}
	id, err := p.obs.NewComplaint(ctx)
	if err != nil {
		return "", fmt.Errorf("the Observer could not file a complaint: %w", err)
	}
	return id, nil
}

// callback makes the callback spec describes, about a new complaint when
// spec names none.
func (p *payRun) callback(ctx context.Context, spec payCallbackSpec) (payCallback, error) {
	if spec.complaint == "" {
		id, err := p.complaint(ctx)
		if err != nil {
			return payCallback{}, err
		}
		spec.complaint = id
	}
	return p.forge.make(spec)
}

// send sends q and notes what it carried in the exchange.
func (p *payRun) send(ctx context.Context, q request, note string) Exchange {
	ex := p.t.send(ctx, q)
	switch {
	case ex.Note == "":
		ex.Note = note
	case note != "":
		ex.Note = note + "; " + ex.Note
	}
	return ex
}

// post sends a callback made from spec and waits the usual time; it
// returns the callback and the exchange.
func (p *payRun) post(ctx context.Context, spec payCallbackSpec) (payCallback, Exchange, error) {
	c, err := p.callback(ctx, spec)
	if err != nil {
		return c, Exchange{}, err
	}
	return c, p.send(ctx, c.request(p.s.answerWait()), c.note), nil
}

// accept posts a genuine callback made from spec and judges it accepted.
func (p *payRun) accept(ctx context.Context, spec payCallbackSpec) Result {
	_, ex, err := p.post(ctx, spec)
	if err != nil {
		return payBroken(err)
	}
	return payAccepted(ex)
}

// payBroken is the result of a case the suite itself could not carry out
// (the Observer failed, a key did not sign): inconclusive, with why.
func payBroken(err error) Result {
	return Result{Status: Inconclusive, Message: "the suite could not make its callback: " + err.Error()}
}

// work returns the merchant's work on complaint id, waiting until it has
// at least atLeast calls or Options.APITimeout has passed (the Observer's
// Work does not wait): what came in time.
func (p *payRun) work(ctx context.Context, id string, atLeast int) (MerchantWork, error) {
	w, err := p.obs.Work(ctx, id)
	if err != nil || w.total() >= atLeast {
		return w, err
	}
	p.s.waiting("the merchant's work on complaint " + id)
	defer p.s.waiting("")
	deadline := time.NewTimer(p.s.APITimeout)
	defer deadline.Stop()
	pause := 2 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return w, ctx.Err()
		case <-deadline.C:
			return w, nil
		case <-time.After(pause):
		}
		if w, err = p.obs.Work(ctx, id); err != nil || w.total() >= atLeast {
			return w, err
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

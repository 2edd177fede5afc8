package conformance

import (
	"context"
	"time"
)

// Run runs the selected cases against the merchant, in the order of Cases,
// one at a time, and returns the report. The error is not nil only when
// the run could not start: unusable options (ErrNoCaseSelected among
// them), nothing listening at Options.URL (ErrUnreachable), or the
// embedded fake WeChat failing to start; whatever the merchant does wrong
// is in the report. When ctx ends, the case running is reported
// Interrupted, the cases not yet run are reported skipped (Progress does
// not hear of them), and Run returns ctx's error with the partial report.
func Run(ctx context.Context, opts Options) (Report, error) {
	s, selected, err := settle(opts)
	if err != nil {
		return Report{}, err
	}
	started := time.Now()
	if s.URL != "" {
		if err := preflight(ctx, s); err != nil {
			return Report{}, err
		}
	}
	e := &env{s: s}
	wantAPI := false
	for _, c := range selected {
		wantAPI = wantAPI || c.API || (c.ID == chaosID && s.Chaos > 0)
	}
	handler := s.Handler
	if s.Plan == PlanV15 && ((s.API && wantAPI) || (handler == nil && s.Merchant != nil)) {
		run, err := startAPI(ctx, s)
		if err != nil {
			return Report{}, err
		}
		defer run.close()
		e.api = run
		if handler == nil && run.merchant != nil {
			handler = run.merchant
		}
	}
	if s.Plan == PlanComplaints && (s.API && wantAPI || handler == nil && s.Merchant != nil) {
		run, err := startPayAPI(ctx, s)
		if err != nil {
			return Report{}, err
		}
		defer run.close()
		e.payAPI = run
		s.Observer = run
		if handler == nil && run.merchant != nil {
			handler = run.merchant
		}
	}
	if s.URL != "" {
		e.t = newURLTarget(s.URL, s.Client)
	} else {
		e.t = &handlerTarget{h: handler, path: s.path()}
	}
	defer e.t.close()
	if s.Plan == PlanComplaints {
		p, err := newPayRun(s, e.t)
		if err != nil {
			return Report{}, err
		}
		e.pay = p
	} else {
		e.forge = &forge{appID: s.AppID, key: s.PaySignKey, openID: s.OpenID, now: s.Now}
		if e.api != nil {
			e.forge.issue = e.api.issue
		}
	}

	rep := Report{Target: e.t.describe(), Started: started, Config: configOf(s)}
	var control *Result
	if needsControl(selected) && ctx.Err() == nil {
		c := e.control(ctx)
		if c.Failed() {
			if ex, ok := showing(c); ok {
				c.Cause = causeOf(rep.Config.Plan, &ex, s.URL == "")
			}
		}
		control = &c
		rep.Control = control
		if s.Progress != nil {
			s.Progress(c)
		}
	}
	for _, c := range selected {
		start := time.Now()
		var res Result
		switch {
		case ctx.Err() != nil:
			res = Result{Status: Skip, Message: "the run was interrupted before this case"}
		case c.API && s.apiSkip(c) != "":
			res = Result{Status: Skip, Message: s.apiSkip(c)}
		default:
			res = c.run(ctx, e)
			if ctx.Err() != nil && (res.Status == Fail || res.Status == Inconclusive) {
				res = Result{Status: Interrupted, Message: "the run was cancelled while this case ran", Exchanges: res.Exchanges}
			}
		}
		res.ID, res.Section, res.Requirement = c.ID, c.Section(), c.Requirement
		res.Duration = time.Since(start)
		if c.refusal && control != nil && !control.passed() && res.passed() {
			res.Status, res.Symptom = Inconclusive, control.Symptom
			res.Message = "refused, but so was the valid notification of the control: a refusal proves nothing here"
		}
		if res.Status == Fail && res.Fix == "" {
			res.Fix = c.Fix // a case whose failure has causes of its own words its Fix
		}
		res = withPolicy(res, s)
		rep.Results = append(rep.Results, res)
		if s.Progress != nil && (res.Status != Skip || ctx.Err() == nil) {
			s.Progress(res) // not for each case the interruption left unrun
		}
	}
	rep.Duration = time.Since(started)
	rep.Interrupted = ctx.Err() != nil
	return rep, ctx.Err()
}

// withPolicy applies Strict and the expected failures to a case's own result.
func withPolicy(r Result, s *settings) Result {
	if r.Status == Warn && s.Strict {
		r.Status = Fail
		r.Message = "(strict) " + r.Message
	}
	if s.expectFail[r.ID] {
		r.Listed = true
		if r.Status == Fail || r.Status == Inconclusive {
			r.Status = ExpectedFail
		}
	}
	return r
}

// configOf records the settings that shaped a run (never a secret).
func configOf(s *settings) Config {
	c := Config{
		AppID:      s.AppID,
		OpenID:     s.OpenID,
		StaleAge:   s.StaleAge,
		FutureSkew: s.FutureSkew,
		Timeout:    s.Timeout,
		Oversize:   s.Oversize,
		Strict:     s.Strict,
		Run:        s.Options.Run,
		API:        s.API,
		AllowSkip:  s.AllowSkip,
		Chaos:      s.Chaos,
	}
	if s.Chaos > 0 {
		c.Seed = s.Seed
	}
	if s.Plan == PlanComplaints {
		c.Plan, c.MchID, c.KeyMode, c.API, c.Seed = s.Plan, s.PayKeys.Merchant.MchID, s.KeyMode, s.Observer != nil, s.Seed
	}
	if s.API {
		c.Clock = "real"
		if s.VirtualClock || s.Merchant != nil && s.URL == "" {
			c.Clock = "virtual"
		}
	}
	return c
}

package conformance

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ErrNoCaseSelected: Options.Run matches no case id.
var ErrNoCaseSelected = errors.New("conformance: Options.Run selects no case")

// Selected returns the cases a run with o executes, in order; its error is
// Validate's.
func (o Options) Selected() ([]Case, error) {
	_, selected, err := settle(o)
	return selected, err
}

// Validate reports why Run would refuse o, or nil: nothing under test, a
// missing AppID or PaySignKey, an invalid URL, a Run pattern that is
// invalid or selects nothing (ErrNoCaseSelected), an unknown case in
// ExpectFail, negative durations or counts.
func (o Options) Validate() error {
	_, _, err := settle(o)
	return err
}

// settle applies defaults and checks o; it returns the cases Run selects,
// in run order.
func settle(o Options) (*settings, []Case, error) {
	s := &settings{Options: o}
	plan, err := ParsePlan(string(o.Plan))
	if err != nil {
		return nil, nil, err
	}
	s.Plan = plan
	v15 := plan == PlanV15
	switch {
	case o.URL == "" && o.Handler == nil && o.Merchant == nil:
		return nil, nil, errors.New("conformance: nothing under test: set Options.URL, Options.Handler or Options.Merchant")
	case o.URL != "" && (o.Handler != nil || o.Merchant != nil):
		return nil, nil, errors.New("conformance: Options.URL is for a live endpoint and Handler/Merchant for an in-process one: set one of them")
	case v15 && o.AppID == "":
		return nil, nil, errors.New("conformance: Options.AppID is required: the merchant's official account id")
	case v15 && o.PaySignKey == "":
		return nil, nil, errors.New("conformance: Options.PaySignKey is required: the key that signs the merchant's notifications")
	case o.StaleAge < 0, o.FutureSkew < 0, o.Timeout < 0, o.APITimeout < 0, o.Oversize < 0, o.Wait < 0, o.Chaos < 0:
		return nil, nil, errors.New("conformance: durations, sizes and counts in Options must not be negative (0 means the default)")
	case o.VirtualClock && !o.API:
		return nil, nil, errors.New("conformance: Options.VirtualClock is the clock of the embedded fake WeChat, which runs only with Options.API: set both")
	case o.URL != "" && o.Path != "":
		return nil, nil, errors.New("conformance: Options.Path is for an in-process handler; with Options.URL, put the path in the URL")
	case o.Path != "" && !strings.HasPrefix(o.Path, "/"):
		return nil, nil, fmt.Errorf("conformance: Options.Path %q must start with /", o.Path)
	case o.Oversize != 0 && o.Oversize <= 64<<10:
		return nil, nil, fmt.Errorf("conformance: Options.Oversize %d is not oversized: want more than 65536 bytes", o.Oversize)
	}
	if o.URL != "" {
		u, err := url.Parse(o.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, nil, fmt.Errorf("conformance: Options.URL %q is not an http(s) URL", o.URL)
		}
	}
	if o.Run != "" {
		re, err := regexp.Compile(o.Run)
		if err != nil {
			return nil, nil, fmt.Errorf("conformance: Options.Run: %w", err)
		}
		s.run = re
	}
	if !v15 {
		if err := s.settlePay(); err != nil {
			return nil, nil, err
		}
	}
	known := make(map[string]bool)
	var selected []Case
	for _, c := range plan.Cases() {
		known[c.ID] = true
		if s.run == nil || s.run.MatchString(c.ID) {
			selected = append(selected, c)
		}
	}
	if len(selected) == 0 {
		return nil, nil, fmt.Errorf("%w: %q matches no case id (list them with Cases, or payfeedback check --list)", ErrNoCaseSelected, o.Run)
	}
	s.expectFail = make(map[string]bool, len(o.ExpectFail))
	for _, id := range o.ExpectFail {
		if !known[id] {
			return nil, nil, fmt.Errorf("conformance: Options.ExpectFail names %q, which is no case (see Cases or --list)", id)
		}
		s.expectFail[id] = true
	}
	if s.StaleAge == 0 {
		s.StaleAge = DefaultStaleAge
	}
	if s.FutureSkew == 0 {
		s.FutureSkew = DefaultFutureSkew
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.APITimeout == 0 {
		s.APITimeout = DefaultAPITimeout
	}
	if s.Oversize == 0 {
		s.Oversize = DefaultOversize
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.OpenID == "" && v15 {
		s.OpenID = freshOpenID()
	}
	if (s.Chaos > 0 || !v15) && s.Seed == 0 {
		s.Seed = randomSeed()
	}
	return s, selected, nil
}

package conformance

import (
	"fmt"
	"strings"
	"time"
)

// Report is the outcome of a run.
type Report struct {
	// Target is what was under test: the URL or "in-process handler".
	Target string `json:"target"`
	// Started is when the run began (real time); Duration how long it took.
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	// Config records the options that shaped the run.
	Config Config `json:"config"`
	// Control is the valid notification sent before the cases, when a
	// selected case passes on a refusal (see ControlID); nil otherwise.
	Control *Result `json:"control,omitempty"`
	// Results holds one result per selected case, in run order.
	Results []Result `json:"results"`
	// Interrupted reports that the run was cancelled before its end.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Config records the options of a run; it never holds a secret.
type Config struct {
	// Plan is the plan run: "" for the V1.5 plan (so that its reports read
	// as they did before there were plans), PlanComplaints otherwise.
	Plan Plan `json:"plan,omitempty"`
	// AppID and OpenID are the V1.5 plan's account and user.
	AppID  string `json:"appid,omitempty"`
	OpenID string `json:"openid,omitempty"`
	// MchID is the Complaints 2.0 plan's merchant, KeyMode which of
	// WeChat's keys signed its callbacks.
	MchID      string        `json:"mchid,omitempty"`
	KeyMode    KeyMode       `json:"key_mode,omitempty"`
	StaleAge   time.Duration `json:"stale_age_ns"`
	FutureSkew time.Duration `json:"future_skew_ns"`
	Timeout    time.Duration `json:"timeout_ns"`
	Oversize   int64         `json:"oversize"`
	Strict     bool          `json:"strict,omitempty"`
	Run        string        `json:"run,omitempty"`
	API        bool          `json:"api,omitempty"`
	AllowSkip  bool          `json:"allow_skip,omitempty"`
	// Clock is the embedded fake's clock when the API cases ran:
	// "virtual" (the API cases judged days) or "real" (they judged what
	// came within APITimeout); "" without them.
	Clock string `json:"clock,omitempty"`
	// Chaos is the number of complaints of the chaos campaign, Seed its
	// seed (both 0 without a campaign; with PlanComplaints, Seed is the
	// seed of the callbacks' nonces and ids).
	Chaos int    `json:"chaos,omitempty"`
	Seed  uint64 `json:"seed,omitempty"`
}

// Counts sums up a report.
type Counts struct {
	// Total is the number of cases run (or skipped).
	Total int `json:"total"`
	// Passed counts passes, warnings included.
	Passed int `json:"passed"`
	// Warned counts the passes with a warning.
	Warned int `json:"warned"`
	// Skipped counts the skipped cases.
	Skipped int `json:"skipped"`
	// Failed counts the failures that fail the run.
	Failed int `json:"failed"`
	// Inconclusive counts the cases whose verdict rests on something
	// that failed in the run (see Inconclusive); they fail the run.
	Inconclusive int `json:"inconclusive"`
	// Interrupted counts the cases the interruption cut short.
	Interrupted int `json:"interrupted"`
	// ExpectedFailures counts the listed cases that failed.
	ExpectedFailures int `json:"expected_failures"`
	// ListedPassed counts the listed cases that passed: the expected-
	// failure list can lose them.
	ListedPassed int `json:"listed_passed"`
}

// Counts counts r's results.
func (r Report) Counts() Counts {
	c := Counts{Total: len(r.Results)}
	for _, res := range r.Results {
		switch res.Status {
		case Pass, Warn:
			c.Passed++
			if res.Status == Warn {
				c.Warned++
			}
			if res.Listed {
				c.ListedPassed++
			}
		case Skip:
			c.Skipped++
		case Fail:
			c.Failed++
		case ExpectedFail:
			c.ExpectedFailures++
		case Inconclusive:
			c.Inconclusive++
		case Interrupted:
			c.Interrupted++
		}
	}
	return c
}

// Failed reports whether the run failed: a case failed (and was not
// listed as an expected failure) or was inconclusive, the run was
// interrupted, or every selected case was skipped without
// Options.AllowSkip (a run that checked nothing is no pass).
func (r Report) Failed() bool {
	c := r.Counts()
	return c.Failed > 0 || c.Inconclusive > 0 || c.Interrupted > 0 || r.Interrupted || r.NothingChecked()
}

// NothingChecked reports whether every case of the run was skipped and
// Options.AllowSkip was not given.
func (r Report) NothingChecked() bool {
	c := r.Counts()
	return c.Total > 0 && c.Skipped == c.Total && !r.Config.AllowSkip
}

// Result returns the result of the case id, if it ran.
func (r Report) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.ID == id {
			return res, true
		}
	}
	return Result{}, false
}

// FailedIDs lists the ids of the failed cases, in run order.
func (r Report) FailedIDs() []string { return r.IDs(Fail) }

// IDs lists the ids of the results with status st, in run order.
func (r Report) IDs(st Status) []string {
	var ids []string
	for _, res := range r.Results {
		if res.Status == st {
			ids = append(ids, res.ID)
		}
	}
	return ids
}

// Summary is the last line of the text report:
// "N cases, P passed, S skipped, F failed", then the inconclusive and
// interrupted cases when there are any, then the expected failures,
// warnings and trimmable list entries in parentheses, and why a run of
// skipped cases fails.
func (r Report) Summary() string {
	c := r.Counts()
	s := fmt.Sprintf("%d cases, %d passed, %d skipped, %d failed", c.Total, c.Passed, c.Skipped, c.Failed)
	if c.Inconclusive > 0 {
		s += fmt.Sprintf(", %d inconclusive", c.Inconclusive)
	}
	if c.Interrupted > 0 || r.Interrupted {
		s += fmt.Sprintf(", %d interrupted", c.Interrupted)
	}
	var extra []string
	if c.ExpectedFailures > 0 {
		extra = append(extra, plural(c.ExpectedFailures, "expected failure", "expected failures"))
	}
	if c.Warned > 0 {
		extra = append(extra, plural(c.Warned, "passed with a warning", "passed with warnings"))
	}
	if c.ListedPassed > 0 {
		extra = append(extra, plural(c.ListedPassed, "listed as expected to fail but passed", "listed as expected to fail but passed"))
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	if r.NothingChecked() {
		s += ": nothing was checked, every case was skipped (--allow-skip, Options.AllowSkip, accepts that)"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

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
	// Results holds one result per selected case, in run order.
	Results []Result `json:"results"`
}

// Config records the options of a run; it never holds a secret.
type Config struct {
	AppID      string        `json:"appid"`
	OpenID     string        `json:"openid"`
	StaleAge   time.Duration `json:"stale_age_ns"`
	FutureSkew time.Duration `json:"future_skew_ns"`
	Timeout    time.Duration `json:"timeout_ns"`
	Oversize   int64         `json:"oversize"`
	Strict     bool          `json:"strict,omitempty"`
	Run        string        `json:"run,omitempty"`
	API        bool          `json:"api,omitempty"`
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
		}
	}
	return c
}

// Failed reports whether the run failed: some case failed and was not
// listed as an expected failure.
func (r Report) Failed() bool { return r.Counts().Failed > 0 }

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
func (r Report) FailedIDs() []string { return r.ids(Fail) }

// ids lists the ids of the results with status st.
func (r Report) ids(st Status) []string {
	var ids []string
	for _, res := range r.Results {
		if res.Status == st {
			ids = append(ids, res.ID)
		}
	}
	return ids
}

// Summary is the last line of the text report:
// "N cases, P passed, S skipped, F failed", followed by the expected
// failures, warnings and trimmable list entries when there are any.
func (r Report) Summary() string {
	c := r.Counts()
	s := fmt.Sprintf("%d cases, %d passed, %d skipped, %d failed", c.Total, c.Passed, c.Skipped, c.Failed)
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
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

package conformance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

func apiCases() []Case {
	cases := []Case{
		{
			ID:          "api/token/credentials",
			Fix:         fix("fetch the access_token from /cgi-bin/token with grant_type=client_credential and the account's appid and secret", docToken, docClient),
			API:         true,
			Requirement: "The merchant fetches its access_token from /cgi-bin/token (grant_type client_credential) with the account's appid and secret, and calls the API only with a token so fetched.",
			run:         apiCredentials,
		},
		{
			ID:          "api/token/reuse",
			Fix:         fix("cache the access_token until shortly before it expires, for every call", docToken, docClient),
			API:         true,
			Requirement: "The merchant reuses its access_token across calls instead of fetching one per call (a token lives two hours; the live API allowed 2,000 fetches a day).",
			run:         apiReuse,
		},
		{
			ID:          "api/token/expired",
			Fix:         fix("on errcode 42001 (or 40001) fetch a new token and call once more", docToken, docClient),
			API:         true,
			Requirement: "When its access_token expires under it (errcode 42001), the merchant fetches a new token and its call then succeeds; it does not retry with the expired token.",
			run:         apiExpired,
		},
		{
			ID:          "api/update/called",
			Fix:         fix("call payfeedback/update with the complaint's openid and feedbackid once it is resolved, before its deadline", docUpdate, docDeadlines, docClient),
			API:         true,
			Requirement: "For each complaint the suite files, the merchant calls payfeedback/update with the complaint's openid and feedbackid, successfully, before the complaint's deadline (on the fake's clock).",
			run:         apiUpdate,
		},
	}
	for _, cell := range deadlineCells {
		cases = append(cases, cellCase(cell))
	}
	return append(cases, []Case{
		{
			ID:          "api/message/format",
			Fix:         fix("send customer messages as the API takes them: a known msgtype with its required fields, to a user of the account", docMessages, docClient+" (SendMessage)"),
			API:         true,
			Requirement: "The merchant's customer-service messages are well-formed: JSON of a known msgtype with its required fields, to a user of the account, with media the API knows (no errcode 44002, 47001, 40008, 40003 or 40007).",
			run:         messageCase(formatCodes(), "malformed"),
		},
		{
			ID:          "api/message/limit",
			Fix:         fix("send at most 10 articles in a news message", docMessages),
			API:         true,
			Requirement: "A news message carries at most 10 articles (the limit of WeChat's document, which says no response comes beyond it; the fake answers 45008 by default, as the later live API did, and nothing in its silent mode).",
			run:         messageCase([]payfeedback.ErrorCode{payfeedback.CodeArticleLimit}, "over the article limit"),
		},
		{
			ID:          "api/message/window",
			Fix:         fix("message a user only within 24 hours of their last interaction (filing a complaint counts)", docMessages),
			API:         true,
			Requirement: "Customer-service messages go only to users who interacted within the messaging window (24 h after their last interaction; the fake answers 45015 outside it).",
			run:         messageCase([]payfeedback.ErrorCode{payfeedback.CodeOutOfWindow}, "outside the messaging window"),
		},
	}...)
}

// formatCodes are the errcodes that say a customer message was malformed.
func formatCodes() []payfeedback.ErrorCode {
	return []payfeedback.ErrorCode{
		payfeedback.CodeEmptyPostData, payfeedback.CodeDataFormat, payfeedback.CodeInvalidMsgType,
		payfeedback.CodeInvalidOpenID, payfeedback.CodeInvalidMediaID,
	}
}

// unjudged says why an api case has nothing to judge: when the scenario
// stopped early, the case is Inconclusive (its verdict rests on the
// phases that did not run); when it ran through, the merchant chose not
// to do what the case judges, and the case is skipped.
func unjudged(obs *observations, why string) Result {
	if obs.stopped != "" {
		return Result{Status: Inconclusive, Symptom: obs.symptom,
			Message: why + ": the scenario stopped at its " + obs.stoppedAt + " (see api/update/called)"}
	}
	return Result{Status: Skip, Message: why}
}

func exchangesOf(calls []mockwechat.Call) []Exchange {
	out := make([]Exchange, 0, len(calls))
	for _, c := range calls {
		out = append(out, callExchange(c))
	}
	return out
}

func apiCredentials(ctx context.Context, e *env) Result {
	obs := e.api.observe(ctx)
	if len(obs.calls) == 0 {
		return unjudged(obs, "the merchant made no API call")
	}
	tokens := callsOf(obs.calls, payfeedback.PathToken, 0, 0)
	var bad []mockwechat.Call
	for _, c := range tokens {
		if c.ErrCode != payfeedback.CodeOK {
			bad = append(bad, c)
		}
	}
	for _, c := range obs.calls {
		if c.ErrCode == payfeedback.CodeTokenMissing {
			bad = append(bad, c)
		}
	}
	switch {
	case len(bad) > 0:
		var what []string
		for _, c := range bad {
			what = append(what, fmt.Sprintf("%s answered errcode %d (%s)", c.Endpoint, int(c.ErrCode), c.ErrCode.Message()))
		}
		return Result{
			Status:    Fail,
			Message:   "the merchant's token requests were refused: check the appid and secret it is configured with",
			Expected:  "token requests with grant_type=client_credential, the account's appid and secret, answered errcode 0",
			Actual:    strings.Join(what, "\n"),
			Exchanges: exchangesOf(bad),
		}
	case len(tokens) == 0:
		return Result{
			Status:    Fail,
			Message:   "the merchant called the API without ever fetching a token from the fake",
			Expected:  "a GET /cgi-bin/token before the first call",
			Actual:    fmt.Sprintf("%d calls, no token request", len(obs.calls)),
			Exchanges: exchangesOf(obs.calls[:min(len(obs.calls), 3)]),
		}
	}
	return Result{Status: Pass}
}

func apiReuse(ctx context.Context, e *env) Result {
	obs := e.api.observe(ctx)
	to := uint64(0)
	for _, ph := range obs.phases {
		if ph.expired {
			to = ph.from
		}
	}
	tokens := callsOf(obs.calls, payfeedback.PathToken, obs.from, to)
	var others []mockwechat.Call
	for _, c := range callsOf(obs.calls, "", obs.from, to) {
		if c.Endpoint != payfeedback.PathToken {
			others = append(others, c)
		}
	}
	if len(others) < 2 {
		return unjudged(obs, fmt.Sprintf("the merchant made %d API calls before its token expired: reuse needs two to judge", len(others)))
	}
	if len(tokens) >= len(others) {
		return Result{
			Status:    Fail,
			Message:   fmt.Sprintf("the merchant fetched %d tokens for %d API calls: it fetches a token per call", len(tokens), len(others)),
			Expected:  "one token fetched, then reused while it is valid",
			Actual:    fmt.Sprintf("%d token requests for %d calls", len(tokens), len(others)),
			Exchanges: exchangesOf(callsOf(obs.calls, "", obs.from, to)[:min(6, len(tokens)+len(others))]),
		}
	}
	return Result{Status: Pass}
}

func apiExpired(ctx context.Context, e *env) Result {
	obs := e.api.observe(ctx)
	var ph *phase
	for i := range obs.phases {
		if obs.phases[i].expired {
			ph = &obs.phases[i]
		}
	}
	if ph == nil {
		return unjudged(obs, "the scenario did not reach the complaint after the token expired")
	}
	calls := callsOf(obs.calls, "", ph.from, ph.to)
	how := "the fake answered the next payfeedback/update with errcode 42001"
	if obs.virtual {
		how = "the fake's clock moved 25 h ahead, past the token's lifetime"
	}
	if ph.update == nil {
		status := Fail
		if ph.unreached {
			status = Inconclusive
		}
		return Result{
			Status:    status,
			Message:   "after its token expired, the merchant did not manage a successful payfeedback/update: " + ph.problem,
			Expected:  "a new token fetched, then payfeedback/update answered errcode 0",
			Actual:    callsLine(calls),
			Exchanges: append(e.api.pushExchanges(ph.complaint.FeedBackID), exchangesOf(calls)...),
		}
	}
	var expired *mockwechat.Call
	for i, c := range calls {
		if c.Seq >= ph.update.Seq {
			break
		}
		if c.ErrCode == payfeedback.CodeTokenExpired || c.ErrCode == payfeedback.CodeInvalidCredential && c.Endpoint != payfeedback.PathToken {
			expired = &calls[i]
			break
		}
	}
	if expired == nil {
		return Result{Status: Pass} // the merchant renewed its token before calling
	}
	refreshed := false
	for _, c := range calls {
		if c.Endpoint == payfeedback.PathToken && c.ErrCode == payfeedback.CodeOK && c.Seq > expired.Seq && c.Seq < ph.update.Seq {
			refreshed = true
		}
	}
	same := ph.update.Query.Get("access_token") == expired.Query.Get("access_token")
	if !refreshed || same {
		return Result{
			Status:    Fail,
			Message:   "after errcode 42001 the merchant retried with the same token instead of fetching a new one (" + how + ")",
			Expected:  "GET /cgi-bin/token after the 42001, then the call with the new token",
			Actual:    callsLine(calls),
			Exchanges: exchangesOf(calls),
		}
	}
	return Result{Status: Pass}
}

// callsLine sums up calls: "/cgi-bin/token 0, /payfeedback/update 42001".
func callsLine(calls []mockwechat.Call) string {
	if len(calls) == 0 {
		return "no API call"
	}
	parts := make([]string, 0, len(calls))
	for _, c := range calls {
		parts = append(parts, fmt.Sprintf("%s → errcode %d", c.Endpoint, int(c.ErrCode)))
	}
	return strings.Join(parts, ", ")
}

// updateCall is what the update case compares.
type updateCall struct {
	OpenID, FeedBackID string
	ErrCode            int
}

// String is the line a report's diff shows for the call.
func (u updateCall) String() string {
	return fmt.Sprintf("payfeedback/update openid=%s feedbackid=%s → errcode %d", u.OpenID, u.FeedBackID, u.ErrCode)
}

// updateLines renders calls one a line, for lineDiff.
func updateLines(calls ...updateCall) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func apiUpdate(ctx context.Context, e *env) Result {
	obs := e.api.observe(ctx)
	judged := 0
	for _, ph := range obs.phases {
		if ph.expired || ph.cell != nil {
			continue // judged by api/token/expired and api/deadline/…
		}
		judged++
		c := ph.complaint
		if c.FeedBackID == "" {
			return Result{Status: Fail, Message: ph.problem}
		}
		want := updateCall{OpenID: c.OpenID, FeedBackID: c.FeedBackID}
		expected := fmt.Sprintf("GET /payfeedback/update?openid=%s&feedbackid=%s answered errcode 0 by %s (the %s's deadline, on the fake's clock)",
			c.OpenID, c.FeedBackID, rfc3339(c.Deadline), ph.name)
		if ph.update == nil {
			status := Fail
			if ph.unreached {
				status = Inconclusive
			}
			ups := callsOf(obs.calls, payfeedback.PathUpdateFeedback, ph.from, ph.to)
			got := make([]updateCall, 0, len(ups))
			for _, u := range ups {
				got = append(got, updateCall{OpenID: u.Query.Get("openid"), FeedBackID: u.Query.Get("feedbackid"), ErrCode: int(u.ErrCode)})
			}
			actual := "no payfeedback/update call"
			if len(got) > 0 {
				actual = fmt.Sprintf("%d payfeedback/update calls, none successful for this complaint", len(got))
			}
			return Result{
				Status:    status,
				Symptom:   ph.symptom,
				Message:   fmt.Sprintf("the %s was not marked handled: %s", ph.name, ph.problem),
				Expected:  expected,
				Actual:    actual,
				Diff:      lineDiff(updateLines(want), updateLines(got...)),
				Exchanges: append(e.api.pushExchanges(c.FeedBackID), exchangesOf(ups)...),
			}
		}
		u := *ph.update
		got := updateCall{OpenID: u.Query.Get("openid"), FeedBackID: u.Query.Get("feedbackid"), ErrCode: int(u.ErrCode)}
		if got != want || u.Time.After(c.Deadline) || c.Overdue {
			return Result{
				Status:    Fail,
				Message:   fmt.Sprintf("the %s was marked handled at %s, after its deadline %s", ph.name, u.Time.UTC().Format(time.RFC3339), c.Deadline.UTC().Format(time.RFC3339)),
				Expected:  expected,
				Actual:    fmt.Sprintf("called at %s", u.Time.UTC().Format(time.RFC3339)),
				Diff:      lineDiff(updateLines(want), updateLines(got)),
				Exchanges: []Exchange{callExchange(u)},
			}
		}
	}
	if judged == 0 {
		return Result{Status: Fail, Message: "no complaint could be filed: " + obs.stopped}
	}
	if !obs.virtual {
		return Result{Status: Pass, Message: "on the real clock: " + realClockNote(e.s)}
	}
	return Result{Status: Pass}
}

// realClockNote says what a run on the real clock could judge of a
// deadline.
func realClockNote(s *settings) string {
	return fmt.Sprintf("updated within %s of the complaint, so within its deadline; a run on the real clock judges no more than that "+
		"(--virtual-clock, Options.VirtualClock, judges the days)", s.APITimeout)
}

// messageCase judges the customer messages against errcodes that mark the
// fault named what.
func messageCase(codes []payfeedback.ErrorCode, what string) func(context.Context, *env) Result {
	return func(ctx context.Context, e *env) Result {
		obs := e.api.observe(ctx)
		sends := callsOf(obs.calls, payfeedback.PathSendMessage, 0, 0)
		if len(sends) == 0 {
			return unjudged(obs, "the merchant sent no customer-service message during the scenario")
		}
		var bad []mockwechat.Call
		var lines []string
		for _, c := range sends {
			for _, code := range codes {
				if c.ErrCode == code {
					bad = append(bad, c)
					lines = append(lines, fmt.Sprintf("errcode %d (%s) for %s", int(code), code.Message(), firstLine(string(c.Body))))
				}
			}
		}
		if len(bad) == 0 {
			return Result{Status: Pass}
		}
		var want []string
		for _, c := range codes {
			want = append(want, fmt.Sprint(int(c)))
		}
		return Result{
			Status:    Fail,
			Message:   fmt.Sprintf("%d of %d customer-service messages were %s", len(bad), len(sends), what),
			Expected:  "no message answered errcode " + strings.Join(want, ", "),
			Actual:    strings.Join(lines, "\n"),
			Exchanges: exchangesOf(bad),
		}
	}
}

// cellCase judges the update of the cell's complaint against the cell's
// deadline, on the fake's clock.
func cellCase(cell deadlineCell) Case {
	return Case{
		ID:  "api/deadline/" + cell.id,
		API: true,
		Requirement: fmt.Sprintf("A complaint about %s is marked handled (payfeedback/update) within %s of the complaint, on the fake's clock.",
			cell.describe(), plural(cell.days, "day", "days")),
		Fix: fix(fmt.Sprintf("mark such a complaint handled within %s: the deadline depends on the goods and on whether they shipped in time",
			plural(cell.days, "day", "days")), docDeadlines, "go doc github.com/payfeedback/payfeedback.ResolveBy"),
		run: func(ctx context.Context, e *env) Result {
			obs := e.api.observe(ctx)
			var ph *phase
			for i := range obs.phases {
				if obs.phases[i].cell != nil && obs.phases[i].cell.id == cell.id {
					ph = &obs.phases[i]
				}
			}
			if ph == nil {
				return unjudged(obs, "the scenario did not file this cell's complaint")
			}
			c := ph.complaint
			if c.FeedBackID == "" {
				return Result{Status: Fail, Message: ph.problem}
			}
			deadline := c.FiledAt.Add(time.Duration(cell.days) * 24 * time.Hour)
			expected := fmt.Sprintf("GET /payfeedback/update?openid=%s&feedbackid=%s answered errcode 0 by %s (%s after the complaint, filed %s)",
				c.OpenID, c.FeedBackID, rfc3339(deadline), plural(cell.days, "day", "days"), rfc3339(c.FiledAt))
			if !c.Deadline.Equal(deadline) {
				return Result{Status: Fail, Expected: expected, Actual: "the fake's deadline " + rfc3339(c.Deadline),
					Message: "the fake WeChat gave this complaint another deadline than the table's: report this to payfeedback"}
			}
			if ph.update == nil {
				status := Fail
				if ph.unreached {
					status = Inconclusive
				}
				return Result{Status: status, Symptom: ph.symptom, Expected: expected, Actual: "no successful payfeedback/update",
					Message:   "not marked handled: " + ph.problem,
					Exchanges: append(e.api.pushExchanges(c.FeedBackID), exchangesOf(callsOf(obs.calls, payfeedback.PathUpdateFeedback, ph.from, ph.to))...)}
			}
			if at := ph.update.Time; at.After(deadline) {
				return Result{Status: Fail, Expected: expected, Actual: "called at " + rfc3339(at),
					Message:   fmt.Sprintf("marked handled %s after the complaint, %s past its deadline", at.Sub(c.FiledAt), at.Sub(deadline)),
					Exchanges: []Exchange{callExchange(*ph.update)}}
			}
			if !obs.virtual {
				return Result{Status: Pass, Message: "on the real clock: " + realClockNote(e.s)}
			}
			return Result{Status: Pass}
		},
	}
}

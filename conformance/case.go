package conformance

import (
	"context"
	"fmt"
	"strings"
)

// Case is one check of the suite. Cases are constant descriptions: running
// one returns a Result and changes nothing in the Case.
type Case struct {
	// ID is stable across versions: expected-failure files and CI
	// dashboards refer to it.
	ID string
	// Requirement is the sentence the case checks.
	Requirement string
	// API reports that the case needs the merchant wired to the embedded
	// fake WeChat (Options.API).
	API bool
	// Fix says what to change when the case fails, and where the rule is
	// documented.
	Fix string

	// refusal: the case passes on a refusal, which proves something only
	// when a valid notification is accepted at the same endpoint, with
	// the same key, in the same run (the control; see the package
	// documentation).
	refusal bool
	run     func(ctx context.Context, e *env) Result
}

// Section is the first element of the id: notify, security, delivery,
// api or chaos.
func (c Case) Section() string {
	section, _, _ := strings.Cut(c.ID, "/")
	return section
}

// Sections lists the sections in the order the suite runs them.
func Sections() []string { return []string{"notify", "security", "delivery", "api", "chaos"} }

// Cases returns every case, in the order a run executes them.
func Cases() []Case {
	var all []Case
	all = append(all, notifyCases()...)
	all = append(all, optionalCases()...)
	all = append(all, securityCases()...)
	all = append(all, requiredCases()...)
	all = append(all, deliveryCases()...)
	all = append(all, apiCases()...)
	all = append(all, chaosCases()...)
	return all
}

// The verdict helpers below judge exchanges; each returns a Result holding
// only the outcome fields (the runner adds the case's id and timing).

const (
	expectAccepted = "a 2xx status with the body \"success\""
	expectRefused  = "a status other than 2xx (the notification refused)"
)

// accepted judges the answer to a valid notification.
func accepted(ex Exchange) Result {
	r := Result{Expected: expectAccepted, Actual: answerLine(ex), Exchanges: []Exchange{ex}}
	r.Symptom = refusalSymptom(ex)
	switch {
	case ex.Response == nil:
		r.Status, r.Message = Fail, "no answer to a valid notification: "+ex.Error
	case ex.Response.Status >= 500:
		r.Status, r.Message = Fail, "a valid notification was refused with a server error"+
			" (if handling it calls the WeChat API, run the API cases too: the suite then files its complaints in the fake the merchant calls)"
	case !is2xx(ex.Response.Status):
		r.Status, r.Message = Fail, "a valid notification was refused"
	case strings.TrimSpace(ex.Response.Body) != "success":
		r.Status = Warn
		r.Message = fmt.Sprintf("accepted, but answered %s instead of \"success\" (what WeChat's notifications expect)", quoteBody(ex.Response.Body))
	default:
		r.Status = Pass
		r.Expected, r.Actual = "", ""
	}
	if !r.Failed() {
		r.Symptom = ""
	}
	return r
}

// refused judges the answer to a notification that must be refused; what
// names the fault, as in "a notification signed with another key".
func refused(ex Exchange, what string) Result {
	r := Result{Expected: expectRefused, Actual: answerLine(ex), Exchanges: []Exchange{ex}}
	switch {
	case ex.Response == nil:
		r.Status, r.Message = Fail, "no answer: "+ex.Error+" (a refusal must still be an answer)"
		r.Symptom = refusalSymptom(ex)
	case is2xx(ex.Response.Status):
		r.Status, r.Message = Fail, "accepted "+what
	default:
		r.Status = Pass
		r.Expected, r.Actual = "", ""
	}
	return r
}

// precondition judges the answer to a valid notification a case builds
// on (ex); what names it. When it was not accepted, the case is
// Inconclusive: its verdict rests on that acceptance, which failed.
// Callers go on only when ok.
func precondition(ex Exchange, what string) (r Result, ok bool) {
	r = accepted(ex)
	if r.Status == Pass || r.Status == Warn {
		return r, true
	}
	r.Status = Inconclusive
	r.Message = what + " was not accepted (" + answerLine(ex) + "), so the case could not go on"
	return r, false
}

func is2xx(code int) bool { return code >= 200 && code < 300 }

// answerLine sums up an answer in one line: "HTTP 403: bad signature".
func answerLine(ex Exchange) string {
	if ex.Response == nil {
		if ex.Error == "" {
			return "no answer"
		}
		return "no answer: " + ex.Error
	}
	line := fmt.Sprintf("HTTP %d", ex.Response.Status)
	if body := firstLine(ex.Response.Body); body != "" {
		line += ": " + body
	}
	return line
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func quoteBody(s string) string {
	if strings.TrimSpace(s) == "" {
		return "an empty body"
	}
	return fmt.Sprintf("%q", firstLine(s))
}

// with puts the exchanges of earlier steps before r's own.
func (r Result) with(ex ...Exchange) Result {
	r.Exchanges = append(append([]Exchange(nil), ex...), r.Exchanges...)
	return r
}

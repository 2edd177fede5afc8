package conformance

import (
	"fmt"
	"strings"
	"time"
)

// The verdict helpers judge exchanges; each returns a Result holding only
// the outcome fields (the runner adds the case's id and timing).

const (
	expectAccepted = "a 2xx status with the body \"success\""
	expectRefused  = "a status other than 2xx (the notification refused)"
)

// mustAccept judges the answer to a valid notification.
func mustAccept(ex Exchange) Result {
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

// mustRefuse judges the answer to a notification that must be refused; what
// names the fault, as in "a notification signed with another key".
func mustRefuse(ex Exchange, what string) Result {
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
	r = mustAccept(ex)
	if r.Status == Pass || r.Status == Warn {
		return r, true
	}
	r.Status = Inconclusive
	r.Message = what + " was not accepted (" + answerLine(ex) + "), so the case could not go on"
	return r, false
}

// with puts the exchanges of earlier steps before r's own.
func (r Result) with(ex ...Exchange) Result {
	r.Exchanges = append(append([]Exchange(nil), ex...), r.Exchanges...)
	return r
}

// judgeTimeLimit judges the answer to a genuine message sent with the time
// limit limit: passed when answered 2xx in time, failed when not answered
// or late, inconclusive when refused (refused says so, of which message;
// genuine names the kind the time of which was not measured; symptom is
// the refusal's).
func judgeTimeLimit(ex Exchange, limit time.Duration, refused, genuine, symptom string) Result {
	r := Result{Expected: "an answer within " + limit.String(), Exchanges: []Exchange{ex}}
	switch {
	case ex.Response == nil:
		r.Status, r.Actual = Fail, answerLine(ex)
		r.Message = "not answered within the time limit"
	case ex.Duration > limit:
		r.Status, r.Actual = Fail, fmt.Sprintf("answered after %s", ex.Duration.Round(time.Millisecond))
		r.Message = "answered too late"
	case !is2xx(ex.Response.Status):
		r.Status, r.Expected = Inconclusive, ""
		r.Message = refused + " (" + answerLine(ex) + "), so the time to handle " + genuine + " was not measured"
		r.Symptom = symptom
	default:
		r.Status, r.Expected = Pass, ""
	}
	return r
}

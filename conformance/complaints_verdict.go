package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// The verdicts of the Complaints 2.0 plan: what WeChat documents a
// merchant answers a callback ("接收成功：HTTP应答状态码需返回200或204，无需返回
// 应答报文"; a refusal: 4xx or 5xx with {"code":"FAIL","message":…}).

const (
	expectAcknowledged = "HTTP 200 or 204 (no body needed)"
	expectRefusedFAIL  = `a 4xx or 5xx status with the body {"code":"FAIL","message":…}`
)

// paySymptom names what an exchange shows when a genuine callback was not
// accepted, or when nothing answered; "" when the run was interrupted.
func paySymptom(ex Exchange) string {
	if ex.Response != nil {
		return "genuine callbacks were answered " + answerLine(ex)
	}
	return refusalSymptom(ex)
}

// payAccepted judges the answer to a genuine callback.
func payAccepted(ex Exchange) Result {
	r := Result{Expected: expectAcknowledged, Actual: answerLine(ex), Exchanges: []Exchange{ex}, Symptom: paySymptom(ex)}
	switch {
	case ex.Response == nil:
		r.Status, r.Message = Fail, "no answer to a genuine callback: "+ex.Error
	case ex.Response.Status >= 500:
		r.Status, r.Message = Fail, "a genuine callback was refused with a server error"
	case !is2xx(ex.Response.Status):
		r.Status, r.Message = Fail, "a genuine callback was refused"
	case ex.Response.Status != http.StatusOK && ex.Response.Status != http.StatusNoContent:
		r.Status = Warn
		r.Message = fmt.Sprintf("accepted with HTTP %d, where WeChat documents 200 or 204", ex.Response.Status)
	default:
		r.Status = Pass
		r.Expected, r.Actual = "", ""
	}
	if !r.Failed() {
		r.Symptom = ""
	}
	return r
}

// payRefused judges the answer to a callback that must be refused; what
// names its fault, as in "a callback signed with another key".
func payRefused(ex Exchange, what string) Result {
	r := Result{Expected: expectRefusedFAIL, Actual: answerLine(ex), Exchanges: []Exchange{ex}}
	switch {
	case ex.Response == nil:
		r.Status, r.Message = Fail, "no answer: "+ex.Error+" (a refusal must still be an answer)"
		r.Symptom = refusalSymptom(ex)
	case is2xx(ex.Response.Status):
		r.Status, r.Message = Fail, "accepted "+what
	case !isFAILBody(ex.Response.Body):
		r.Status = Warn
		r.Message = fmt.Sprintf("refused (HTTP %d), but answered %s instead of WeChat's failure body {\"code\":\"FAIL\",\"message\":…}: WeChat's delivery log shows no reason",
			ex.Response.Status, quoteBody(ex.Response.Body))
	default:
		r.Status = Pass
		r.Expected, r.Actual = "", ""
	}
	return r
}

// isFAILBody reports whether body is {"code":"FAIL","message":…} with a
// message.
func isFAILBody(body string) bool {
	var b struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	return json.Unmarshal([]byte(body), &b) == nil && b.Code == "FAIL" && b.Message != ""
}

// payPrecondition judges the answer to a genuine callback a case builds
// on; what names it. When it was not accepted, the case is Inconclusive.
// Callers go on only when ok.
func payPrecondition(ex Exchange, what string) (r Result, ok bool) {
	r = payAccepted(ex)
	if r.Status == Pass || r.Status == Warn {
		return r, true
	}
	r.Status = Inconclusive
	r.Message = what + " was not accepted (" + answerLine(ex) + "), so the case could not go on"
	return r, false
}

package payapi

import (
	"fmt"
	"net/http"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
)

// Faults hands out the faults set on the Complaints 2.0 API, one use at a
// time (fault.Set).
type Faults interface {
	TakePayAPI(mchid string, op complaints.Endpoint) (fault.PayAPIPlan, bool)
}

// applyFault carries out a fault's plan on call c: it waits (real time,
// until the client goes away), then answers instead of the endpoint or
// lets it answer (false).
func applyFault(c *call, p fault.PayAPIPlan) (answer, bool) {
	fault.Wait(c.r.Context(), p.Delay)
	switch p.Answer {
	case fault.AnswerErrCode:
		return fail(&apiv3.Error{StatusCode: p.Status, Code: p.Code, Message: faultMessage(p.Code),
			Detail: &apiv3.ErrorDetail{Issue: "injected by a fault (POST /_mock/faults, endpoint pay-api)"}}), true
	case fault.AnswerHTTPStatus:
		return answer{status: p.Status, unsigned: true, contentType: "text/plain; charset=utf-8",
			body: fmt.Appendf(nil, "mockwechat: injected HTTP %d\n", p.Status)}, true
	case fault.AnswerDrop:
		return answer{drop: true}, true
	}
	return answer{}, false
}

// faultMessage is the message WeChat gives with code, where the pages
// quote one, else the fake's own.
func faultMessage(code apiv3.Code) string {
	switch code {
	case apiv3.CodeSystemError:
		return "系统错误，请使用相同参数稍后重新调用"
	case apiv3.CodeFrequencyLimited, apiv3.CodeRateLimitExceeded, apiv3.CodeRateLimited:
		return "请求过于频繁，请稍后再试"
	case apiv3.CodeServiceUnavailable:
		return "服务不可用，请稍后重试"
	}
	return "mockwechat: injected " + string(code)
}

// drop closes the connection of w without an answer, as a network that
// fails does; where it cannot, it aborts the response.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

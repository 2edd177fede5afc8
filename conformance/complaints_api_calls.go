package conformance

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// payUnjudged says why a case has nothing to judge: Inconclusive when the
// scenario stopped early, skipped when it ran through and the merchant
// chose not to do what the case judges.
func payUnjudged(obs *payObservations, why string) Result {
	if obs.stopped != "" {
		return Result{Status: Inconclusive, Message: why + ": the scenario stopped at its " + obs.stoppedAt + " (see api/complete/valid)"}
	}
	return Result{Status: Skip, Message: why}
}

// scenarioCalls are the calls of the scenario's phases about their
// complaints, endpoint e ("": any), in order.
func scenarioCalls(obs *payObservations, e complaints.Endpoint) []mockwechat.Call {
	ids := map[string]bool{}
	for _, ph := range obs.phases {
		ids[ph.id] = true
	}
	var out []mockwechat.Call
	for _, c := range obs.calls {
		if id, ce := complaintCall(c.Endpoint); c.Seq >= obs.from && ids[id] && ce != "" && (e == "" || ce == e) {
			out = append(out, c)
		}
	}
	return out
}

// callsAbout filters calls about complaint id.
func callsAbout(calls []mockwechat.Call, id string) []mockwechat.Call {
	var out []mockwechat.Call
	for _, c := range calls {
		if cid, _ := complaintCall(c.Endpoint); cid == id {
			out = append(out, c)
		}
	}
	return out
}

// refused reports a call the fake refused for the merchant's own mistake
// (4xx but 429, which api/limits/per-minute judges).
func refused(c mockwechat.Call) bool {
	return c.Status >= 400 && c.Status < 500 && c.Status != http.StatusTooManyRequests
}

// payCallExchange renders a merchant's /v3/ call as the fake logged it.
func payCallExchange(c mockwechat.Call) Exchange {
	ex := Exchange{
		Note:    "the merchant called the fake WeChat at " + rfc3339(c.Time) + " (real time)",
		Request: WireRequest{Method: c.Method, Target: c.Endpoint, Body: excerpt(c.Body), BodySize: int64(len(c.Body))},
	}
	if c.Status != 0 {
		ex.Response = &WireResponse{Status: c.Status, Header: map[string]string{"Content-Type": "application/json"}, Body: string(c.Answer), BodySize: int64(len(c.Answer))}
	} else {
		ex.Error = "the fake dropped the connection"
	}
	return ex
}

func payCallExchanges(calls []mockwechat.Call) []Exchange {
	out := make([]Exchange, 0, len(calls))
	for _, c := range calls {
		out = append(out, payCallExchange(c))
	}
	return out
}

// injectedExchange renders a call the front answered itself.
func injectedExchange(c injectedCall) Exchange {
	return Exchange{
		Note:     "the merchant called the fake WeChat at " + rfc3339(c.Time) + " (real time); the suite answered a transient error on purpose",
		Request:  WireRequest{Method: http.MethodPost, Target: c.Target, Body: excerpt(c.Body), BodySize: int64(len(c.Body))},
		Response: &WireResponse{Status: http.StatusInternalServerError, Header: map[string]string{"Content-Type": "application/json"}, Body: transientAnswer, BodySize: int64(len(transientAnswer))},
	}
}

// payCallsLine sums calls up: "POST …/response → 204, …".
func payCallsLine(calls []mockwechat.Call) string {
	if len(calls) == 0 {
		return "no call"
	}
	parts := make([]string, 0, len(calls))
	for _, c := range calls {
		line := fmt.Sprintf("%s %s → %d", c.Method, c.Endpoint, c.Status)
		if c.Code != "" {
			line += " " + c.Code
		}
		parts = append(parts, line)
	}
	return strings.Join(parts, "\n")
}

func containsEndpoint(es []complaints.Endpoint, e complaints.Endpoint) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

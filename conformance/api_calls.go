package conformance

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// delivery returns the delivery of a complaint's request notification.
func (a *apiRun) delivery(feedbackID string) (mockwechat.Delivery, bool) {
	for _, d := range a.fake.Deliveries() {
		if d.FeedBackID == feedbackID && d.MsgType == payfeedback.MsgRequest {
			return d, true
		}
	}
	return mockwechat.Delivery{}, false
}

func attemptsLine(d mockwechat.Delivery) string {
	if len(d.Attempts) == 0 {
		return "no attempt yet"
	}
	var parts []string
	for _, at := range d.Attempts {
		switch {
		case at.Err != "":
			parts = append(parts, "error: "+at.Err)
		default:
			parts = append(parts, fmt.Sprintf("HTTP %d %s", at.Status, firstLine(at.Response)))
		}
	}
	return "attempts: " + strings.Join(parts, "; ")
}

// pushExchanges renders the fake's push attempts of a complaint.
func (a *apiRun) pushExchanges(feedbackID string) []Exchange {
	d, ok := a.delivery(feedbackID)
	if !ok {
		return nil
	}
	var out []Exchange
	for _, at := range d.Attempts {
		ex := Exchange{
			Note:     "the fake WeChat pushed the complaint to the merchant",
			Request:  WireRequest{Method: http.MethodPost, Target: d.URL, Header: map[string]string{"Content-Type": contentType}, Body: excerpt([]byte(at.Body)), BodySize: int64(len(at.Body))},
			Error:    at.Err,
			Duration: at.Latency,
		}
		if at.Status != 0 {
			ex.Response = &WireResponse{Status: at.Status, Body: at.Response, BodySize: int64(len(at.Response))}
		}
		out = append(out, ex)
	}
	return out
}

// callExchange renders a merchant's API call as the fake recorded it.
// access_token values are shortened; the fake already masks secrets.
func callExchange(c mockwechat.Call) Exchange {
	keys := make([]string, 0, len(c.Query))
	for k := range c.Query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var q []string
	for _, k := range keys {
		for _, v := range c.Query[k] {
			if k == "access_token" {
				v = shortToken(v)
			}
			q = append(q, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	target := c.Endpoint
	if len(q) > 0 {
		// Unescaped "…" marks a shortened token: this is for reading.
		target += "?" + strings.ReplaceAll(strings.Join(q, "&"), "%E2%80%A6", "…")
	}
	ex := Exchange{
		Note:    "the merchant called the fake WeChat at " + c.Time.UTC().Format(time.RFC3339) + " (fake's clock)",
		Request: WireRequest{Method: c.Method, Target: target, Body: excerpt(c.Body), BodySize: int64(len(c.Body))},
	}
	if c.Fault != "" {
		ex.Note += "; injected fault: " + c.Fault
	}
	if c.Status != 0 {
		body := fmt.Sprintf(`{"errcode":%d,"errmsg":%q}`, int(c.ErrCode), c.ErrCode.Message())
		ex.Response = &WireResponse{Status: c.Status, Header: map[string]string{"Content-Type": "application/json"}, Body: body, BodySize: int64(len(body))}
	} else {
		ex.Error = "the fake dropped the connection"
	}
	return ex
}

// shortToken keeps enough of a token to tell tokens apart in a report.
func shortToken(v string) string {
	if len(v) <= 8 {
		return v
	}
	return v[:8] + "…"
}

// callsOf filters the calls of one endpoint within [from, to) (to 0: no
// end).
func callsOf(calls []mockwechat.Call, endpoint string, from, to uint64) []mockwechat.Call {
	var out []mockwechat.Call
	for _, c := range calls {
		if (endpoint == "" || c.Endpoint == endpoint) && c.Seq >= from && (to == 0 || c.Seq < to) {
			out = append(out, c)
		}
	}
	return out
}

// findCall returns the first logged call that matches.
func (a *apiRun) findCall(match func(mockwechat.Call) bool) (mockwechat.Call, bool) {
	calls, _ := a.fake.CallsSince(0)
	for _, k := range calls {
		if match(k) {
			return k, true
		}
	}
	return mockwechat.Call{}, false
}

// lastSeq returns the sequence number the next call will have.
func (a *apiRun) lastSeq() uint64 {
	_, next := a.fake.CallsSince(math.MaxUint64)
	return next
}

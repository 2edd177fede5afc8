package calllog

import (
	"encoding/json"
	"net/url"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Call is one recorded API call.
type Call struct {
	// Seq numbers calls from 1 in arrival order.
	Seq uint64 `json:"seq"`
	// Time is when the call arrived, on the fake's clock.
	Time time.Time `json:"time"`
	// Endpoint is the path called, e.g. "/cgi-bin/token".
	Endpoint string `json:"endpoint"`
	// Method is the HTTP method.
	Method string `json:"method"`
	// AppID is the account: the appid parameter of a token call, the
	// token's account otherwise; "" when unknown.
	AppID string `json:"appid,omitempty"`
	// Query holds the query parameters, secrets masked: a parameter named
	// like a secret or a key reads "***", one named like a token reads
	// "***" and its last six characters (enough to tell two tokens apart,
	// not enough to use one).
	Query url.Values `json:"query,omitempty"`
	// Body is the start of the request body (JSON endpoints only).
	Body []byte `json:"body,omitempty"`
	// ErrCode is the errcode answered (45008 for a silently dropped news,
	// -1 for an injected HTTP error or a dropped connection).
	ErrCode payfeedback.ErrorCode `json:"errcode"`
	// Answer is the start of the body answered.
	Answer []byte `json:"answer,omitempty"`
	// Status is the HTTP status answered (0 for a dropped connection, or a
	// news overflow left unanswered).
	Status int `json:"status"`
	// Fault describes the injected fault that answered the call, if any.
	Fault string `json:"fault,omitempty"`
	// Latency is the real time the fake took to answer.
	Latency time.Duration `json:"latency_ns"`
	// Truncated names the fields kept only in part ("query", "body",
	// "answer"): each is kept up to the log's excerpt size.
	Truncated []string `json:"truncated,omitempty"`
	// MchID is the merchant of a Complaints 2.0 call (under /v3/): the one
	// its Authorization names; "" when unreadable, and on V1.5 calls.
	MchID string `json:"mchid,omitempty"`
	// Code is a Complaints 2.0 call's error code (SIGN_ERROR,
	// PARAM_ERROR…); "" on success and on V1.5 calls (see ErrCode).
	Code string `json:"code,omitempty"`
	// Warnings are what the fake took from a Complaints 2.0 call that
	// WeChat may not (a plain http callback URL…).
	Warnings []string `json:"warnings,omitempty"`
}

// Clone returns a deep copy of c: nothing it holds is shared with c.
func (c Call) Clone() Call {
	if c.Query != nil {
		q := make(url.Values, len(c.Query))
		for k, vs := range c.Query {
			q[k] = slices.Clone(vs)
		}
		c.Query = q
	}
	c.Body = slices.Clone(c.Body)
	c.Answer = slices.Clone(c.Answer)
	c.Truncated = slices.Clone(c.Truncated)
	c.Warnings = slices.Clone(c.Warnings)
	return c
}

// callJSON is a Call's JSON form: the body and the answer as text, every
// other field as tagged on Call.
type callJSON struct {
	plain
	Body   string `json:"body,omitempty"`
	Answer string `json:"answer,omitempty"`
}

type plain Call // Call without its methods

// MarshalJSON writes the body and the answer as text.
func (c Call) MarshalJSON() ([]byte, error) {
	return json.Marshal(callJSON{plain: plain(c), Body: string(c.Body), Answer: string(c.Answer)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Call) UnmarshalJSON(b []byte) error {
	var j callJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Call(j.plain)
	c.Body, c.Answer = nil, nil
	if j.Body != "" {
		c.Body = []byte(j.Body)
	}
	if j.Answer != "" {
		c.Answer = []byte(j.Answer)
	}
	return nil
}

// To returns a match for Wait helpers: a call of endpoint (a path such as
// payfeedback.PathUpdateFeedback) whose query parameters include every
// key=value of params.
func To(endpoint string, params ...string) func(Call) bool {
	return func(c Call) bool {
		if c.Endpoint != endpoint {
			return false
		}
		for i := 0; i+1 < len(params); i += 2 {
			if c.Query.Get(params[i]) != params[i+1] {
				return false
			}
		}
		return true
	}
}

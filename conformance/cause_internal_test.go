package conformance

import (
	"net/http"
	"testing"
)

// TestTransportCauseBothPlans: the causes both plans share (no answer,
// the wrong path, not POST, a redirect) are guessed the same way for each,
// in each plan's words, before anything about the message is.
func TestTransportCauseBothPlans(t *testing.T) {
	answered := func(status int, body string) *Exchange {
		return &Exchange{Response: &WireResponse{Status: status, Body: body}}
	}
	tests := []struct {
		name      string
		ex        *Exchange
		inProcess bool
		v15, pay  string
	}{
		{"no exchange", nil, false, "", ""},
		{"refused", &Exchange{Fault: FaultRefused}, false,
			"did the merchant stop, or is --url's port its port?",
			"did the merchant stop, or is --url's port its port?"},
		{"timeout", &Exchange{Fault: FaultTimeout}, false,
			"is the merchant stuck, or waiting on a call it cannot make (the WeChat API, a database)?",
			"is the merchant stuck, or waiting on a call it cannot make (WeChat's API, a database)?"},
		{"closed", &Exchange{Fault: FaultClosed}, false,
			"does the merchant crash or panic on a notification? Look at its log.",
			"does the merchant crash or panic on a callback? Look at its log."},
		{"another fault", &Exchange{Fault: "unheard-of"}, false, "", ""},
		{"404 over HTTP", answered(http.StatusNotFound, "signature time appid"), false,
			"is the path right? --url must be the merchant's payfeedback_url, path included",
			"is the path right? --url must be the callback URL the merchant registers with WeChat, path included"},
		{"404 in-process", answered(http.StatusNotFound, ""), true,
			"is the path right? (in-process, Options.Path defaults to " + DefaultPath + ")",
			"is the path right? (in-process, Options.Path defaults to " + DefaultPath + ")"},
		{"405", answered(http.StatusMethodNotAllowed, "signature"), false,
			"does this path take POST? (is the path right?)", "does this path take POST? (is the path right?)"},
		{"302", answered(http.StatusFound, "time"), false,
			"the endpoint redirects: give the URL it redirects to (WeChat does not follow redirects)",
			"the endpoint redirects: give the URL it redirects to (WeChat does not follow redirects)"},
		// Past the shared part, each plan reads the answer its own way.
		{"401 naming the signature", answered(http.StatusUnauthorized, "bad signature"), false,
			"is --paysignkey (Options.PaySignKey) the merchant's key?",
			"are --keys the merchant's keys? It must trust the WeChat Pay public key (pub_key.pem) and platform certificate of that directory"},
		{"413", answered(http.StatusRequestEntityTooLarge, ""), false,
			"is the merchant's body limit smaller than a notification (a few KiB)?",
			"is the merchant's body limit smaller than a callback (about 1 KiB)?"},
		{"200", answered(http.StatusOK, "ok"), false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := causeOf(PlanV15, tc.ex, tc.inProcess); got != tc.v15 {
				t.Errorf("V1.5: %q, want %q", got, tc.v15)
			}
			if got := causeOf(PlanComplaints, tc.ex, tc.inProcess); got != tc.pay {
				t.Errorf("Complaints 2.0: %q, want %q", got, tc.pay)
			}
		})
	}
}

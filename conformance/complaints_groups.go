package conformance

import (
	"net/http"
	"strings"
)

// payLikelyCause guesses, from one exchange of a group of the Complaints
// 2.0 plan, what to check first.
func payLikelyCause(ex *Exchange, inProcess bool) string {
	if cause, ok := transportCause(ex, inProcess, wordsOf(PlanComplaints)); ok {
		return cause
	}
	body := strings.ToLower(ex.Response.Body)
	switch status := ex.Response.Status; {
	case strings.Contains(body, "serial"):
		return "does the merchant trust the key WeChat signs with? During the switch (--pay-mode switch, the default) callbacks come signed by the platform certificate and by the public key: configure both, or give --pay-mode public-key for a merchant that has only the public key"
	case strings.Contains(body, "time"):
		return "are the clocks right? The suite stamps its callbacks with its own clock, and the merchant refuses five minutes off"
	case status == http.StatusUnauthorized, status == http.StatusForbidden, strings.Contains(body, "signature"):
		return "are --keys the merchant's keys? It must trust the WeChat Pay public key (pub_key.pem) and platform certificate of that directory"
	case strings.Contains(body, "decrypt"), strings.Contains(body, "apiv3"):
		return "is the merchant's APIv3 key the one in --keys (merchant.json's apiv3_key)?"
	case status == http.StatusRequestEntityTooLarge:
		return "is the merchant's body limit smaller than a callback (about 1 KiB)?"
	case status >= 500:
		return "does the merchant fail while handling a callback? If it fetches the complaint's detail then, the API it calls must know the suite's complaints (the --api part of this plan files them)"
	case status == http.StatusBadRequest:
		return "does the merchant parse a callback more strictly than WeChat writes it (members it does not know, create_time without milliseconds, no summary)?"
	}
	return ""
}

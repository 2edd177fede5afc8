package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payapi"
)

// signFailureView is a request refused for its Authorization: WeChat's
// reconstruction of the string to sign beside what the request carried.
type signFailureView struct {
	payapi.Call
	Reason string
	// Expected is the string to sign the fake rebuilt from the request,
	// with each line's end shown (⏎), "" when the header was unreadable.
	Expected string
	// Lines are its parts, named.
	Lines []signLine
	// Authorization is the header as received; Auth its fields, nil when
	// it does not parse (AuthErr says why).
	Authorization string
	Auth          *apiv3.Authorization
	AuthErr       string
	// Signed is the Authorization's timestamp as a time; Skew how far it
	// is from the fake's clock when the request came.
	Signed time.Time
	Skew   time.Duration
}

// signLine is a line of the string to sign.
type signLine struct{ Name, Value string }

type signaturesData struct {
	Tab      payTab
	Failures []signFailureView
}

// showLineEnds marks each line's end, so that a missing or extra newline
// (the body's own included) shows.
func showLineEnds(s string) string {
	return strings.ReplaceAll(s, "\n", "⏎\n")
}

// signLines names the parts of a string to sign: method, target,
// timestamp, nonce, then the body (which may hold newlines itself).
func signLines(expected string) []signLine {
	parts := strings.SplitN(expected, "\n", 5)
	names := []string{"HTTP method", "URL (request-target, query included)", "timestamp (the Authorization's)", "nonce_str (the Authorization's)", "body (exact bytes; empty for GET)"}
	var out []signLine
	for i, p := range parts {
		if i == 4 {
			p = strings.TrimSuffix(p, "\n")
		}
		out = append(out, signLine{Name: names[i], Value: p})
	}
	return out
}

func (h *Handler) paySignatures(w http.ResponseWriter, r *http.Request) {
	if h.payOff(w, r) {
		return
	}
	d := signaturesData{Tab: h.payTab("signatures")}
	calls := h.pay.PaySignFailures(maxSignFailures)
	slices.Reverse(calls) // newest first
	for _, c := range calls {
		v := signFailureView{Call: c}
		if f := c.SignFailure; f != nil {
			v.Reason, v.Authorization = f.Reason, f.Authorization
			if f.Expected != "" {
				v.Expected, v.Lines = showLineEnds(f.Expected), signLines(f.Expected)
			}
		}
		if v.Authorization != "" {
			a, err := apiv3.ParseAuthorization(v.Authorization)
			if err != nil {
				v.AuthErr = err.Error()
			} else {
				v.Auth = &a
				v.Signed = time.Unix(a.Timestamp, 0)
				v.Skew = c.Time.Sub(v.Signed)
			}
		}
		d.Failures = append(d.Failures, v)
	}
	title := "Signature failures"
	if n := len(d.Failures); n > 0 {
		title += " (" + strconv.Itoa(n) + ")"
	}
	h.render(w, r, http.StatusOK, "pay_signatures", &page{Title: title, Nav: "pay", Events: payEvents, Data: d})
}

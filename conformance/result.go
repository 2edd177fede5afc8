package conformance

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
)

// Status is the outcome of one case.
type Status string

// The outcomes of a case.
const (
	// Pass: the merchant did what the requirement asks.
	Pass Status = "pass"
	// Warn: the merchant did what the requirement asks, in a way the
	// protocol's practice discourages (for example it answered a body other
	// than "success"). A warning fails the run only with Options.Strict.
	Warn Status = "warn"
	// Fail: the merchant did not do what the requirement asks.
	Fail Status = "fail"
	// Skip: the case did not run or had nothing to judge; Message says why.
	Skip Status = "skip"
	// ExpectedFail: the case failed (or was inconclusive), and it is
	// listed in Options.ExpectFail, so the run is not failed for it.
	ExpectedFail Status = "expected-fail"
	// Inconclusive: the case's verdict rests on something that failed in
	// the same run, so it proves nothing either way: a refusal case when
	// no valid notification was accepted (the control), a replay whose
	// original was refused, an API case whose scenario stopped. It fails
	// the run: a gate must not go green on what it could not check.
	Inconclusive Status = "inconclusive"
	// Interrupted: the run was cancelled (Ctrl-C) while the case ran.
	Interrupted Status = "interrupted"
)

// Result is the outcome of one case. Results are plain values: a case never
// keeps state between runs.
type Result struct {
	// ID is the case's stable id, e.g. "security/signature/wrong".
	ID string `json:"id"`
	// Section is the first element of the id: notify, security, delivery
	// or api.
	Section string `json:"section"`
	// Requirement is the sentence the case checks.
	Requirement string `json:"requirement"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Message says in one line why the case did not pass, or why it was
	// skipped; for a pass it is empty, or says what was covered (the
	// chaos campaign's seed).
	Message string `json:"message,omitempty"`
	// Expected and Actual describe what was required and what happened.
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	// Diff is a line diff of Expected against Actual where one helps
	// ("- " expected, "+ " actual, "  " both).
	Diff string `json:"diff,omitempty"`
	// Fix, on a failure, says what to change and where the rule is
	// documented (the case's Fix).
	Fix string `json:"fix,omitempty"`
	// Symptom, on a failed or inconclusive case, names what it saw that
	// other cases may share: the answer to a valid notification that was
	// refused, or the lack of any answer. Report.Groups groups the cases
	// by it, so that one cause is reported once.
	Symptom string `json:"symptom,omitempty"`
	// Cause, on the control when it failed, is the likely cause of its
	// symptom, as Report.Groups words it ("is the path right?"), so that
	// a display that prints results as they come can give the cause first.
	Cause string `json:"cause,omitempty"`
	// Listed reports that the case is listed in Options.ExpectFail. A listed
	// case that passes keeps Status Pass and Listed true: remove it from
	// the file.
	Listed bool `json:"listed,omitempty"`
	// Exchanges are the HTTP exchanges the case made or observed, in order.
	Exchanges []Exchange `json:"exchanges,omitempty"`
	// Duration is how long the case took.
	Duration time.Duration `json:"duration_ns"`
}

// Failed reports whether r fails the run: a failure, an inconclusive
// case or an interrupted one.
func (r Result) Failed() bool {
	return r.Status == Fail || r.Status == Inconclusive || r.Status == Interrupted
}

// Exchange is one HTTP exchange on the wire: what the suite (or the
// embedded fake WeChat, or the merchant, for API calls) sent and what came
// back. Bodies are excerpts of at most MaxExcerpt bytes; sizes are exact.
type Exchange struct {
	// Note says what was special about this exchange, if anything (for
	// example "connection ended by the sender after 300 of 612 body bytes").
	Note string `json:"note,omitempty"`
	// Request is what was sent.
	Request WireRequest `json:"request"`
	// Response is what came back; nil when nothing did (see Error).
	Response *WireResponse `json:"response,omitempty"`
	// Error is the transport error when no response came back.
	Error string `json:"error,omitempty"`
	// Fault classifies Error: what the transport failure means for the
	// case ("" when a response came back).
	Fault TransportFault `json:"fault,omitempty"`
	// Duration is the time from the first byte sent to the response header.
	Duration time.Duration `json:"duration_ns"`
}

// TransportFault says why an exchange got no response.
type TransportFault string

// The transport faults.
const (
	// FaultRefused: nothing accepted the connection (nothing listens).
	FaultRefused TransportFault = "refused"
	// FaultClosed: the peer closed or reset the connection before it
	// answered (for an oversized body, a refusal).
	FaultClosed TransportFault = "closed"
	// FaultTimeout: no answer within the case's wait.
	FaultTimeout TransportFault = "timeout"
	// FaultCancelled: the run was cancelled (interrupted) during the
	// exchange.
	FaultCancelled TransportFault = "cancelled"
	// FaultOther: any other failure (TLS, DNS, a handler that panicked).
	FaultOther TransportFault = "other"
)

// MaxExcerpt bounds the body excerpts kept in an Exchange.
const MaxExcerpt = 2048

// WireRequest is the request side of an Exchange.
type WireRequest struct {
	// Method and Target form the request line (Target is a path with its
	// query, or a full URL).
	Method string `json:"method"`
	Target string `json:"target"`
	// Header holds the headers that matter to the case (Content-Type,
	// Content-Length, Transfer-Encoding, and a Complaints 2.0 callback's
	// Wechatpay-* and Request-ID), one value each.
	Header map[string]string `json:"header,omitempty"`
	// Body is an excerpt of the body; BodySize its full length.
	Body     string `json:"body,omitempty"`
	BodySize int64  `json:"body_size"`
}

// WireResponse is the response side of an Exchange.
type WireResponse struct {
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Header holds Content-Type and the headers that explain a refusal
	// (Allow, Retry-After), one value each.
	Header map[string]string `json:"header,omitempty"`
	// Body is an excerpt of the body; BodySize its full length.
	Body     string `json:"body,omitempty"`
	BodySize int64  `json:"body_size"`
}

// excerpt returns b cut to MaxExcerpt bytes at a rune boundary, marking
// the cut.
func excerpt(b []byte) string { return text.Clip(string(b), MaxExcerpt) }

// keptResponseHeaders are the response headers an Exchange records.
var keptResponseHeaders = [...]string{"Content-Type", "Allow", "Retry-After"}

// pickHeaders keeps the named headers of h, first value each.
func pickHeaders(h http.Header, names []string) map[string]string {
	var m map[string]string
	for _, k := range names {
		if v := h.Get(k); v != "" {
			if m == nil {
				m = make(map[string]string, len(names))
			}
			m[k] = v
		}
	}
	return m
}

// String renders the exchange as it looked on the wire, one line per
// header, ">" for what was sent and "<" for what came back. Control
// characters and invalid UTF-8 in what a peer sent are written out as
// escapes (text.Terminal), so that a merchant's answer cannot act on the
// terminal that shows it.
func (e Exchange) String() string {
	var b strings.Builder
	if e.Note != "" {
		fmt.Fprintf(&b, "# %s\n", e.Note)
	}
	fmt.Fprintf(&b, "> %s %s\n", e.Request.Method, text.Terminal(e.Request.Target))
	writeHeaders(&b, "> ", e.Request.Header)
	if e.Request.Body != "" {
		b.WriteString(">\n")
		writeBody(&b, "> ", e.Request.Body, e.Request.BodySize)
	}
	switch {
	case e.Response != nil:
		fmt.Fprintf(&b, "< %d %s\n", e.Response.Status, http.StatusText(e.Response.Status))
		writeHeaders(&b, "< ", e.Response.Header)
		if e.Response.Body != "" {
			b.WriteString("<\n")
			writeBody(&b, "< ", e.Response.Body, e.Response.BodySize)
		}
	case e.Error != "":
		fmt.Fprintf(&b, "! %s\n", text.Terminal(e.Error))
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, prefix string, h map[string]string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s%s: %s\n", prefix, k, text.Terminal(h[k]))
	}
}

func writeBody(b *strings.Builder, prefix, body string, size int64) {
	body = strings.TrimRight(body, "\n")
	for _, line := range strings.Split(body, "\n") {
		b.WriteString(prefix)
		b.WriteString(text.Terminal(line))
		b.WriteByte('\n')
	}
	if size > int64(len(body)) && strings.HasSuffix(body, "…") {
		b.WriteString(prefix)
		b.WriteString("(" + strconv.FormatInt(size, 10) + " bytes in all)\n")
	}
}

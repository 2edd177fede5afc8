package apiv3

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
)

// Code is an APIv3 error code, the "code" of an error body. The constants
// are the codes the complaint endpoints and the signature rules document
// (docs/apiv3.md, "Errors"); WeChat may send others, and Error keeps them
// as they are.
type Code string

// The documented codes.
const (
	// CodeParamError (400): a parameter is invalid.
	CodeParamError Code = "PARAM_ERROR"
	// CodeInvalidRequest (400): the request follows the format but not the
	// business rules, or a required header (Accept, User-Agent) is
	// missing ("头部信息不完整").
	CodeInvalidRequest Code = "INVALID_REQUEST"
	// CodeSignError (401): the Authorization header does not verify:
	// signature, timestamp, serial or scheme.
	CodeSignError Code = "SIGN_ERROR"
	// CodeNoAuth (403): no permission, e.g. another merchant's complaint.
	CodeNoAuth Code = "NO_AUTH"
	// CodeOrderNotExist (404): the resource does not exist (the general
	// table's example).
	CodeOrderNotExist Code = "ORDER_NOT_EXIST"
	// CodeResourceNotExists (400): e.g. no callback URL created yet, or no
	// platform certificate for a merchant on the public key.
	CodeResourceNotExists Code = "RESOURCE_NOT_EXISTS"
	// CodeFrequencyLimited (429): over a per-minute limit (the complaint
	// endpoints' name for it).
	CodeFrequencyLimited Code = "FREQUENCY_LIMITED"
	// CodeRateLimitExceeded (429): the general table's name for it.
	CodeRateLimitExceeded Code = "RATELIMIT_EXCEEDED"
	// CodeRateLimited (429): the English pages' name for it.
	CodeRateLimited Code = "RATE_LIMITED"
	// CodeSystemError (500): WeChat's fault; retry later with the same
	// parameters.
	CodeSystemError Code = "SYSTEM_ERROR"
	// CodeServiceUnavailable (502/503).
	CodeServiceUnavailable Code = "SERVICE_UNAVAILABLE"
)

// Error is an APIv3 error answer: its HTTP status and its body
// ({"code","message","detail"}). Use errors.As to get it from what a
// Client returns.
type Error struct {
	// StatusCode is the answer's HTTP status.
	StatusCode int `json:"-"`
	// RequestID is the answer's Request-ID header, for WeChat's support.
	RequestID string `json:"-"`
	// Code and Message are the body's; Message is Chinese, and "one code
	// may carry several messages".
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Detail is the body's detail, when present.
	Detail *ErrorDetail `json:"detail,omitempty"`
	// Verified tells whether the answer's signature was verified. WeChat
	// signs its error answers too, but an answer without signature headers
	// is still reported (as unverified), since a failure is not a fact the
	// caller acts on as it acts on a success.
	Verified bool `json:"-"`
	// SignedMessage is, for a SIGN_ERROR answer to a Client's request,
	// the string the Client signed: compare it with
	// SignInformation().TruncatedSignMessage, WeChat's reconstruction.
	SignedMessage string `json:"-"`

	retryAfter time.Duration // the answer's Retry-After, if any
}

// ErrorDetail is an error body's detail. Its documented keys: Field (a
// JSON pointer into the body, or a parameter's name), Value, Issue,
// Location (body, query, authorization…). SIGN_ERROR answers add
// SignInformation; since 2024 they nest the issue one level down
// (detail.detail.issue), which Detail holds.
type ErrorDetail struct {
	Field           string           `json:"field,omitempty"`
	Value           json.RawMessage  `json:"value,omitempty"`
	Issue           string           `json:"issue,omitempty"`
	Location        string           `json:"location,omitempty"`
	SignInformation *SignInformation `json:"sign_information,omitempty"`
	Detail          *ErrorDetail     `json:"detail,omitempty"`
}

// SignInformation is what WeChat reconstructed of a request whose
// signature failed: compare TruncatedSignMessage with the string you
// signed to find the difference (method, target, timestamp, nonce, body).
type SignInformation struct {
	Method               string `json:"method,omitempty"`
	URL                  string `json:"url,omitempty"`
	TruncatedSignMessage string `json:"truncated_sign_message,omitempty"`
	SignMessageLength    int    `json:"sign_message_length,omitempty"`
}

// Issue returns the detail's issue wherever the body put it: detail.issue
// or detail.detail.issue.
func (e *Error) Issue() string {
	for d := e.Detail; d != nil; d = d.Detail {
		if d.Issue != "" {
			return d.Issue
		}
	}
	return ""
}

// SignInformation returns the detail's sign_information, or nil.
func (e *Error) SignInformation() *SignInformation {
	for d := e.Detail; d != nil; d = d.Detail {
		if d.SignInformation != nil {
			return d.SignInformation
		}
	}
	return nil
}

// Retryable reports whether the same request may succeed later: a 5xx
// (SYSTEM_ERROR: "请使用相同参数稍后重新调用") or a rate limit (429).
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeSystemError, CodeServiceUnavailable, CodeFrequencyLimited, CodeRateLimitExceeded, CodeRateLimited:
		return true
	}
	return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests
}

// Error writes the status, code, message and, when present, the field and
// issue; for SIGN_ERROR, the string WeChat reconstructed.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiv3: %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + string(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": " + text.Terminal(text.Clip(strings.TrimSpace(e.Message), 256)))
	}
	if d := e.Detail; d != nil && d.Field != "" {
		b.WriteString(" (field " + text.Terminal(text.Clip(d.Field, 128)) + ")")
	}
	if is := e.Issue(); is != "" {
		b.WriteString(": " + text.Terminal(text.Clip(is, 256)))
	}
	if si := e.SignInformation(); si != nil && si.TruncatedSignMessage != "" {
		fmt.Fprintf(&b, "; WeChat reconstructed the signed string as %q (%d bytes in all)", text.Clip(si.TruncatedSignMessage, 512), si.SignMessageLength)
		if e.SignedMessage != "" {
			fmt.Fprintf(&b, ", this client signed %q (%d bytes)", text.Clip(e.SignedMessage, 512), len(e.SignedMessage))
		}
	}
	if e.RequestID != "" {
		b.WriteString(" [Request-ID " + text.Terminal(text.Clip(e.RequestID, 128)) + "]")
	}
	return b.String()
}

// maxErrorBody bounds the error body ParseError decodes.
const maxErrorBody = 64 << 10

// ParseError decodes an error answer's body. A body that is not an error
// object (HTML from a proxy, say) gives an Error with the status, no code,
// and the start of the body as its message; ParseError never fails.
func ParseError(status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status}
	if header != nil {
		e.RequestID = header.Get(HeaderRequestID)
	}
	if len(body) <= maxErrorBody && json.Unmarshal(body, e) == nil && e.Code != "" {
		return e
	}
	e.Code, e.Detail = "", nil
	e.Message = strings.ToValidUTF8(text.Clip(strings.TrimSpace(string(body)), 200), "\uFFFD")
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

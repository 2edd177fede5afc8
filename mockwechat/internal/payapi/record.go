package payapi

import (
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// Recorder receives each call once answered: the fake's call log and
// console plug in here. Record runs on the request's goroutine, after the
// answer is written; the Call's slices are the call's own and may be kept.
type Recorder interface {
	Record(Call)
}

// Call is one call to the APIv3 endpoints, as answered.
type Call struct {
	// Time is when it arrived, on the fake's clock.
	Time time.Time
	// Method and Target are the request's, the target as received (what
	// the signature covers).
	Method string
	Target string
	// Endpoint is the endpoint called ("" for a path the fake does not
	// serve).
	Endpoint complaints.Endpoint
	// MchID is the merchant its Authorization names ("" when unreadable).
	MchID string
	// Body is the request's body; for an upload, the meta part, and
	// FileSize the file's bytes.
	Body     []byte
	FileSize int
	// Status is the HTTP status answered; Code and Message the error's
	// (empty on success).
	Status  int
	Code    apiv3.Code
	Message string
	// Answer is the body answered (nil for an image).
	Answer []byte
	// RequestID is the answer's Request-ID; Signer the serial of the key
	// that signed it ("" unsigned: an image download).
	RequestID string
	Signer    string
	// Warnings are what the fake took that WeChat may not (a plain http
	// callback URL, a lone '?' left out of the signature).
	Warnings []string
	// SignFailure is why the Authorization was refused, when it was.
	SignFailure *SignFailure
	// Latency is the real time the fake took.
	Latency time.Duration
	// Fault names the fault the call took ("code SYSTEM_ERROR", "drop"),
	// if any.
	Fault string
}

// SignFailure is a refused Authorization, for a developer to find the bug:
// the string the fake reconstructed from the request beside what it
// received.
type SignFailure struct {
	// Reason says what failed.
	Reason string
	// Expected is the whole string to sign the fake reconstructed from the
	// request (METHOD\nTARGET\nTIMESTAMP\nNONCE\nBODY\n): what the client
	// should have signed. Empty when the header could not be read.
	Expected string
	// Authorization is the header received, as is.
	Authorization string
}

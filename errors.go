package payfeedback

import "errors"

// Sentinel errors of decoding. A *DecodeError wraps exactly one of them, so
// callers test the class with errors.Is.
var (
	// ErrMalformed: the body is not well-formed XML (or not UTF-8, or nested
	// deeper than MaxDepth).
	ErrMalformed = errors.New("payfeedback: malformed XML")
	// ErrNotXMLRoot: the root element is not <xml>.
	ErrNotXMLRoot = errors.New("payfeedback: root element is not <xml>")
	// ErrDOCTYPE: the document has a DOCTYPE or another directive. WeChat
	// never sends one; refusing it closes the door to entity expansion and
	// external entities.
	ErrDOCTYPE = errors.New("payfeedback: DOCTYPE and directives are not allowed")
	// ErrMissingElement: a required element is absent or empty.
	ErrMissingElement = errors.New("payfeedback: required element missing")
	// ErrBadTimestamp: TimeStamp is not 1 to MaxTimestampDigits decimal
	// digits. A TimeStamp far from now is well-formed; refusing it is the
	// freshness check's job (see the middleware's MaxAge and MaxFuture).
	ErrBadTimestamp = errors.New("payfeedback: TimeStamp is not Unix seconds in 1 to 32 decimal digits")
	// ErrUnknownMsgType: MsgType is not request, confirm or reject.
	ErrUnknownMsgType = errors.New("payfeedback: unknown MsgType")
	// ErrConflictingElement: an element is given twice with different values.
	ErrConflictingElement = errors.New("payfeedback: element given twice with different values")
	// ErrTooLarge: the body is larger than MaxNotificationSize.
	ErrTooLarge = errors.New("payfeedback: notification too large")
)

// Sentinel errors of signature checks, usable with errors.Is.
var (
	// ErrEmptyKey: no paySignKey was given. Verification fails closed.
	ErrEmptyKey = errors.New("payfeedback: empty paySignKey: refusing to sign or verify")
	// ErrMissingSignature: the notification carries no AppSignature.
	ErrMissingSignature = errors.New("payfeedback: AppSignature missing")
	// ErrUnknownSignMethod: SignMethod is neither empty nor sha1.
	ErrUnknownSignMethod = errors.New("payfeedback: unknown SignMethod (want sha1)")
	// ErrBadSignature: the signature does not match the signed fields and
	// the key.
	ErrBadSignature = errors.New("payfeedback: AppSignature does not match")
)

// DecodeError says why a notification could not be decoded.
type DecodeError struct {
	// Err is one of the decoding sentinel errors (ErrMalformed, …).
	Err error
	// Element names the element concerned, when there is one.
	Element string
	// Detail says more, for people; it never contains secrets.
	Detail string
}

// Error implements error.
func (e *DecodeError) Error() string {
	msg := e.Err.Error()
	if e.Element != "" {
		msg += ": <" + e.Element + ">"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns the sentinel error, for errors.Is.
func (e *DecodeError) Unwrap() error { return e.Err }

package apiv3

import "errors"

// The reasons Verifier refuses an answer or a callback. A *VerifyError
// wraps one of them (errors.Is); ErrSignatureProbe also matches
// ErrBadSignature, since a probe is a failed verification like any other.
var (
	// ErrMissingHeader: a Wechatpay-Timestamp, -Nonce, -Signature or
	// -Serial header is missing or empty.
	ErrMissingHeader = errors.New("a signature header is missing")
	// ErrSignatureType: Wechatpay-Signature-Type names a scheme other
	// than Scheme.
	ErrSignatureType = errors.New("unsupported signature type")
	// ErrMalformedTimestamp: Wechatpay-Timestamp is not a number of
	// seconds.
	ErrMalformedTimestamp = errors.New("the timestamp is not a number")
	// ErrTooOld: Wechatpay-Timestamp is older than the window allows.
	ErrTooOld = errors.New("the timestamp is too old")
	// ErrTooNew: Wechatpay-Timestamp is further ahead than the window
	// allows.
	ErrTooNew = errors.New("the timestamp is in the future")
	// ErrUnknownSerial: no configured key has the Wechatpay-Serial.
	ErrUnknownSerial = errors.New("unknown serial")
	// ErrCertificateExpired: the platform certificate named by
	// Wechatpay-Serial is outside its validity.
	ErrCertificateExpired = errors.New("the platform certificate is not valid now")
	// ErrBadSignature: the signature does not verify with the key the
	// serial names.
	ErrBadSignature = errors.New("the signature does not verify")
	// ErrSignatureProbe: the signature starts with ProbeSignaturePrefix,
	// WeChat's test of whether the merchant verifies. Refuse it as any
	// bad signature: it also matches ErrBadSignature.
	ErrSignatureProbe = errors.New("a signature probe (WECHATPAY/SIGNTEST/)")
)

// VerifyError is why a Verifier refused an answer or a callback. Err is
// one of the Err… reasons above; Serial is the Wechatpay-Serial received
// (a name, never a secret); Detail says what to do.
type VerifyError struct {
	Err    error
	Serial string
	Detail string
}

func (e *VerifyError) Error() string {
	s := "apiv3: verify: " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the reason, and ErrBadSignature beside ErrSignatureProbe.
func (e *VerifyError) Unwrap() []error {
	if e.Err == ErrSignatureProbe {
		return []error{ErrSignatureProbe, ErrBadSignature}
	}
	return []error{e.Err}
}

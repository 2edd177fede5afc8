package apiv3

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
)

// Scheme is the only Authorization scheme and Wechatpay-Signature-Type
// APIv3 uses for RSA: SHA-256 with RSA (PKCS #1 v1.5), 2048-bit keys.
const Scheme = "WECHATPAY2-SHA256-RSA2048"

// Authorization is the content of a request's Authorization header:
//
//	WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"
//
// MchID is the calling merchant, SerialNo the serial of its API
// certificate (the certificate of the key that signed), Signature the
// Base64 signature of the request's string to sign (see
// AppendRequestMessage).
type Authorization struct {
	MchID     string
	Nonce     string
	Timestamp int64
	SerialNo  string
	Signature string
}

// String returns the header value, with the pairs in the order the
// official SDKs write them.
func (a Authorization) String() string {
	var b strings.Builder
	b.Grow(len(Scheme) + len(a.MchID) + len(a.Nonce) + len(a.SerialNo) + len(a.Signature) + 80)
	b.WriteString(Scheme)
	b.WriteString(` mchid="`)
	b.WriteString(a.MchID)
	b.WriteString(`",nonce_str="`)
	b.WriteString(a.Nonce)
	b.WriteString(`",timestamp="`)
	b.WriteString(strconv.FormatInt(a.Timestamp, 10))
	b.WriteString(`",serial_no="`)
	b.WriteString(a.SerialNo)
	b.WriteString(`",signature="`)
	b.WriteString(a.Signature)
	b.WriteString(`"`)
	return b.String()
}

// Errors of ParseAuthorization, wrapped in an *AuthorizationError.
var (
	// ErrAuthorizationScheme: the header does not start with Scheme.
	ErrAuthorizationScheme = errors.New("the authorization scheme is not " + Scheme)
	// ErrAuthorizationFormat: the pairs after the scheme are malformed,
	// repeated, unknown or missing.
	ErrAuthorizationFormat = errors.New("the authorization header is malformed")
)

// AuthorizationError is why ParseAuthorization refused a header. Err is
// ErrAuthorizationScheme or ErrAuthorizationFormat; Detail says what was
// wrong, in words a developer can act on.
type AuthorizationError struct {
	Err    error
	Detail string
}

func (e *AuthorizationError) Error() string {
	return "apiv3: " + e.Err.Error() + ": " + e.Detail
}

// Unwrap returns Err, for errors.Is.
func (e *AuthorizationError) Unwrap() error { return e.Err }

// maxAuthorization bounds the header ParseAuthorization reads: a 2048-bit
// signature is 344 Base64 characters; the rest is short.
const maxAuthorization = 4096

// ParseAuthorization parses an Authorization header value. The five pairs
// may come in any order ("以上五项签名信息，无顺序要求"), separated by commas,
// with optional spaces around them; each value is in double quotes. Every
// pair is required exactly once and no other key is accepted; timestamp
// must be a decimal number of seconds.
func ParseAuthorization(header string) (Authorization, error) {
	var a Authorization
	if len(header) > maxAuthorization {
		return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("the header has %d bytes, more than %d", len(header), maxAuthorization)}
	}
	scheme, rest, ok := strings.Cut(header, " ")
	if !ok || scheme != Scheme {
		got := scheme
		if !ok {
			got = header
		}
		return a, &AuthorizationError{ErrAuthorizationScheme, fmt.Sprintf("got %q: sign with %s", clipForError(got), Scheme)}
	}
	var seen [5]bool
	var ts string
	for rest = strings.TrimSpace(rest); rest != ""; {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("%q has no '='", clipForError(rest))}
		}
		key = strings.TrimSpace(key)
		after = strings.TrimLeft(after, " ")
		if !strings.HasPrefix(after, `"`) {
			return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("the value of %s is not in double quotes", clipForError(key))}
		}
		end := strings.IndexByte(after[1:], '"')
		if end < 0 {
			return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("the value of %s has no closing quote", clipForError(key))}
		}
		val := after[1 : 1+end]
		rest = strings.TrimLeft(after[2+end:], " ")
		if rest != "" {
			if rest[0] != ',' {
				return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("want ',' after %s=\"…\", got %q", clipForError(key), clipForError(rest))}
			}
			rest = strings.TrimLeft(rest[1:], " ")
			if rest == "" {
				return a, &AuthorizationError{ErrAuthorizationFormat, "a ',' ends the header"}
			}
		}
		i := -1
		switch key {
		case "mchid":
			i, a.MchID = 0, val
		case "nonce_str":
			i, a.Nonce = 1, val
		case "timestamp":
			i, ts = 2, val
		case "serial_no":
			i, a.SerialNo = 3, val
		case "signature":
			i, a.Signature = 4, val
		default:
			return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("unknown key %q: want mchid, nonce_str, timestamp, serial_no and signature", clipForError(key))}
		}
		if seen[i] {
			return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("%s appears twice", key)}
		}
		seen[i] = true
	}
	for i, name := range [...]string{"mchid", "nonce_str", "timestamp", "serial_no", "signature"} {
		if !seen[i] {
			return a, &AuthorizationError{ErrAuthorizationFormat, name + " is missing"}
		}
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ts == "" || ts[0] == '+' || ts[0] == '-' {
		return a, &AuthorizationError{ErrAuthorizationFormat, fmt.Sprintf("timestamp %q is not a number of seconds", clipForError(ts))}
	}
	a.Timestamp = n
	return a, nil
}

// clipForError keeps what an error quotes of a peer's text short and
// printable.
func clipForError(s string) string { return text.Terminal(text.Clip(s, 48)) }

// Verify checks a's signature over the request it came with (method, the
// request-target as received, the signed body: the JSON body, or an
// upload's meta) with pub, the key of the API certificate a.SerialNo
// names. It checks neither the time nor the serial: the verifier of a
// request (WeChat, or the fake) does, with its own rules. It returns nil
// or a *VerifyError wrapping ErrBadSignature.
func (a Authorization) Verify(pub *rsa.PublicKey, method, target string, body []byte) error {
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil {
		return &VerifyError{Err: ErrBadSignature, Serial: a.SerialNo, Detail: "signature is not standard Base64"}
	}
	sum := sha256.Sum256(RequestMessage(method, target, a.Timestamp, a.Nonce, body))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return &VerifyError{Err: ErrBadSignature, Serial: a.SerialNo, Detail: "the request does not match what was signed (method, target, timestamp, nonce or body), or another key signed it"}
	}
	return nil
}

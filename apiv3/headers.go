package apiv3

import "net/http"

// The headers WeChat signs its answers and callbacks with, and the ones a
// request carries beside Authorization.
const (
	// HeaderSerial names the key that signed an answer or a callback: a
	// platform certificate's serial or a public key id (PUB_KEY_ID_…). On
	// a request, it tells WeChat which key the merchant can verify, so
	// WeChat signs the answer with that key.
	HeaderSerial = "Wechatpay-Serial"
	// HeaderSignature is the Base64 signature of an answer or a callback.
	HeaderSignature = "Wechatpay-Signature"
	// HeaderTimestamp is the signing time in Unix seconds.
	HeaderTimestamp = "Wechatpay-Timestamp"
	// HeaderNonce is the random string signed with the timestamp.
	HeaderNonce = "Wechatpay-Nonce"
	// HeaderSignatureType names the signature scheme (Scheme). Callbacks
	// carry it; answers may not, and its absence means Scheme.
	HeaderSignatureType = "Wechatpay-Signature-Type"
	// HeaderRequestID is WeChat's id of a request, to quote to its support.
	HeaderRequestID = "Request-ID"
)

// ProbeSignaturePrefix starts the signature of WeChat's signature probes
// ("签名探测流量"): answers and callbacks WeChat signs wrongly on purpose,
// now and then, to see that merchants verify. A probe must be refused as
// any failed verification is (docs/apiv3.md, "Signature probes").
const ProbeSignaturePrefix = "WECHATPAY/SIGNTEST/"

// SignatureHeaders are the Wechatpay-* headers of an answer or a callback,
// as received (Timestamp is the header's text, as signed).
type SignatureHeaders struct {
	Timestamp     string
	Nonce         string
	Signature     string
	Serial        string
	SignatureType string
}

// SignatureHeadersOf reads the signature headers from h.
func SignatureHeadersOf(h http.Header) SignatureHeaders {
	return SignatureHeaders{
		Timestamp:     headerValue(h, HeaderTimestamp),
		Nonce:         headerValue(h, HeaderNonce),
		Signature:     headerValue(h, HeaderSignature),
		Serial:        headerValue(h, HeaderSerial),
		SignatureType: headerValue(h, HeaderSignatureType),
	}
}

// Set writes s into h (SignatureType only when set).
func (s SignatureHeaders) Set(h http.Header) {
	h[HeaderTimestamp] = []string{s.Timestamp}
	h[HeaderNonce] = []string{s.Nonce}
	h[HeaderSignature] = []string{s.Signature}
	h[HeaderSerial] = []string{s.Serial}
	if s.SignatureType != "" {
		h[HeaderSignatureType] = []string{s.SignatureType}
	}
}

// headerValue returns the first value of the canonical key k, as h.Get
// does, without canonicalising k again.
func headerValue(h http.Header, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

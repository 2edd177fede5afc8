package apiv3

import (
	"errors"
	"net/http"
	"time"
)

// OpenerOptions configures NewOpener.
type OpenerOptions struct {
	// Verifier checks the callbacks' signatures. Required.
	Verifier *Verifier
	// APIv3Key decrypts their resources (商户平台 → API安全 → APIv3密钥).
	// Required.
	APIv3Key string
}

// Opener verifies and decrypts callbacks outside net/http: for a merchant
// that stores a callback first and handles it later (a queue), or serves
// it with another framework. The callback middleware is built on it. It
// is safe for concurrent use.
type Opener struct {
	v    *Verifier
	aead *AEAD
}

// NewOpener returns an Opener, or an error saying what is missing.
func NewOpener(o OpenerOptions) (*Opener, error) {
	if o.Verifier == nil {
		return nil, errors.New("apiv3: OpenerOptions.Verifier is nil: build one with NewVerifier (the WeChat Pay public key or the platform certificates)")
	}
	a, err := NewAEAD(o.APIv3Key)
	if err != nil {
		return nil, err
	}
	return &Opener{v: o.Verifier, aead: a}, nil
}

// Callback is a verified, decrypted callback: its envelope and the
// plaintext of its resource.
type Callback struct {
	Notification
	// Plaintext is the decrypted resource: JSON whose shape depends on
	// EventType.
	Plaintext []byte
}

// Open verifies a callback as received (its signature headers and raw
// body) against the Verifier's clock, then decodes its envelope and
// decrypts its resource. Errors: a *VerifyError (the signature, its
// headers, its time), or one wrapping ErrMalformedNotification,
// ErrAlgorithm or ErrDecrypt. Nothing is decoded before the signature
// verifies.
func (o *Opener) Open(h SignatureHeaders, body []byte) (*Callback, error) {
	return o.OpenAt(h, body, o.v.now())
}

// OpenAt is Open with the time given: a merchant that stored a callback
// verifies it again later at the time it arrived.
func (o *Opener) OpenAt(h SignatureHeaders, body []byte, now time.Time) (*Callback, error) {
	c := new(Callback)
	if err := o.OpenInto(c, h, body, now); err != nil {
		return nil, err
	}
	return c, nil
}

// OpenInto is OpenAt into c, reusing c.Plaintext's capacity. c holds no
// reference to body (its strings are one copy of it), so body may be
// reused as soon as OpenInto returns. Its allocations are what the bare
// verification makes (crypto/rsa's) and that copy: docs/performance.md,
// "Receiving Complaints 2.0 callbacks".
func (o *Opener) OpenInto(c *Callback, h SignatureHeaders, body []byte, now time.Time) error {
	if err := o.v.VerifyAt(h, body, now); err != nil {
		return err
	}
	buf := c.Plaintext[:0]
	*c = Callback{}
	if err := parseNotificationInto(&c.Notification, body); err != nil {
		return err
	}
	if c.Resource.Algorithm != AlgorithmAEADAES256GCM {
		return &algorithmError{c.Resource.Algorithm}
	}
	pt, err := o.aead.AppendOpen(buf, c.Resource.Nonce, c.Resource.AssociatedData, c.Resource.Ciphertext)
	if err != nil {
		return err
	}
	c.Plaintext = pt
	return nil
}

// OpenRequest reads the signature headers of r and opens body, r's body as
// read (the caller bounds and reads it: see MaxNotificationSize).
func (o *Opener) OpenRequest(r *http.Request, body []byte) (*Callback, error) {
	return o.Open(SignatureHeadersOf(r.Header), body)
}

type algorithmError struct{ alg string }

func (e *algorithmError) Error() string {
	return "apiv3: " + ErrAlgorithm.Error() + ": " + clipForError(e.alg) + ", want " + AlgorithmAEADAES256GCM
}

func (e *algorithmError) Unwrap() error { return ErrAlgorithm }

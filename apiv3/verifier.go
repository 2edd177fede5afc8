package apiv3

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultWindow is how far a signature's timestamp may be from the
// verifier's clock, either way: five minutes, as WeChat allows a request's
// and as the official SDKs allow an answer's or a callback's.
const DefaultWindow = 5 * time.Minute

// VerifierOptions configures NewVerifier. Give the WeChat Pay public key,
// platform certificates, or both (during WeChat's switch from certificates
// to the public key, callbacks come signed with either: docs/apiv3.md,
// "Keys").
type VerifierOptions struct {
	// PublicKeyID and PublicKey are the WeChat Pay public key (商户平台 →
	// API安全 → 微信支付公钥): its id as shown, PUB_KEY_ID_ prefix kept,
	// and the key of pub_key.pem. Give both or neither.
	PublicKeyID string
	PublicKey   *rsa.PublicKey
	// Certificates are WeChat Pay platform certificates (from
	// GET /v3/certificates: Client.DownloadCertificates), each known by
	// its serial. SetCertificates replaces them later.
	Certificates []*x509.Certificate
	// Window is how far a timestamp may be from Now, either way (0:
	// DefaultWindow). A timestamp exactly Window away is refused, as the
	// official SDK refuses it.
	Window time.Duration
	// Now is the clock judging timestamps and certificate validity (nil:
	// time.Now).
	Now func() time.Time
}

// Verifier verifies what WeChat signs, answers and callbacks alike, with
// the key that Wechatpay-Serial names. It is safe for concurrent use, and
// its certificates can be replaced while it serves (SetCertificates).
type Verifier struct {
	pubID  string
	pubKey *rsa.PublicKey
	window time.Duration
	now    func() time.Time

	mu    sync.RWMutex                 // guards certs
	certs map[string]*x509.Certificate // serial → platform certificate

	hashes sync.Pool // *digest, for the string to sign
}

// digest is a SHA-256 and the sum it writes, pooled together: a sum in
// the caller's frame would escape through hash.Hash.Sum, one allocation
// per verification.
type digest struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

func newDigest() any { return &digest{h: sha256.New()} }

// NewVerifier returns a Verifier, or an error saying what to configure.
func NewVerifier(o VerifierOptions) (*Verifier, error) {
	switch {
	case (o.PublicKeyID == "") != (o.PublicKey == nil):
		return nil, errors.New("apiv3: VerifierOptions: give PublicKeyID and PublicKey together (the id shown beside the WeChat Pay public key, and pub_key.pem)")
	case o.PublicKeyID != "" && !IsPublicKeyID(o.PublicKeyID):
		return nil, fmt.Errorf("apiv3: VerifierOptions.PublicKeyID %q does not start with %s: copy the id whole, prefix included", clipForError(o.PublicKeyID), PublicKeyIDPrefix)
	case o.PublicKey != nil && o.PublicKey.N.BitLen() < MinKeyBits:
		return nil, fmt.Errorf("apiv3: VerifierOptions.PublicKey has %d bits, want at least %d", o.PublicKey.N.BitLen(), MinKeyBits)
	case o.PublicKey == nil && len(o.Certificates) == 0:
		return nil, errors.New("apiv3: VerifierOptions has no key: give the WeChat Pay public key (PublicKeyID, PublicKey) or platform certificates (Certificates)")
	case o.Window < 0:
		return nil, errors.New("apiv3: VerifierOptions.Window is negative")
	}
	v := &Verifier{pubID: o.PublicKeyID, pubKey: o.PublicKey, window: o.Window, now: o.Now}
	if v.window == 0 {
		v.window = DefaultWindow
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.hashes.New = newDigest
	if err := v.SetCertificates(o.Certificates); err != nil {
		return nil, err
	}
	return v, nil
}

// SetCertificates replaces the platform certificates (the public key, if
// any, stays). It refuses a certificate without an RSA key of at least
// MinKeyBits bits, or whose serial is a public key id, and then changes
// nothing.
func (v *Verifier) SetCertificates(certs []*x509.Certificate) error {
	m := make(map[string]*x509.Certificate, len(certs))
	for _, c := range certs {
		if c == nil {
			return errors.New("apiv3: a nil certificate")
		}
		pk, ok := c.PublicKey.(*rsa.PublicKey)
		if !ok || pk.N.BitLen() < MinKeyBits {
			return fmt.Errorf("apiv3: certificate %s has no RSA key of at least %d bits", SerialOf(c), MinKeyBits)
		}
		m[SerialOf(c)] = c
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.certs = m
	return nil
}

// Serials returns the serials the Verifier knows: the public key id first,
// if any, then the certificates' serials in order.
func (v *Verifier) Serials() []string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	var out []string
	for s := range v.certs {
		out = append(out, s)
	}
	slices.Sort(out)
	if v.pubID != "" {
		out = append([]string{v.pubID}, out...)
	}
	return out
}

// AcceptSerial returns the serial a request should name in its
// Wechatpay-Serial header, asking WeChat to sign the answer with a key this
// Verifier has: the public key id when there is one (during the switch,
// WeChat signs answers with the key the request names), otherwise the
// serial of the platform certificate valid now that expires last, or ""
// when none is.
func (v *Verifier) AcceptSerial() string {
	if v.pubID != "" {
		return v.pubID
	}
	now := v.now()
	v.mu.RLock()
	defer v.mu.RUnlock()
	best, serial := time.Time{}, ""
	for s, c := range v.certs {
		if !now.Before(c.NotBefore) && !now.After(c.NotAfter) && c.NotAfter.After(best) {
			best, serial = c.NotAfter, s
		}
	}
	return serial
}

// Verify checks headers and body, an answer or a callback as received,
// against the Verifier's clock (see VerifyAt).
func (v *Verifier) Verify(h SignatureHeaders, body []byte) error {
	return v.VerifyAt(h, body, v.now())
}

// VerifyAt checks an answer or a callback at time now: every signature
// header is present, the signature type is Scheme (or absent), the
// timestamp is within the window of now, the serial names a key the
// Verifier has (a certificate valid at now), the signature is not a probe,
// and it verifies over TIMESTAMP\nNONCE\nBODY\n with that key. It returns
// nil or a *VerifyError.
func (v *Verifier) VerifyAt(h SignatureHeaders, body []byte, now time.Time) error {
	switch {
	case h.Timestamp == "":
		return &VerifyError{Err: ErrMissingHeader, Serial: h.Serial, Detail: HeaderTimestamp + " is missing"}
	case h.Nonce == "":
		return &VerifyError{Err: ErrMissingHeader, Serial: h.Serial, Detail: HeaderNonce + " is missing"}
	case h.Signature == "":
		return &VerifyError{Err: ErrMissingHeader, Serial: h.Serial, Detail: HeaderSignature + " is missing"}
	case h.Serial == "":
		return &VerifyError{Err: ErrMissingHeader, Detail: HeaderSerial + " is missing"}
	case h.SignatureType != "" && h.SignatureType != Scheme:
		return &VerifyError{Err: ErrSignatureType, Serial: h.Serial, Detail: fmt.Sprintf("%s is %q, want %s", HeaderSignatureType, clipForError(h.SignatureType), Scheme)}
	}
	if err := v.checkTime(h, now); err != nil {
		return err
	}
	if strings.HasPrefix(h.Signature, ProbeSignaturePrefix) {
		return &VerifyError{Err: ErrSignatureProbe, Serial: h.Serial, Detail: "WeChat tests that signatures are checked: refuse it as any bad signature"}
	}
	key, err := v.key(h.Serial, now)
	if err != nil {
		return err
	}
	var sig [512]byte // a 4096-bit signature; WeChat's have 256 bytes
	if base64.StdEncoding.DecodedLen(len(h.Signature)) > len(sig) {
		return &VerifyError{Err: ErrBadSignature, Serial: h.Serial, Detail: fmt.Sprintf("%s has %d characters, too long for an RSA signature", HeaderSignature, len(h.Signature))}
	}
	n, err := base64.StdEncoding.Decode(sig[:], bytesOf(h.Signature))
	if err != nil {
		return &VerifyError{Err: ErrBadSignature, Serial: h.Serial, Detail: HeaderSignature + " is not standard Base64"}
	}
	d := v.hashes.Get().(*digest)
	defer v.hashes.Put(d)
	d.h.Reset()
	d.h.Write(bytesOf(h.Timestamp))
	d.h.Write(newline)
	d.h.Write(bytesOf(h.Nonce))
	d.h.Write(newline)
	d.h.Write(body)
	d.h.Write(newline)
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, d.h.Sum(d.sum[:0]), sig[:n]) != nil {
		return &VerifyError{Err: ErrBadSignature, Serial: h.Serial, Detail: "the body or a signed header was altered, or another key signed it"}
	}
	return nil
}

var newline = []byte{'\n'}

// checkTime checks the timestamp against the window around now.
func (v *Verifier) checkTime(h SignatureHeaders, now time.Time) error {
	ts, err := strconv.ParseInt(h.Timestamp, 10, 64)
	if err != nil || h.Timestamp[0] == '+' || h.Timestamp[0] == '-' {
		return &VerifyError{Err: ErrMalformedTimestamp, Serial: h.Serial, Detail: fmt.Sprintf("%s is %q", HeaderTimestamp, clipForError(h.Timestamp))}
	}
	// Seconds, saturating: a timestamp far off either way is simply out.
	skew := now.Unix() - ts
	w := int64(v.window / time.Second)
	switch {
	case skew >= w:
		return &VerifyError{Err: ErrTooOld, Serial: h.Serial, Detail: fmt.Sprintf("signed %s ago, the window is %s: a replay, or this clock is ahead (check NTP)", secs(skew), v.window)}
	case -skew >= w:
		return &VerifyError{Err: ErrTooNew, Serial: h.Serial, Detail: fmt.Sprintf("signed %s ahead of this clock, the window is %s: this clock is behind (check NTP)", secs(-skew), v.window)}
	}
	return nil
}

// secs writes a number of seconds as a duration, bounded for display.
func secs(n int64) string {
	if n < 0 || n > 1<<33 {
		return "ages"
	}
	return (time.Duration(n) * time.Second).String()
}

// key returns the public key serial names, valid at now.
func (v *Verifier) key(serial string, now time.Time) (*rsa.PublicKey, error) {
	if v.pubID != "" && serial == v.pubID {
		return v.pubKey, nil
	}
	v.mu.RLock()
	c := v.certs[serial]
	v.mu.RUnlock()
	if c == nil {
		return nil, &VerifyError{Err: ErrUnknownSerial, Serial: serial, Detail: unknownSerialAdvice(serial, v.pubID)}
	}
	if now.Before(c.NotBefore) || now.After(c.NotAfter) {
		return nil, &VerifyError{Err: ErrCertificateExpired, Serial: serial, Detail: fmt.Sprintf("valid from %s to %s: download the current platform certificates (GET /v3/certificates)", c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339))}
	}
	return c.PublicKey.(*rsa.PublicKey), nil
}

// unknownSerialAdvice says what to configure for an unknown serial.
func unknownSerialAdvice(serial, pubID string) string {
	s := strconv.Quote(clipForError(serial))
	if IsPublicKeyID(serial) {
		if pubID != "" {
			return fmt.Sprintf("%s is not the configured public key %s: WeChat signs with another public key; configure that key's id and pub_key.pem (商户平台 → API安全 → 微信支付公钥)", s, pubID)
		}
		return fmt.Sprintf("%s is a WeChat Pay public key id and no public key is configured: set PublicKeyID and PublicKey (pub_key.pem, 商户平台 → API安全 → 微信支付公钥); WeChat moves merchants from platform certificates to the public key, and signs with either during the switch", s)
	}
	return fmt.Sprintf("%s is not among the platform certificates: download them again (GET /v3/certificates), or configure the WeChat Pay public key if the merchant uses it", s)
}

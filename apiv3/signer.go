package apiv3

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// SignerOptions configures NewSigner.
type SignerOptions struct {
	// Key is the private key that signs. Required. For a merchant, the
	// API private key (apiclient_key.pem); for WeChat's side (the fake), a
	// platform certificate's key or the WeChat Pay public key's private
	// half.
	Key *rsa.PrivateKey
	// Serial names Key to whoever verifies. Required. For a merchant, the
	// serial of its API certificate (商户API证书序列号, 40 hexadecimal
	// digits); for WeChat's side, a platform certificate's serial or a
	// public key id (PUB_KEY_ID_…).
	Serial string
	// Now is the clock stamping signatures (nil: time.Now).
	Now func() time.Time
	// Rand is the source of nonces (nil: crypto/rand).
	Rand io.Reader
}

// Signer signs with one RSA key known by one serial: a merchant's
// requests (Authorization) or, on WeChat's side, answers and callbacks
// (SignHeaders). It is safe for concurrent use.
type Signer struct {
	key    *rsa.PrivateKey
	serial string
	now    func() time.Time
	rand   io.Reader
}

// NewSigner returns a Signer, or an error naming what is missing.
func NewSigner(o SignerOptions) (*Signer, error) {
	switch {
	case o.Key == nil:
		return nil, errors.New("apiv3: SignerOptions.Key is nil: load the private key with ParsePrivateKey or LoadPrivateKeyFile")
	case o.Key.N.BitLen() < MinKeyBits:
		return nil, fmt.Errorf("apiv3: SignerOptions.Key has %d bits, want at least %d", o.Key.N.BitLen(), MinKeyBits)
	case o.Serial == "":
		return nil, errors.New("apiv3: SignerOptions.Serial is empty: give the serial number of the API certificate (商户API证书序列号)")
	}
	s := &Signer{key: o.Key, serial: o.Serial, now: o.Now, rand: o.Rand}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s, nil
}

// Serial returns the serial the Signer's signatures are known by.
func (s *Signer) Serial() string { return s.serial }

// PublicKey returns the public half of the Signer's key.
func (s *Signer) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// Sign returns the Base64 SHA256-with-RSA (PKCS #1 v1.5) signature of
// message.
func (s *Signer) Sign(message []byte) (string, error) {
	return SignSHA256(s.key, message)
}

// Authorization returns the Authorization header of a request by merchant
// mchid: method, the request-target exactly as sent (path and query,
// percent-encoded: (*url.URL).RequestURI), and the signed body (the exact
// JSON bytes sent; empty for GET; the meta JSON for an image upload). It
// draws a fresh nonce and stamps the Signer's clock.
func (s *Signer) Authorization(mchid, method, target string, body []byte) (Authorization, error) {
	nonce, err := Nonce(s.rand)
	if err != nil {
		return Authorization{}, err
	}
	ts := s.now().Unix()
	sig, err := s.Sign(RequestMessage(method, target, ts, nonce, body))
	if err != nil {
		return Authorization{}, err
	}
	return Authorization{MchID: mchid, Nonce: nonce, Timestamp: ts, SerialNo: s.serial, Signature: sig}, nil
}

// SignHeaders signs body as WeChat signs an answer or a callback and sets
// the Wechatpay-Timestamp, -Nonce, -Signature, -Serial and
// -Signature-Type headers of h. It is what the fake WeChat does.
func (s *Signer) SignHeaders(h http.Header, body []byte) error {
	nonce, err := Nonce(s.rand)
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	sig, err := s.Sign(AnswerMessage(ts, nonce, body))
	if err != nil {
		return err
	}
	SignatureHeaders{Timestamp: ts, Nonce: nonce, Signature: sig, Serial: s.serial, SignatureType: Scheme}.Set(h)
	return nil
}

// SignSHA256 returns the Base64 SHA256-with-RSA (PKCS #1 v1.5) signature
// of message by key.
func SignSHA256(key *rsa.PrivateKey, message []byte) (string, error) {
	sum := sha256.Sum256(message)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("apiv3: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// nonceAlphabet is the alphabet of the official SDKs' nonces.
const nonceAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NonceLength is the length of the nonces Nonce draws, as the official
// SDKs do.
const NonceLength = 32

// Nonce returns NonceLength random characters of [0-9A-Za-z] drawn from r
// (nil: crypto/rand), without bias.
func Nonce(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var out [NonceLength]byte
	var buf [NonceLength * 2]byte
	n := 0
	for n < len(out) {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("apiv3: draw a nonce: %w", err)
		}
		for _, c := range buf {
			// 248 = 62*4: bytes at or above it would bias the draw.
			if c < 248 && n < len(out) {
				out[n] = nonceAlphabet[c%62]
				n++
			}
		}
	}
	return string(out[:]), nil
}

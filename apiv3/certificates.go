package apiv3

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// PathCertificates is the platform-certificate download endpoint.
const PathCertificates = "/v3/certificates"

// AssociatedDataCertificate is the associated data WeChat encrypts a
// platform certificate with.
const AssociatedDataCertificate = "certificate"

// CertificatesAnswer is the body of GET /v3/certificates.
type CertificatesAnswer struct {
	Data []EncryptedCertificate `json:"data"`
}

// EncryptedCertificate is one platform certificate as GET
// /v3/certificates returns it: its serial, validity, and the PEM
// certificate encrypted with the merchant's APIv3 key.
type EncryptedCertificate struct {
	SerialNo           string   `json:"serial_no"`
	EffectiveTime      string   `json:"effective_time"`
	ExpireTime         string   `json:"expire_time"`
	EncryptCertificate Resource `json:"encrypt_certificate"`
}

// ErrNoCertificates: the answer lists no platform certificate. A merchant
// that WeChat moved to the public key has none: configure the WeChat Pay
// public key instead.
var ErrNoCertificates = errors.New("no platform certificate")

// DownloadCertificates fetches the platform certificates (GET
// /v3/certificates), decrypts each with aead (the merchant's APIv3 key),
// and checks that each decrypts to a certificate with the serial listed.
// It verifies the answer with the Client's Verifier when that knows the
// answer's serial, and otherwise with the downloaded certificates
// themselves: their encryption under the APIv3 key, which only WeChat and
// the merchant hold, is what vouches for them then (so the first download
// needs no certificate). Give the result to Verifier.SetCertificates; do
// it again before the newest expires (WeChat publishes a new one 24 hours
// before using it).
func (c *Client) DownloadCertificates(ctx context.Context, aead *AEAD) ([]*x509.Certificate, error) {
	resp, err := c.do(ctx, call{method: http.MethodGet, target: PathCertificates, skipVerify: true})
	if err != nil {
		return nil, err
	}
	certs, err := DecryptCertificates(resp.Body, aead)
	if err != nil {
		return nil, err
	}
	sh := SignatureHeadersOf(resp.Header)
	if verr := c.verifier.Verify(sh, resp.Body); verr != nil {
		if !errors.Is(verr, ErrUnknownSerial) {
			return nil, fmt.Errorf("apiv3: GET %s: the answer does not verify: %w", PathCertificates, verr)
		}
		v, err := NewVerifier(VerifierOptions{Certificates: certs, Now: c.verifier.now, Window: c.verifier.window})
		if err != nil {
			return nil, err
		}
		if verr := v.Verify(sh, resp.Body); verr != nil {
			return nil, fmt.Errorf("apiv3: GET %s: the answer is signed by none of the certificates it lists: %w", PathCertificates, verr)
		}
	}
	return certs, nil
}

// FetchCertificates downloads the platform certificates for a merchant that
// has none yet (its first start, on platform certificates): o is a
// ClientOptions whose Verifier may be nil, since the download vouches for
// itself (see Client.DownloadCertificates). Give the result to
// NewVerifier's Certificates.
func FetchCertificates(ctx context.Context, o ClientOptions, apiv3Key string) ([]*x509.Certificate, error) {
	aead, err := NewAEAD(apiv3Key)
	if err != nil {
		return nil, err
	}
	if o.Verifier == nil {
		o.Verifier = &Verifier{window: DefaultWindow, now: time.Now}
		o.Verifier.hashes.New = newDigest
	}
	c, err := NewClient(o)
	if err != nil {
		return nil, err
	}
	return c.DownloadCertificates(ctx, aead)
}

// DecryptCertificates decodes the body of GET /v3/certificates and
// decrypts its certificates with aead.
func DecryptCertificates(body []byte, aead *AEAD) ([]*x509.Certificate, error) {
	var a CertificatesAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("apiv3: the certificates answer is not JSON: %w", err)
	}
	if len(a.Data) == 0 {
		return nil, fmt.Errorf("apiv3: %w: configure the WeChat Pay public key (商户平台 → API安全 → 微信支付公钥)", ErrNoCertificates)
	}
	out := make([]*x509.Certificate, 0, len(a.Data))
	for _, e := range a.Data {
		pemBytes, err := aead.OpenResource(&e.EncryptCertificate)
		if err != nil {
			return nil, fmt.Errorf("apiv3: certificate %s: %w", clipForError(e.SerialNo), err)
		}
		cert, err := ParseCertificate(pemBytes)
		if err != nil {
			return nil, fmt.Errorf("apiv3: certificate %s: %w", clipForError(e.SerialNo), err)
		}
		if got := SerialOf(cert); got != e.SerialNo {
			return nil, fmt.Errorf("apiv3: certificate listed as %s decrypts to serial %s", clipForError(e.SerialNo), got)
		}
		out = append(out, cert)
	}
	return out, nil
}

// EncryptCertificate encrypts a platform certificate as GET
// /v3/certificates lists it: what the fake answers.
func EncryptCertificate(cert *x509.Certificate, pemBytes []byte, aead *AEAD) (EncryptedCertificate, error) {
	r, err := aead.SealResource("", AssociatedDataCertificate, pemBytes, nil)
	if err != nil {
		return EncryptedCertificate{}, err
	}
	beijing := time.FixedZone("CST", 8*3600) // WeChat's timestamps are in China Standard Time
	return EncryptedCertificate{
		SerialNo:           SerialOf(cert),
		EffectiveTime:      cert.NotBefore.In(beijing).Format(time.RFC3339),
		ExpireTime:         cert.NotAfter.In(beijing).Format(time.RFC3339),
		EncryptCertificate: r,
	}, nil
}

package paykeys

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// RotationOverlap is how long the platform certificate a rotation replaces
// stays valid and listed by GET /v3/certificates after the new one starts
// signing: a day, the mirror of WeChat's publishing a new certificate 24
// hours before it signs with it (docs/complaints-v3.md, "The fake's
// decisions").
const RotationOverlap = 24 * time.Hour

// Rotation is what RotatePlatform did: the certificate that signs from
// now on, and the one it replaced, reissued to expire at the end of the
// overlap.
type Rotation struct {
	Current, Previous Certificate
}

// RotatePlatform replaces the platform certificate, as WeChat does when
// one nears its expiry: a new key and certificate (a new serial, valid
// CertificateValidity from now on the fake's clock) sign every answer
// and callback from now on, and the old certificate, reissued with the
// same serial and key, expires overlap from now (0: now), listed by
// PlatformCertificates until then. A merchant that downloaded only the
// old one meets callbacks whose Wechatpay-Serial it does not know, and
// must download the certificates again.
//
// Until the old certificate expires it signs GET /v3/certificates'
// answer (CertificatesSigner), which lists both. In a keys directory the
// new key and certificate replace platform_key.pem and platform_cert.pem,
// and the old key and reissued certificate are platform_key_previous.pem
// and platform_cert_previous.pem, so the next Open is the same identity.
func (id *Identity) RotatePlatform(overlap time.Duration) (Rotation, error) {
	if overlap < 0 {
		return Rotation{}, fmt.Errorf("paykeys: rotation overlap %s: want 0 or more", overlap)
	}
	keys, err := generateKeys(1)
	if err != nil {
		return Rotation{}, err
	}
	now := id.now()
	cert, certPEM, err := newCertificate(keys[0], platformSubject, now, rand.Reader)
	if err != nil {
		return Rotation{}, err
	}
	next, err := newPlatform(keys[0], Certificate{Cert: cert, PEM: certPEM}, id.now)
	if err != nil {
		return Rotation{}, err
	}

	id.mu.Lock()
	defer id.mu.Unlock()
	old, err := expire(id.platform, now.Truncate(time.Second).Add(overlap))
	if err != nil {
		return Rotation{}, err
	}
	prev, err := newPlatform(id.platform.key, old, id.now)
	if err != nil {
		return Rotation{}, err
	}
	// Written before the identity changes, each certificate after its
	// key: a directory left half-written by a failure holds a key without
	// its certificate, or one that does not match it, which Open refuses,
	// saying so.
	if err := id.dir.writePrivateKey(FilePreviousPlatformKey, id.platform.key); err != nil {
		return Rotation{}, err
	}
	if err := id.dir.write(FilePreviousPlatformCertificate, old.PEM); err != nil {
		return Rotation{}, err
	}
	if err := id.dir.writePrivateKey(FilePlatformKey, keys[0]); err != nil {
		return Rotation{}, err
	}
	if err := id.dir.write(FilePlatformCertificate, certPEM); err != nil {
		return Rotation{}, err
	}
	id.platform, id.previous = next, &prev
	return Rotation{Current: next.cert, Previous: old}, nil
}

// expire reissues p's certificate, same serial, subject, key and start,
// to expire at end (or when it did, if sooner).
func expire(p platform, end time.Time) (Certificate, error) {
	c := p.cert.Cert
	tmpl := &x509.Certificate{
		SerialNumber:          c.SerialNumber,
		Subject:               c.Subject,
		Issuer:                c.Subject,
		NotBefore:             c.NotBefore,
		NotAfter:              end,
		KeyUsage:              c.KeyUsage,
		BasicConstraintsValid: true,
	}
	if c.NotAfter.Before(end) {
		tmpl.NotAfter = c.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.key.PublicKey, p.key)
	if err != nil {
		return Certificate{}, fmt.Errorf("paykeys: reissue the platform certificate %s to expire: %w", apiv3.SerialOf(c), err)
	}
	out, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificate{}, fmt.Errorf("paykeys: read the reissued certificate: %w", err)
	}
	return Certificate{Cert: out, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

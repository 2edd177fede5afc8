package paykeys

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// DefaultMchID is the demo merchant's id when Options gives none: the
// mchid of WeChat's own documentation examples.
const DefaultMchID = "1900000109"

// Identity is the fake WeChat Pay's keys and its demo (or brought) merchant.
// It is safe for concurrent use; only its platform certificate changes
// once it is made (RotatePlatform).
type Identity struct {
	publicKeyID string
	publicKey   *rsa.PrivateKey // the WeChat Pay public key's private half
	merchant    Merchant
	pubSigner   *apiv3.Signer
	now         func() time.Time
	dir         dir // where a rotation writes the new certificate ("": memory)

	mu       sync.RWMutex // guards the fields below; a leaf
	platform platform
	// previous is the certificate the last rotation replaced, listed by
	// GET /v3/certificates until its NotAfter, which it signs until then
	// (nil: none).
	previous *platform
}

// platform is the platform certificate that signs, with its key.
type platform struct {
	key    *rsa.PrivateKey
	cert   Certificate
	signer *apiv3.Signer
}

// Certificate is a platform certificate and its PEM, as GET
// /v3/certificates encrypts it.
type Certificate struct {
	Cert *x509.Certificate
	PEM  []byte
}

// Merchant is the merchant the identity serves: the demo merchant the fake
// made, or one a merchant brought (its own API certificate or public key).
type Merchant struct {
	// MchID is the merchant's id (商户号).
	MchID string
	// SerialNo is its API certificate's serial (商户API证书序列号): what
	// its requests' Authorization names.
	SerialNo string
	// APIv3Key is its APIv3 key (32 characters): callbacks and platform
	// certificates are encrypted with it.
	APIv3Key string
	// PublicKey is its API public key: it verifies the merchant's
	// requests and encrypts payer_phone.
	PublicKey *rsa.PublicKey
	// PrivateKey is its API private key, nil when the merchant brought
	// only its certificate or public key.
	PrivateKey *rsa.PrivateKey
	// Certificate is its API certificate, nil when it brought only a key.
	Certificate *x509.Certificate
}

// PublicKeyID returns the id of the fake's WeChat Pay public key
// (PUB_KEY_ID_ and 32 digits), sent in Wechatpay-Serial with what it signs.
func (id *Identity) PublicKeyID() string { return id.publicKeyID }

// PublicKey returns the WeChat Pay public key: what merchants configure
// (pub_key.pem).
func (id *Identity) PublicKey() *rsa.PublicKey { return &id.publicKey.PublicKey }

// PlatformSerial returns the serial of the platform certificate that signs
// now (40 hexadecimal digits), sent in Wechatpay-Serial with what it signs.
func (id *Identity) PlatformSerial() string { return id.PlatformSigner().Serial() }

// PlatformCertificate returns the platform certificate that signs now. Do
// not modify it.
func (id *Identity) PlatformCertificate() *x509.Certificate {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.platform.cert.Cert
}

// PlatformCertificatePEM returns the platform certificate that signs now,
// in PEM.
func (id *Identity) PlatformCertificatePEM() []byte {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return append([]byte(nil), id.platform.cert.PEM...)
}

// PlatformCertificates returns the platform certificates WeChat lists at
// now (GET /v3/certificates): the one that signs, and, until its NotAfter,
// the one a rotation replaced, newest first. Do not modify them.
func (id *Identity) PlatformCertificates(now time.Time) []Certificate {
	id.mu.RLock()
	defer id.mu.RUnlock()
	out := []Certificate{id.platform.cert}
	if p := id.previous; p != nil && !now.After(p.cert.Cert.NotAfter) {
		out = append(out, p.cert)
	}
	return out
}

// CertificatesSigner returns the signer of GET /v3/certificates' answer at
// now in the modes of the platform certificate: during a rotation's
// overlap the certificate it replaced, which merchants already hold, so
// that they can trust the new one it lists (the official SDKs verify the
// list only with certificates they hold); else the one that signs.
func (id *Identity) CertificatesSigner(now time.Time) *apiv3.Signer {
	id.mu.RLock()
	defer id.mu.RUnlock()
	if p := id.previous; p != nil && !now.After(p.cert.Cert.NotAfter) {
		return p.signer
	}
	return id.platform.signer
}

// PublicKeySigner returns the signer of the WeChat Pay public key: it signs
// answers and callbacks with Wechatpay-Serial PUB_KEY_ID_….
func (id *Identity) PublicKeySigner() *apiv3.Signer { return id.pubSigner }

// PlatformSigner returns the signer of the platform certificate that signs
// now: it signs answers and callbacks with Wechatpay-Serial the
// certificate's serial.
func (id *Identity) PlatformSigner() *apiv3.Signer {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.platform.signer
}

// Merchant returns the merchant the identity serves. Its keys and
// certificate are shared: do not modify them.
func (id *Identity) Merchant() Merchant { return id.merchant }

// String describes the identity without its secrets, for banners and logs.
func (id *Identity) String() string {
	cert := id.PlatformCertificate()
	return fmt.Sprintf("mchid %s, merchant serial %s, WeChat Pay public key %s, platform certificate %s (valid to %s)",
		id.merchant.MchID, id.merchant.SerialNo, id.publicKeyID, apiv3.SerialOf(cert), cert.NotAfter.UTC().Format(time.DateOnly))
}

// newIdentity wires the signers of the keys given.
func newIdentity(d dir, pubID string, pub *rsa.PrivateKey, pf platform, previous *platform, m Merchant, now func() time.Time) (*Identity, error) {
	id := &Identity{publicKeyID: pubID, publicKey: pub, merchant: m, now: now, dir: d}
	var err error
	if id.pubSigner, err = apiv3.NewSigner(apiv3.SignerOptions{Key: pub, Serial: pubID, Now: now}); err != nil {
		return nil, err
	}
	if id.platform, err = newPlatform(pf.key, pf.cert, now); err != nil {
		return nil, err
	}
	if previous != nil {
		p, err := newPlatform(previous.key, previous.cert, now)
		if err != nil {
			return nil, err
		}
		id.previous = &p
	}
	return id, nil
}

// newPlatform wires the signer of a platform certificate.
func newPlatform(key *rsa.PrivateKey, c Certificate, now func() time.Time) (platform, error) {
	s, err := apiv3.NewSigner(apiv3.SignerOptions{Key: key, Serial: apiv3.SerialOf(c.Cert), Now: now})
	if err != nil {
		return platform{}, err
	}
	return platform{key: key, cert: c, signer: s}, nil
}

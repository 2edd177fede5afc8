package paykeys

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// DefaultMchID is the demo merchant's id when Options gives none: the
// mchid of WeChat's own documentation examples.
const DefaultMchID = "1900000109"

// Identity is the fake WeChat Pay's keys and its demo (or brought) merchant.
// It does not change once made and is safe for concurrent use.
type Identity struct {
	publicKeyID string
	publicKey   *rsa.PrivateKey // the WeChat Pay public key's private half
	platformKey *rsa.PrivateKey
	platform    *x509.Certificate
	platformPEM []byte
	merchant    Merchant

	pubSigner      *apiv3.Signer
	platformSigner *apiv3.Signer
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

// PlatformSerial returns the platform certificate's serial (40 hexadecimal
// digits), sent in Wechatpay-Serial with what it signs.
func (id *Identity) PlatformSerial() string { return id.platformSigner.Serial() }

// PlatformCertificate returns the platform certificate. Do not modify it.
func (id *Identity) PlatformCertificate() *x509.Certificate { return id.platform }

// PlatformCertificatePEM returns the platform certificate in PEM, as GET
// /v3/certificates encrypts it.
func (id *Identity) PlatformCertificatePEM() []byte { return append([]byte(nil), id.platformPEM...) }

// PublicKeySigner returns the signer of the WeChat Pay public key: it signs
// answers and callbacks with Wechatpay-Serial PUB_KEY_ID_….
func (id *Identity) PublicKeySigner() *apiv3.Signer { return id.pubSigner }

// PlatformSigner returns the signer of the platform certificate: it signs
// answers and callbacks with Wechatpay-Serial the certificate's serial.
func (id *Identity) PlatformSigner() *apiv3.Signer { return id.platformSigner }

// Merchant returns the merchant the identity serves. Its keys and
// certificate are shared: do not modify them.
func (id *Identity) Merchant() Merchant { return id.merchant }

// String describes the identity without its secrets, for banners and logs.
func (id *Identity) String() string {
	return fmt.Sprintf("mchid %s, merchant serial %s, WeChat Pay public key %s, platform certificate %s (valid to %s)",
		id.merchant.MchID, id.merchant.SerialNo, id.publicKeyID, id.PlatformSerial(), id.platform.NotAfter.UTC().Format(time.DateOnly))
}

// newIdentity wires the signers of the keys given.
func newIdentity(pubID string, pub, platformKey *rsa.PrivateKey, platform *x509.Certificate, platformPEM []byte, m Merchant, now func() time.Time) (*Identity, error) {
	id := &Identity{publicKeyID: pubID, publicKey: pub, platformKey: platformKey, platform: platform, platformPEM: platformPEM, merchant: m}
	var err error
	if id.pubSigner, err = apiv3.NewSigner(apiv3.SignerOptions{Key: pub, Serial: pubID, Now: now}); err != nil {
		return nil, err
	}
	if id.platformSigner, err = apiv3.NewSigner(apiv3.SignerOptions{Key: platformKey, Serial: apiv3.SerialOf(platform), Now: now}); err != nil {
		return nil, err
	}
	return id, nil
}

package paykeys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// CertificateValidity is how long the certificates the fake makes are
// valid: a platform certificate's five years ("平台证书有效期为5年"), from
// the moment it is made on the fake's clock.
const CertificateValidity = 5 * 365 * 24 * time.Hour

// keyBits is the size of the keys the fake makes: WeChat's scheme is
// WECHATPAY2-SHA256-RSA2048.
const keyBits = 2048

// generateKeys makes n RSA keys, each in its own goroutine: prime search
// is the whole cost of a fresh start, and its time varies a lot from key
// to key, so the keys are not made one after the other.
func generateKeys(n int) ([]*rsa.PrivateKey, error) {
	keys := make([]*rsa.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = rsa.GenerateKey(rand.Reader, keyBits) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("paykeys: generate an RSA key: %w", err)
		}
	}
	return keys, nil
}

// certificateSerial draws a certificate serial as WeChat's look: 20 random
// bytes, 40 hexadecimal digits once written by apiv3.SerialOf (the first
// byte is neither 0, which the hex form would drop, nor above 0x7f, which
// DER would need a 21st byte for).
func certificateSerial(r io.Reader) (*big.Int, error) {
	var b [20]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, fmt.Errorf("paykeys: draw a certificate serial: %w", err)
	}
	b[0] = 1 + b[0]%0x7f
	return new(big.Int).SetBytes(b[:]), nil
}

// newCertificate makes a self-signed certificate of key for subject, valid
// CertificateValidity from now, and returns it with its PEM.
func newCertificate(key *rsa.PrivateKey, subject pkix.Name, now time.Time, r io.Reader) (*x509.Certificate, []byte, error) {
	serial, err := certificateSerial(r)
	if err != nil {
		return nil, nil, err
	}
	start := now.Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		Issuer:                subject,
		NotBefore:             start,
		NotAfter:              start.Add(CertificateValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("paykeys: make a certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("paykeys: read the certificate made: %w", err)
	}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// The subjects of the certificates the fake makes: they say plainly that
// they are not WeChat's.
var (
	platformSubject = pkix.Name{CommonName: "mockwechat platform certificate (not WeChat Pay's)", Organization: []string{"payfeedback mockwechat"}}
)

func merchantSubject(mchid string) pkix.Name {
	return pkix.Name{CommonName: mchid, Organization: []string{"payfeedback mockwechat demo merchant"}}
}

// PublicKeyIDOf returns the id the fake gives a WeChat Pay public key:
// PUB_KEY_ID_ and 32 decimal digits taken from the SHA-256 of the key's
// DER, so the same key always has the same id (WeChat's ids are
// PUB_KEY_ID_ and digits; how WeChat makes them is not documented).
func PublicKeyIDOf(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil { // an RSA public key always marshals
		panic("paykeys: marshal an RSA public key: " + err.Error())
	}
	sum := sha256.Sum256(der)
	n := new(big.Int).SetBytes(sum[:])
	n.Mod(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(32), nil))
	return fmt.Sprintf("%s%032s", apiv3.PublicKeyIDPrefix, n.String())
}

// newAPIv3Key draws a 32-character APIv3 key of [0-9A-Za-z], as the
// merchant platform lets merchants set.
func newAPIv3Key(r io.Reader) (string, error) {
	k, err := apiv3.Nonce(r)
	if err != nil {
		return "", fmt.Errorf("paykeys: draw an APIv3 key: %w", err)
	}
	return k[:apiv3.APIv3KeyLength], nil
}

// encodeCertificate returns c in PEM.
func encodeCertificate(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

package apiv3

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// PublicKeyIDPrefix starts the id of a WeChat Pay public key, as WeChat
// shows it in the merchant platform (商户平台 → API安全 → 微信支付公钥) and
// sends it in Wechatpay-Serial: PUB_KEY_ID_ followed by digits. Keep the
// prefix when configuring the id.
const PublicKeyIDPrefix = "PUB_KEY_ID_"

// MinKeyBits is the smallest RSA key the package accepts: the scheme is
// WECHATPAY2-SHA256-RSA2048, and WeChat's keys have 2048-bit moduli.
const MinKeyBits = 2048

// IsPublicKeyID reports whether serial names a WeChat Pay public key (it
// starts with PUB_KEY_ID_) rather than a certificate's serial number.
func IsPublicKeyID(serial string) bool {
	return strings.HasPrefix(serial, PublicKeyIDPrefix)
}

// ParsePrivateKey parses a PEM-encoded RSA private key: PKCS#8 ("BEGIN
// PRIVATE KEY"), the form of the apiclient_key.pem the merchant platform
// gives, or PKCS#1 ("BEGIN RSA PRIVATE KEY"). The key must have at least
// MinKeyBits bits.
func ParsePrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, err := onePEM(pemBytes, "private key")
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("apiv3: PEM block %q is not a private key: want \"PRIVATE KEY\" (PKCS#8, as apiclient_key.pem)", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("apiv3: parse private key: %w", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("apiv3: the private key is a %T, not RSA: APIv3 signs with RSA (WECHATPAY2-SHA256-RSA2048)", key)
	}
	if rk.N.BitLen() < MinKeyBits {
		return nil, fmt.Errorf("apiv3: the private key has %d bits, want at least %d", rk.N.BitLen(), MinKeyBits)
	}
	return rk, nil
}

// ParsePublicKey parses a PEM-encoded RSA public key ("BEGIN PUBLIC KEY",
// the form of the pub_key.pem WeChat gives for its public key) or the
// public key of a certificate ("BEGIN CERTIFICATE").
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, err := onePEM(pemBytes, "public key")
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = c.PublicKey
		}
	default:
		return nil, fmt.Errorf("apiv3: PEM block %q is not a public key: want \"PUBLIC KEY\" (as pub_key.pem)", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("apiv3: parse public key: %w", err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("apiv3: the public key is a %T, not RSA", key)
	}
	if rk.N.BitLen() < MinKeyBits {
		return nil, fmt.Errorf("apiv3: the public key has %d bits, want at least %d", rk.N.BitLen(), MinKeyBits)
	}
	return rk, nil
}

// ParseCertificate parses a PEM-encoded X.509 certificate with an RSA key:
// a WeChat Pay platform certificate, or the merchant's API certificate
// (apiclient_cert.pem), whose serial number is the merchant's serial_no.
func ParseCertificate(pemBytes []byte) (*x509.Certificate, error) {
	block, err := onePEM(pemBytes, "certificate")
	if err != nil {
		return nil, err
	}
	if block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("apiv3: PEM block %q is not a certificate", block.Type)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("apiv3: parse certificate: %w", err)
	}
	if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("apiv3: certificate %s has a %T key, not RSA", SerialOf(c), c.PublicKey)
	}
	return c, nil
}

// SerialOf returns c's serial number as WeChat writes it: upper-case
// hexadecimal of the serial's bytes, no separators (40 digits for
// WeChat's certificates).
func SerialOf(c *x509.Certificate) string {
	return fmt.Sprintf("%X", c.SerialNumber.Bytes())
}

// LoadPrivateKeyFile reads and parses a private key file (see
// ParsePrivateKey). The error names the file but never its content.
func LoadPrivateKeyFile(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("apiv3: read private key: %w", err)
	}
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadPublicKeyFile reads and parses a public key file (see
// ParsePublicKey).
func LoadPublicKeyFile(path string) (*rsa.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("apiv3: read public key: %w", err)
	}
	k, err := ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// EncodePrivateKey returns key as PKCS#8 PEM ("BEGIN PRIVATE KEY"), the
// form of apiclient_key.pem.
func EncodePrivateKey(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("apiv3: encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// EncodePublicKey returns key as PKIX PEM ("BEGIN PUBLIC KEY"), the form
// of pub_key.pem.
func EncodePublicKey(key *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("apiv3: encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// onePEM decodes the first PEM block of b.
func onePEM(b []byte, what string) (*pem.Block, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		if len(b) == 0 {
			return nil, fmt.Errorf("apiv3: the %s is empty", what)
		}
		return nil, errors.New("apiv3: no PEM block found in the " + what + ": want a file that starts with -----BEGIN")
	}
	return block, nil
}

package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// The key files are the PEM files OpenSSL reads and writes: a private key
// in PKCS #8 ("PRIVATE KEY", as openssl genpkey -algorithm ed25519
// writes it) and a public key in PKIX ("PUBLIC KEY", as openssl pkey
// -pubout writes it).

// GenerateKey returns a new Ed25519 key from crypto/rand.
func GenerateKey() ed25519.PrivateKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil { // crypto/rand does not fail
		panic("evidence: generating a key: " + err.Error())
	}
	return priv
}

// MarshalPrivateKey encodes key as a PKCS #8 PEM block ("PRIVATE KEY").
func MarshalPrivateKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("evidence: encoding the private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPublicKey encodes key as a PKIX PEM block ("PUBLIC KEY"), the
// bundle's key.pub.pem.
func MarshalPublicKey(key ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("evidence: encoding the public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePrivateKey reads an Ed25519 private key from a PKCS #8 PEM file
// (openssl genpkey -algorithm ed25519, or payfeedback evidence keygen).
func ParsePrivateKey(pemBytes []byte) (ed25519.PrivateKey, error) {
	block, err := onePEM(pemBytes, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("evidence: not a PKCS #8 private key: %w", err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("evidence: a %T, not an Ed25519 key: make one with openssl genpkey -algorithm ed25519", key)
	}
	return priv, nil
}

// ParsePublicKey reads an Ed25519 public key from a PKIX PEM file
// (openssl pkey -pubout, the .pub file payfeedback evidence keygen
// writes, or a bundle's key.pub.pem).
func ParsePublicKey(pemBytes []byte) (ed25519.PublicKey, error) {
	block, err := onePEM(pemBytes, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("evidence: not a PKIX public key: %w", err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("evidence: a %T, not an Ed25519 key", key)
	}
	return pub, nil
}

// errPrivateForPublic is ParsePublicKey's answer to a private key.
var errPrivateForPublic = errors.New("evidence: this is a private key; give its public half (openssl pkey -in FILE -pubout), and keep the private key to yourself")

// onePEM returns the one PEM block of b, of type want.
func onePEM(b []byte, want string) (*pem.Block, error) {
	block, rest := pem.Decode(b)
	switch {
	case block == nil:
		return nil, fmt.Errorf("evidence: no PEM block (want %q)", want)
	case want == "PUBLIC KEY" && (block.Type == "PRIVATE KEY" || block.Type == "ENCRYPTED PRIVATE KEY"):
		return nil, errPrivateForPublic
	case block.Type != want:
		return nil, fmt.Errorf("evidence: a PEM block of type %q, want %q", block.Type, want)
	case len(block.Headers) > 0:
		return nil, fmt.Errorf("evidence: the %q PEM block has headers (an encrypted key?)", want)
	}
	if next, _ := pem.Decode(rest); next != nil {
		return nil, fmt.Errorf("evidence: more than one PEM block (want one %q)", want)
	}
	return block, nil
}

// Fingerprint names a public key: "sha256:" and the hex SHA-256 of its
// PKIX DER encoding, which standard tools compute too:
//
//	openssl pkey -pubin -in key.pub.pem -outform DER | sha256sum
func Fingerprint(key ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil { // an ed25519.PublicKey of the wrong length
		return "sha256:(invalid key)"
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

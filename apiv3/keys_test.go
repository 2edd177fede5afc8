package apiv3

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	key := merchantKey(t)
	p8, err := EncodePrivateKey(key)
	if err != nil || !bytes.HasPrefix(p8, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Fatalf("EncodePrivateKey: %s, %v", p8, err)
	}
	back, err := ParsePrivateKey(p8)
	if err != nil || !back.Equal(key) {
		t.Fatalf("PKCS#8 round trip: %v", err)
	}
	p1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if back, err := ParsePrivateKey(p1); err != nil || !back.Equal(key) {
		t.Errorf("PKCS#1: %v", err)
	}
	pub, err := EncodePublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := ParsePublicKey(pub); err != nil || !back.Equal(&key.PublicKey) {
		t.Errorf("public key round trip: %v", err)
	}
	if back, err := ParsePublicKey(testdata(t, "wechatpay-go-test-platform-cert.pem")); err != nil || !back.Equal(&wechatKey(t).PublicKey) {
		t.Errorf("public key of a certificate: %v", err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "apiclient_key.pem")
	if err := os.WriteFile(path, p8, 0o600); err != nil {
		t.Fatal(err)
	}
	if k, err := LoadPrivateKeyFile(path); err != nil || !k.Equal(key) {
		t.Errorf("LoadPrivateKeyFile: %v", err)
	}
	if _, err := LoadPublicKeyFile(path); err == nil || strings.Contains(err.Error(), "MII") {
		t.Errorf("a private key as public: %v (and the error must not quote the key)", err)
	}

	for name, in := range map[string][]byte{
		"empty":       nil,
		"not PEM":     []byte("hello"),
		"certificate": testdata(t, "wechatpay-go-test-platform-cert.pem"),
		"public key":  pub,
		"small key":   pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(smallKey(t))}),
	} {
		if _, err := ParsePrivateKey(in); err == nil {
			t.Errorf("ParsePrivateKey(%s) accepted", name)
		}
	}
}

// smallKey is a 1024-bit key, refused everywhere.
func smallKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

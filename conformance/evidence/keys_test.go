package evidence

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestOpenSSLKeys: the files OpenSSL writes (genpkey -algorithm ed25519,
// pkey -pubout) are read; a signature OpenSSL made verifies; the
// fingerprint is the one "openssl pkey -pubin -outform DER | sha256sum"
// printed for the public key.
func TestOpenSSLKeys(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	priv, err := ParsePrivateKey(read("openssl.key"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(read("openssl.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) {
		t.Error("the public key is not the private key's half")
	}
	if !ed25519.Verify(pub, read("openssl.msg"), read("openssl.sig")) {
		t.Error("OpenSSL's signature does not verify")
	}
	if got, want := Fingerprint(pub), "sha256:df04567f1ffa6d7c49be63195acd1ec6746276e948918b0cd772c50c63690e7c"; got != want {
		t.Errorf("fingerprint %s, want %s (openssl's)", got, want)
	}
	// And back: what MarshalPrivateKey and MarshalPublicKey write is what
	// OpenSSL wrote.
	b, err := MarshalPrivateKey(priv)
	if err != nil || string(b) != string(read("openssl.key")) {
		t.Errorf("MarshalPrivateKey:\n%s%v", b, err)
	}
	if b, err := MarshalPublicKey(pub); err != nil || string(b) != string(read("openssl.pub")) {
		t.Errorf("MarshalPublicKey:\n%s%v", b, err)
	}
}

// TestKeysRefused: each wrong key file says what is wrong.
func TestKeysRefused(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPriv, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	ed, _ := MarshalPrivateKey(keyOf(1))
	edPub, _ := MarshalPublicKey(publicOf(keyOf(1)))
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	tests := []struct {
		name   string
		public bool
		in     []byte
		want   string
	}{
		{"not PEM", false, []byte("hello"), "no PEM block"},
		{"a public key for a private one", false, edPub, `type "PUBLIC KEY", want "PRIVATE KEY"`},
		{"a private key for a public one", true, ed, "this is a private key; give its public half"},
		{"an ECDSA private key", false, pemOf("PRIVATE KEY", ecPriv), "not an Ed25519 key"},
		{"an ECDSA public key", true, pemOf("PUBLIC KEY", ecPub), "not an Ed25519 key"},
		{"two keys", true, append(append([]byte{}, edPub...), edPub...), "more than one PEM block"},
		{"garbage inside", true, pemOf("PUBLIC KEY", []byte("nope")), "not a PKIX public key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.public {
				_, err = ParsePublicKey(tc.in)
			} else {
				_, err = ParsePrivateKey(tc.in)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v; want %q", err, tc.want)
			}
		})
	}
	if _, err := ParsePublicKey(ed); !errors.Is(err, errPrivateForPublic) {
		t.Errorf("a private key given as public: %v", err)
	}
}

// TestGenerateKey: two keys differ, and each round-trips through PEM.
func TestGenerateKey(t *testing.T) {
	a, b := GenerateKey(), GenerateKey()
	if a.Equal(b) {
		t.Fatal("two keys are one")
	}
	pemBytes, err := MarshalPrivateKey(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(pemBytes)
	if err != nil || !back.Equal(a) {
		t.Errorf("round trip: %v", err)
	}
}

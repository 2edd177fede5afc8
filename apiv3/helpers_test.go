package apiv3

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The test keys (testdata/apiv3/README.md): the SDK's test key plays
// WeChat (its platform certificate, and a public key id), the SDK's mock
// merchant key plays the merchant, and a third key plays an impostor.
const (
	testPubKeyID       = "PUB_KEY_ID_0000000000000024101100397200000006"
	testCertSerial     = "D7CE59D1F522D701"
	testMerchantSerial = "BE6DCDA7A5931FA0"
	testMchID          = "1234567890"
	testAPIv3Key       = "0123456789abcdef0123456789abcdef"
)

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "apiv3", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := ParsePrivateKey(testdata(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// wechatKey is the key WeChat signs with in the tests.
func wechatKey(t testing.TB) *rsa.PrivateKey { return testKey(t, "wechatpay-go-test-private-key.pem") }

// merchantKey is the merchant's API key in the tests.
func merchantKey(t testing.TB) *rsa.PrivateKey {
	return testKey(t, "wechatpay-go-mock-merchant-private-key.pem")
}

// otherKey is nobody's key.
func otherKey(t testing.TB) *rsa.PrivateKey { return testKey(t, "other-private-key.pem") }

func platformCert(t testing.TB) *x509.Certificate {
	t.Helper()
	c, err := ParseCertificate(testdata(t, "wechatpay-go-test-platform-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fixedNow(sec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, 0) }
}

func vectors(t testing.TB, name string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(testdata(t, name), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func decode[T any](t testing.TB, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// newVerifier returns a Verifier with the test public key (as
// testPubKeyID) and the platform certificate, at time now.
func newVerifier(t testing.TB, now int64) *Verifier {
	t.Helper()
	v, err := NewVerifier(VerifierOptions{
		PublicKeyID:  testPubKeyID,
		PublicKey:    &wechatKey(t).PublicKey,
		Certificates: []*x509.Certificate{platformCert(t)},
		Now:          fixedNow(now),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

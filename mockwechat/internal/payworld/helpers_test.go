package payworld

import (
	"crypto/rsa"
	"path/filepath"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

const (
	mch1 = "1900000109"
	mch2 = "1900000110"
	v3   = "0123456789abcdef0123456789abcdef"
)

// testKey reads a test key of the repository's testdata (the official
// SDK's public test keys).
func testKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := apiv3.LoadPrivateKeyFile(filepath.Join("..", "..", "..", "testdata", "apiv3", name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func merchantKey(t testing.TB) *rsa.PrivateKey {
	return testKey(t, "wechatpay-go-mock-merchant-private-key.pem")
}
func otherKey(t testing.TB) *rsa.PrivateKey { return testKey(t, "other-private-key.pem") }

// clock is a settable clock for a world.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newWorld returns a world with two merchants on a clock at t0.
func newWorld(t testing.TB, rules Rules) (*World, *clock) {
	t.Helper()
	c := &clock{t0}
	w := New(Config{Rules: rules, Seed: 7}, c.now)
	for _, m := range []Merchant{
		{MchID: mch1, SerialNo: "BE6DCDA7A5931FA0", PublicKey: &merchantKey(t).PublicKey, APIv3Key: v3},
		{MchID: mch2, SerialNo: "0123456789ABCDEF", PublicKey: &otherKey(t).PublicKey, APIv3Key: v3},
	} {
		if _, err := w.AddMerchant(m); err != nil {
			t.Fatal(err)
		}
	}
	return w, c
}

// png is the smallest PNG a check of the format accepts.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

func must[T any](t testing.TB) func(T, Effects, error) T {
	return func(v T, _ Effects, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// upload uploads an image as mchid and returns its media_id.
func upload(t testing.TB, w *World, mchid string) string {
	t.Helper()
	meta, err := complaints.NewUploadMeta("shot.png", png)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := w.UploadImage(mchid, meta, png)
	if err != nil {
		t.Fatal(err)
	}
	return a.MediaID
}

package paykeys

import (
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// openGenerated opens a copy of the generated directory.
func openGenerated(t *testing.T) *Identity {
	t.Helper()
	id, err := Open(Options{Dir: copyDir(t), Now: at(t0)})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPublicKeyShare(t *testing.T) {
	began := t0
	cases := []struct {
		after time.Duration
		want  float64
	}{
		{-time.Second, 0},
		{0, 0.001},
		{24*time.Hour - time.Nanosecond, 0.001},
		{24 * time.Hour, 0.01},
		{2 * 24 * time.Hour, 0.05},
		{3 * 24 * time.Hour, 0.10},
		{4 * 24 * time.Hour, 0.20},
		{5*24*time.Hour + 23*time.Hour, 0.50},
		{6 * 24 * time.Hour, 1},
		{400 * 24 * time.Hour, 1},
	}
	for _, c := range cases {
		if got := PublicKeyShare(began, began.Add(c.after)); got != c.want {
			t.Errorf("%v after the switch began: share %v, want %v", c.after, got, c.want)
		}
	}
}

// TestCallbackProportions: during the switch, the public key signs each
// day's share of callbacks. 200,000 draws a day from a fixed seed; each
// count must lie within 5 standard deviations of the share (the test is
// deterministic: the seed fixes the draws).
func TestCallbackProportions(t *testing.T) {
	id := openGenerated(t)
	s, err := NewSigning(SigningOptions{Identity: id, Mode: ModeSwitch, SwitchBegan: t0, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200_000
	for day := range 8 {
		now := t0.Add(time.Duration(day)*24*time.Hour + 12*time.Hour)
		p := PublicKeyShare(t0, now)
		pub := 0
		for range n {
			switch s.Callback(now) {
			case id.PublicKeySigner():
				pub++
			case id.PlatformSigner():
			default:
				t.Fatal("a signer that is neither key's")
			}
		}
		sigma := math.Sqrt(n * p * (1 - p))
		if diff := math.Abs(float64(pub) - n*p); diff > 5*sigma || (p == 1 && pub != n) {
			t.Errorf("day %d: the public key signed %d of %d callbacks, want %.0f ± %.0f (share %v)", day+1, pub, n, n*p, 5*sigma, p)
		}
	}
	if err := s.SetMode(ModePublicKey, t0); err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if s.Callback(t0) != id.PublicKeySigner() {
			t.Fatal("public-key mode: a callback signed by the certificate")
		}
	}
	if err := s.SetMode(ModePlatformCertificate, t0); err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if s.Callback(t0.Add(30*24*time.Hour)) != id.PlatformSigner() {
			t.Fatal("platform-certificate mode: a callback signed by the public key")
		}
	}
}

// TestSameSeedSameDraws: a seed replays a run's choices.
func TestSameSeedSameDraws(t *testing.T) {
	id := openGenerated(t)
	a, _ := NewSigning(SigningOptions{Identity: id, Mode: ModeSwitch, SwitchBegan: t0, Seed: 7})
	b, _ := NewSigning(SigningOptions{Identity: id, Mode: ModeSwitch, SwitchBegan: t0, Seed: 7})
	now := t0.Add(5 * 24 * time.Hour) // 50 %
	for i := range 200 {
		if a.Callback(now) != b.Callback(now) {
			t.Fatalf("draw %d differs", i)
		}
	}
}

// TestAnswerSigner: which key signs an answer, by mode and by the
// request's Wechatpay-Serial.
func TestAnswerSigner(t *testing.T) {
	id := openGenerated(t)
	pub, cert := id.PublicKeySigner(), id.PlatformSigner()
	cases := []struct {
		mode   Mode
		serial string
		want   *apiv3.Signer
	}{
		{ModePublicKey, "", pub},
		{ModePublicKey, id.PlatformSerial(), pub}, // no certificate outside the switch
		{ModePlatformCertificate, "", cert},
		{ModePlatformCertificate, id.PublicKeyID(), cert}, // ignored before the switch
		{ModeSwitch, "", cert},                            // the certificate by default
		{ModeSwitch, id.PlatformSerial(), cert},
		{ModeSwitch, id.PublicKeyID(), pub},
		{ModeSwitch, "PUB_KEY_ID_00000000000000000000000000000001", cert}, // unknown: the default
	}
	for _, c := range cases {
		s, err := NewSigning(SigningOptions{Identity: id, Mode: c.mode, SwitchBegan: t0})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Answer(c.serial); got != c.want {
			t.Errorf("%s, Wechatpay-Serial %q: signed by %s, want %s", c.mode, c.serial, got.Serial(), c.want.Serial())
		}
	}
}

// TestSignaturesVerify: what each signer signs, a merchant's verifier in
// the matching mode believes; in the other mode it does not know the key.
func TestSignaturesVerify(t *testing.T) {
	id := openGenerated(t)
	now := at(t0.Add(time.Minute)) // the signers stamp t0, the identity's clock
	body := []byte(`{"id":"EV-1"}`)
	for _, c := range []struct {
		signer *apiv3.Signer
		ok     Mode
		not    Mode
	}{
		{id.PublicKeySigner(), ModePublicKey, ModePlatformCertificate},
		{id.PlatformSigner(), ModePlatformCertificate, ModePublicKey},
	} {
		h := http.Header{}
		if err := c.signer.SignHeaders(h, body); err != nil {
			t.Fatal(err)
		}
		for _, m := range []Mode{c.ok, ModeSwitch} {
			v, err := id.Verifier(m, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Verify(apiv3.SignatureHeadersOf(h), body); err != nil {
				t.Errorf("%s signed, a %s merchant refuses: %v", c.signer.Serial(), m, err)
			}
		}
		v, _ := id.Verifier(c.not, now)
		if err := v.Verify(apiv3.SignatureHeadersOf(h), body); !errors.Is(err, apiv3.ErrUnknownSerial) {
			t.Errorf("%s signed, a %s merchant: %v, want an unknown serial", c.signer.Serial(), c.not, err)
		}
	}
}

func TestSigningOptions(t *testing.T) {
	id := openGenerated(t)
	if _, err := NewSigning(SigningOptions{}); err == nil {
		t.Error("no identity accepted")
	}
	if _, err := NewSigning(SigningOptions{Identity: id, Mode: ModeSwitch}); err == nil {
		t.Error("a switch without its start accepted")
	}
	if _, err := NewSigning(SigningOptions{Identity: id, Mode: "both"}); err == nil {
		t.Error("an unknown mode accepted")
	}
	s, _ := NewSigning(SigningOptions{Identity: id})
	if m, _ := s.Mode(); m != ModePublicKey {
		t.Errorf("default mode %s", m)
	}
	s.SetMode(ModeSwitch, t0)
	s.SetMode(ModeSwitch, t0.Add(time.Hour)) // staying keeps the start
	if m, began := s.Mode(); m != ModeSwitch || !began.Equal(t0) {
		t.Errorf("mode %s began %s", m, began)
	}
}

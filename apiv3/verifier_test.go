package apiv3

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func sign(t testing.TB, s *Signer, body []byte) SignatureHeaders {
	t.Helper()
	h := http.Header{}
	if err := s.SignHeaders(h, body); err != nil {
		t.Fatal(err)
	}
	return SignatureHeadersOf(h)
}

func signerAt(t testing.TB, serial string, key string, now int64) *Signer {
	t.Helper()
	s, err := NewSigner(SignerOptions{Key: testKey(t, key), Serial: serial, Now: fixedNow(now)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifier(t *testing.T) {
	const now = 1800000000
	body := []byte(`{"id":"EV-1"}`)
	wechat := "wechatpay-go-test-private-key.pem"
	byPub := signerAt(t, testPubKeyID, wechat, now)
	byCert := signerAt(t, testCertSerial, wechat, now)
	other := signerAt(t, testPubKeyID, "other-private-key.pem", now)
	v := newVerifier(t, now)

	mod := func(h SignatureHeaders, f func(*SignatureHeaders)) SignatureHeaders { f(&h); return h }
	good := sign(t, byPub, body)
	for _, tc := range []struct {
		name string
		h    SignatureHeaders
		body []byte
		err  error
	}{
		{"public key", good, body, nil},
		{"platform certificate", sign(t, byCert, body), body, nil},
		{"no signature type", mod(good, func(h *SignatureHeaders) { h.SignatureType = "" }), body, nil},
		{"4m59s old", sign(t, signerAt(t, testPubKeyID, wechat, now-299), body), body, nil},
		{"4m59s ahead", sign(t, signerAt(t, testPubKeyID, wechat, now+299), body), body, nil},
		{"5m old", sign(t, signerAt(t, testPubKeyID, wechat, now-300), body), body, ErrTooOld},
		{"6m old", sign(t, signerAt(t, testPubKeyID, wechat, now-360), body), body, ErrTooOld},
		{"6m ahead", sign(t, signerAt(t, testPubKeyID, wechat, now+360), body), body, ErrTooNew},
		{"tampered body", good, []byte(`{"id":"EV-2"}`), ErrBadSignature},
		{"body with a trailing newline", good, append(body, '\n'), ErrBadSignature},
		{"tampered nonce", mod(good, func(h *SignatureHeaders) { h.Nonce += "x" }), body, ErrBadSignature},
		{"tampered timestamp", mod(good, func(h *SignatureHeaders) { h.Timestamp = strconv.Itoa(now - 1) }), body, ErrBadSignature},
		{"another key", sign(t, other, body), body, ErrBadSignature},
		{"signed by the key, named as the certificate", mod(sign(t, other, body), func(h *SignatureHeaders) { h.Serial = testCertSerial }), body, ErrBadSignature},
		{"probe", mod(good, func(h *SignatureHeaders) { h.Signature = "WECHATPAY/SIGNTEST/" + h.Signature }), body, ErrSignatureProbe},
		{"probe with an unknown serial", mod(good, func(h *SignatureHeaders) {
			h.Signature = "WECHATPAY/SIGNTEST/!!not base64"
			h.Serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
		}), body, ErrSignatureProbe},
		{"unknown certificate serial", mod(good, func(h *SignatureHeaders) { h.Serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1" }), body, ErrUnknownSerial},
		{"unknown public key id", mod(good, func(h *SignatureHeaders) { h.Serial = "PUB_KEY_ID_0000000000000024101100397200000007" }), body, ErrUnknownSerial},
		{"not Base64", mod(good, func(h *SignatureHeaders) { h.Signature = "%%%" }), body, ErrBadSignature},
		{"too long", mod(good, func(h *SignatureHeaders) { h.Signature = strings.Repeat("A", 4096) }), body, ErrBadSignature},
		{"empty signature", mod(good, func(h *SignatureHeaders) { h.Signature = "" }), body, ErrMissingHeader},
		{"no serial", mod(good, func(h *SignatureHeaders) { h.Serial = "" }), body, ErrMissingHeader},
		{"no nonce", mod(good, func(h *SignatureHeaders) { h.Nonce = "" }), body, ErrMissingHeader},
		{"no timestamp", mod(good, func(h *SignatureHeaders) { h.Timestamp = "" }), body, ErrMissingHeader},
		{"timestamp in ms", mod(good, func(h *SignatureHeaders) { h.Timestamp = "1800000000000" }), body, ErrTooNew},
		{"timestamp not a number", mod(good, func(h *SignatureHeaders) { h.Timestamp = "soon" }), body, ErrMalformedTimestamp},
		{"timestamp with a sign", mod(good, func(h *SignatureHeaders) { h.Timestamp = "+1800000000" }), body, ErrMalformedTimestamp},
		{"other signature type", mod(good, func(h *SignatureHeaders) { h.SignatureType = "WECHATPAY-BRAND-SHA256-RSA2048" }), body, ErrSignatureType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Verify(tc.h, tc.body)
			if tc.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Detail == "" {
				t.Errorf("%v: not a *VerifyError with a detail", err)
			}
		})
	}
}

func TestProbeIsABadSignature(t *testing.T) {
	v := newVerifier(t, 1800000000)
	h := sign(t, signerAt(t, testPubKeyID, "wechatpay-go-test-private-key.pem", 1800000000), nil)
	h.Signature = ProbeSignaturePrefix + "ZmFrZQ=="
	err := v.Verify(h, nil)
	if !errors.Is(err, ErrSignatureProbe) || !errors.Is(err, ErrBadSignature) {
		t.Fatalf("probe: %v, want both ErrSignatureProbe and ErrBadSignature", err)
	}
}

func TestUnknownSerialSaysWhatToConfigure(t *testing.T) {
	now := int64(1800000000)
	certOnly, err := NewVerifier(VerifierOptions{Certificates: []*x509.Certificate{platformCert(t)}, Now: fixedNow(now)})
	if err != nil {
		t.Fatal(err)
	}
	h := sign(t, signerAt(t, testPubKeyID, "wechatpay-go-test-private-key.pem", now), nil)
	err = certOnly.Verify(h, nil)
	if !errors.Is(err, ErrUnknownSerial) || !strings.Contains(err.Error(), testPubKeyID) || !strings.Contains(err.Error(), "PublicKeyID") {
		t.Errorf("a public key id with certificates only: %v", err)
	}
	h.Serial = "0123456789ABCDEF"
	err = certOnly.Verify(h, nil)
	if !strings.Contains(err.Error(), "0123456789ABCDEF") || !strings.Contains(err.Error(), "/v3/certificates") {
		t.Errorf("an unknown certificate: %v", err)
	}
}

func TestExpiredCertificate(t *testing.T) {
	key := wechatKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x5157F09E),
		Subject:      pkix.Name{CommonName: "Tenpay.com Root CA"},
		NotBefore:    time.Unix(1600000000, 0),
		NotAfter:     time.Unix(1700000000, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	for _, tc := range []struct {
		now int64
		err error
	}{{1650000000, nil}, {1700000001, ErrCertificateExpired}, {1599999000, ErrCertificateExpired}} {
		v, err := NewVerifier(VerifierOptions{Certificates: []*x509.Certificate{c}, Now: fixedNow(tc.now)})
		if err != nil {
			t.Fatal(err)
		}
		h := sign(t, signerAt(t, SerialOf(c), "wechatpay-go-test-private-key.pem", tc.now), nil)
		if err := v.Verify(h, nil); !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
			t.Errorf("at %d: %v, want %v", tc.now, err, tc.err)
		}
		want := SerialOf(c)
		if tc.err != nil {
			want = ""
		}
		if got := v.AcceptSerial(); got != want {
			t.Errorf("at %d: AcceptSerial = %q, want %q", tc.now, got, want)
		}
	}
}

func TestVerifierSwitchAndRefresh(t *testing.T) {
	now := int64(1800000000)
	onlyPub, err := NewVerifier(VerifierOptions{PublicKeyID: testPubKeyID, PublicKey: &wechatKey(t).PublicKey, Now: fixedNow(now)})
	if err != nil {
		t.Fatal(err)
	}
	h := sign(t, signerAt(t, testCertSerial, "wechatpay-go-test-private-key.pem", now), nil)
	if err := onlyPub.Verify(h, nil); !errors.Is(err, ErrUnknownSerial) {
		t.Fatalf("a certificate's signature before the certificates are set: %v", err)
	}
	if err := onlyPub.SetCertificates([]*x509.Certificate{platformCert(t)}); err != nil {
		t.Fatal(err)
	}
	if err := onlyPub.Verify(h, nil); err != nil {
		t.Fatalf("after SetCertificates: %v", err)
	}
	if got := onlyPub.Serials(); len(got) != 2 || got[0] != testPubKeyID || got[1] != testCertSerial {
		t.Errorf("Serials = %q", got)
	}
	if got := onlyPub.AcceptSerial(); got != testPubKeyID {
		t.Errorf("AcceptSerial = %q, want the public key id", got)
	}
}

func TestNewVerifierRefusals(t *testing.T) {
	pub := &wechatKey(t).PublicKey
	for _, tc := range []struct {
		name string
		o    VerifierOptions
		want string
	}{
		{"nothing", VerifierOptions{}, "no key"},
		{"id without key", VerifierOptions{PublicKeyID: testPubKeyID}, "together"},
		{"key without id", VerifierOptions{PublicKey: pub}, "together"},
		{"id without prefix", VerifierOptions{PublicKeyID: "0000000000000024101100397200000006", PublicKey: pub}, "PUB_KEY_ID_"},
		{"negative window", VerifierOptions{PublicKeyID: testPubKeyID, PublicKey: pub, Window: -1}, "negative"},
	} {
		if _, err := NewVerifier(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

package apiv3

import (
	"bytes"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// The official SDK's published vectors (testdata/apiv3/published-vectors.json).
func TestPublishedVectors(t *testing.T) {
	pv := vectors(t, "published-vectors.json")

	t.Run("V1 sign", func(t *testing.T) {
		v := decode[struct{ Message, Signature string }](t, pv["V1_sign"])
		got, err := SignSHA256(wechatKey(t), []byte(v.Message))
		if err != nil {
			t.Fatal(err)
		}
		if got != v.Signature {
			t.Errorf("signature of %q:\n got %s\nwant %s", v.Message, got, v.Signature)
		}
	})

	t.Run("V1b certificate serial and key", func(t *testing.T) {
		c := platformCert(t)
		if got := SerialOf(c); got != testCertSerial {
			t.Errorf("SerialOf = %s, want %s", got, testCertSerial)
		}
		if !wechatKey(t).PublicKey.Equal(c.PublicKey) {
			t.Error("the certificate's key is not the test key's public half")
		}
	})

	t.Run("V2 callback", func(t *testing.T) {
		v := decode[struct {
			Headers                                      map[string]string
			Body, APIv3Key, Ciphertext, Nonce, Plaintext string
			AssociatedData                               string `json:"associated_data"`
		}](t, pv["V2_notify"])
		h := http.Header{}
		for k, val := range v.Headers {
			h.Set(k, val)
		}
		ver, err := NewVerifier(VerifierOptions{Certificates: []*x509.Certificate{platformCert(t)}, Now: fixedNow(1624523846)})
		if err != nil {
			t.Fatal(err)
		}
		if err := ver.Verify(SignatureHeadersOf(h), []byte(v.Body)); err != nil {
			t.Fatalf("the SDK's callback does not verify: %v", err)
		}
		o, err := NewOpener(OpenerOptions{Verifier: ver, APIv3Key: "testMchAPIv3Key0"})
		if err != nil {
			t.Fatal(err)
		}
		cb, err := o.Open(SignatureHeadersOf(h), []byte(v.Body))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if string(cb.Plaintext) != v.Plaintext {
			t.Errorf("plaintext %s, want %s", cb.Plaintext, v.Plaintext)
		}
		if cb.ID != "3119dfba-e649-5eec-ab1e-3412bc4d2e17" || cb.EventType != "PAYSCORE.USER_OPEN_SERVICE" || cb.Summary != "签约成功" || cb.Resource.OriginalType != "payscore" {
			t.Errorf("envelope %+v", cb.Notification)
		}
		// One byte changed anywhere in the body: refused.
		tampered := strings.Replace(v.Body, "签约成功", "签约失败", 1)
		if _, err := o.Open(SignatureHeadersOf(h), []byte(tampered)); !errors.Is(err, ErrBadSignature) {
			t.Errorf("a tampered body: %v, want ErrBadSignature", err)
		}
	})

	t.Run("V3 AES-GCM", func(t *testing.T) {
		v := decode[struct {
			Key, Nonce, Ciphertext, Plaintext string
			AssociatedData                    string `json:"associated_data"`
		}](t, pv["V3_aes_gcm"])
		a, err := NewAEAD(v.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Open(v.Nonce, v.AssociatedData, v.Ciphertext)
		if err != nil || string(got) != v.Plaintext {
			t.Fatalf("Open = %q, %v; want %q", got, err, v.Plaintext)
		}
		// Seal is Open's inverse: the same nonce gives the same ciphertext.
		ct, err := a.Seal(v.Nonce, v.AssociatedData, []byte(v.Plaintext))
		if err != nil || ct != v.Ciphertext {
			t.Errorf("Seal = %q, %v; want %q", ct, err, v.Ciphertext)
		}
	})

	t.Run("V4 certificates", func(t *testing.T) {
		a, err := NewAEAD("mockAPIv3Key1234")
		if err != nil {
			t.Fatal(err)
		}
		certs, err := DecryptCertificates(testdata(t, "wechatpay-go-certificates-response.json"), a)
		if err != nil {
			t.Fatal(err)
		}
		if len(certs) != 1 || SerialOf(certs[0]) != testCertSerial || !bytes.Equal(certs[0].Raw, platformCert(t).Raw) {
			t.Errorf("got %d certificates, first %s", len(certs), SerialOf(certs[0]))
		}
	})

	t.Run("V4c string to sign", func(t *testing.T) {
		v := decode[struct {
			Timestamp int64
			Nonce     string
			Get, Post string
			PostBody  string `json:"post_body"`
		}](t, pv["V4c_message"])
		if got := string(RequestMessage("GET", "/v3/certificates", v.Timestamp, v.Nonce, nil)); got != v.Get {
			t.Errorf("GET message %q, want %q", got, v.Get)
		}
		if got := string(RequestMessage("POST", "/v3/certificates", v.Timestamp, v.Nonce, []byte(v.PostBody))); got != v.Post {
			t.Errorf("POST message %q, want %q", got, v.Post)
		}
	})
}

// The derived Complaints 2.0 vectors (testdata/apiv3/derived-vectors.json).
func TestDerivedVectors(t *testing.T) {
	dv := vectors(t, "derived-vectors.json")
	const ts, nonce = 1700000000, "593BEC0C930BF1AFEB40B4A08C8FB242"

	t.Run("V5 GET list", func(t *testing.T) {
		v := decode[struct{ MchID, Message, Signature, Authorization string }](t, dv["V5_request_GET"])
		target := "/v3/merchant-service/complaints-v2?limit=5&offset=0&begin_date=2023-11-01&end_date=2023-11-14"
		msg := RequestMessage("GET", target, ts, nonce, nil)
		if string(msg) != v.Message {
			t.Fatalf("message %q, want %q", msg, v.Message)
		}
		sig, err := SignSHA256(merchantKey(t), msg)
		if err != nil || sig != v.Signature {
			t.Fatalf("signature %s, %v", sig, err)
		}
		a := Authorization{MchID: testMchID, Nonce: nonce, Timestamp: ts, SerialNo: testMerchantSerial, Signature: sig}
		if a.String() != v.Authorization {
			t.Errorf("header\n got %s\nwant %s", a.String(), v.Authorization)
		}
		back, err := ParseAuthorization(v.Authorization)
		if err != nil || back != a {
			t.Errorf("ParseAuthorization = %+v, %v", back, err)
		}
		if err := back.Verify(&merchantKey(t).PublicKey, "GET", target, nil); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})

	t.Run("V6 POST reply", func(t *testing.T) {
		v := decode[struct{ Body, Message, Signature string }](t, dv["V6_request_POST"])
		msg := RequestMessage("POST", "/v3/merchant-service/complaints-v2/200201820200101080076610000/response", ts, nonce, []byte(v.Body))
		if string(msg) != v.Message {
			t.Fatalf("message %q, want %q", msg, v.Message)
		}
		if sig, _ := SignSHA256(merchantKey(t), msg); sig != v.Signature {
			t.Errorf("signature %s, want %s", sig, v.Signature)
		}
	})

	t.Run("V6b upload meta", func(t *testing.T) {
		v := decode[struct{ Meta, Message, Signature string }](t, dv["V6b_request_upload"])
		msg := RequestMessage("POST", "/v3/merchant-service/images/upload", ts, nonce, []byte(v.Meta))
		if string(msg) != v.Message {
			t.Fatalf("message %q, want %q", msg, v.Message)
		}
		if sig, _ := SignSHA256(merchantKey(t), msg); sig != v.Signature {
			t.Errorf("signature %s, want %s", sig, v.Signature)
		}
	})

	t.Run("V4b 204 answer", func(t *testing.T) {
		v := decode[map[string]string](t, dv["V4b_response_204"])
		h := http.Header{}
		for _, k := range []string{HeaderTimestamp, HeaderNonce, HeaderSerial, HeaderSignature} {
			h.Set(k, v[k])
		}
		if got := string(AnswerMessage(v[HeaderTimestamp], v[HeaderNonce], nil)); got != v["message"] {
			t.Errorf("message %q, want %q", got, v["message"])
		}
		if err := newVerifier(t, 1700000001).Verify(SignatureHeadersOf(h), nil); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})

	t.Run("V8 complaint callback", func(t *testing.T) {
		v := decode[struct {
			APIv3Key  string `json:"apiv3_key"`
			Plaintext string
			Body      string
			Headers   map[string]string
		}](t, dv["V8_callback"])
		h := http.Header{}
		for k, val := range v.Headers {
			h.Set(k, val)
		}
		o, err := NewOpener(OpenerOptions{Verifier: newVerifier(t, 1700000002), APIv3Key: v.APIv3Key})
		if err != nil {
			t.Fatal(err)
		}
		cb, err := o.Open(SignatureHeadersOf(h), []byte(v.Body))
		if err != nil {
			t.Fatal(err)
		}
		if string(cb.Plaintext) != v.Plaintext || cb.EventType != "COMPLAINT.CREATE" || cb.ID != "EV-2018022511223320873" {
			t.Errorf("opened %+v %s", cb.Notification, cb.Plaintext)
		}
	})

	t.Run("V7 payer_phone", func(t *testing.T) {
		v := decode[struct{ Ciphertext, Plaintext string }](t, dv["V7_payer_phone_oaep"])
		got, err := DecryptOAEP(merchantKey(t), v.Ciphertext)
		if err != nil || got != v.Plaintext {
			t.Fatalf("DecryptOAEP = %q, %v", got, err)
		}
		if _, err := DecryptOAEP(otherKey(t), v.Ciphertext); !errors.Is(err, ErrOAEP) {
			t.Errorf("another key: %v, want ErrOAEP", err)
		}
		ct, err := EncryptOAEP(&merchantKey(t).PublicKey, "13800138000")
		if err != nil {
			t.Fatal(err)
		}
		if back, err := DecryptOAEP(merchantKey(t), ct); err != nil || back != "13800138000" {
			t.Errorf("round trip = %q, %v", back, err)
		}
	})
}

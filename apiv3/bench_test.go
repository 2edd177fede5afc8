package apiv3

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
)

// callbackFixture is one complaint callback signed with the public key
// and encrypted with a 32-byte APIv3 key, at time 1800000000.
func callbackFixture(b testing.TB) (SignatureHeaders, []byte) {
	b.Helper()
	s, err := NewSigner(SignerOptions{Key: wechatKey(b), Serial: testPubKeyID, Now: fixedNow(1800000000)})
	if err != nil {
		b.Fatal(err)
	}
	a, _ := NewAEAD(testAPIv3Key)
	r, err := a.SealResource("", "", []byte(`{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`), nil)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(Notification{ID: "EV-2018022511223320873", CreateTime: "2026-12-07T13:29:35+08:00", ResourceType: ResourceTypeEncrypted, EventType: "COMPLAINT.CREATE", Summary: "产生新投诉", Resource: r})
	h := http.Header{}
	if err := s.SignHeaders(h, body); err != nil {
		b.Fatal(err)
	}
	return SignatureHeadersOf(h), body
}

// BenchmarkOpenCallback is the whole receiving path of a callback: verify
// the signature, decode the envelope, decrypt the resource. Compare with
// BenchmarkOpenFloor, the bare RSA verification and GCM decryption of the
// same bytes (docs/performance.md: target ≤ 1.3×, ≤ 10 allocations).
func BenchmarkOpenCallback(b *testing.B) {
	h, body := callbackFixture(b)
	v := newVerifier(b, 1800000000)
	o, err := NewOpener(OpenerOptions{Verifier: v, APIv3Key: testAPIv3Key})
	if err != nil {
		b.Fatal(err)
	}
	var cb Callback
	now := v.now()
	b.ReportAllocs()
	for b.Loop() {
		if err := o.OpenInto(&cb, h, body, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenFloor does only what no receiver can skip: SHA-256 and RSA
// verification of the signed string, Base64 and GCM decryption of the
// resource (its fields found beforehand).
func BenchmarkOpenFloor(b *testing.B) {
	h, body := callbackFixture(b)
	floor := openFloor(b, h, body)
	b.ReportAllocs()
	for b.Loop() {
		floor(true)
	}
}

// openFloor returns the floor of opening the callback h, body: verify,
// and if decrypt, decrypt too.
func openFloor(t testing.TB, h SignatureHeaders, body []byte) func(decrypt bool) {
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		t.Fatal(err)
	}
	pub := &wechatKey(t).PublicKey
	block, _ := aes.NewCipher([]byte(testAPIv3Key))
	gcm, _ := cipher.NewGCM(block)
	sig, _ := base64.StdEncoding.DecodeString(h.Signature)
	msg := AnswerMessage(h.Timestamp, h.Nonce, body)
	ct, _ := base64.StdEncoding.DecodeString(n.Resource.Ciphertext)
	buf := make([]byte, 0, len(ct))
	return func(decrypt bool) {
		sum := sha256.Sum256(msg)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Fatal(err)
		}
		if !decrypt {
			return
		}
		if _, err := gcm.Open(buf[:0], []byte(n.Resource.Nonce), ct, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkSignAnswer is what the fake pays per signed answer.
func BenchmarkSignAnswer(b *testing.B) {
	s, _ := NewSigner(SignerOptions{Key: wechatKey(b), Serial: testPubKeyID})
	body := []byte(`{"complaint_id":"200201820200101080076610000","complaint_state":"PENDING"}`)
	h := http.Header{}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.SignHeaders(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

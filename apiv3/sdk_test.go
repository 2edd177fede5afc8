package apiv3

// The official SDK, github.com/wechatpay-apiv3/wechatpay-go v0.2.21 (a test
// dependency only), is the proof that what this package signs and
// encrypts is what WeChat signs and encrypts, and the reverse.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/credentials"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/signers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/validators"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// The SDK's Authorization headers verify with ours, for every method and
// body shape, including a body with json.Encoder's trailing newline.
func TestSDKAuthorizationVerifiesWithOurs(t *testing.T) {
	cred := credentials.WechatPayCredentials{Signer: &signers.SHA256WithRSASigner{
		MchID: testMchID, PrivateKey: merchantKey(t), CertificateSerialNo: testMerchantSerial,
	}}
	for _, tc := range []struct{ method, target, body string }{
		{"GET", "/v3/merchant-service/complaints-v2?limit=10&offset=0&begin_date=2026-11-01&end_date=2026-11-30", ""},
		{"POST", "/v3/merchant-service/complaints-v2/200201820200101080076610000/response", `{"complainted_mchid":"1234567890","response_content":"已退款"}` + "\n"},
		{"PUT", "/v3/merchant-service/complaint-notifications", `{"url":"https://example.com/cb"}`},
		{"DELETE", "/v3/merchant-service/complaint-notifications", ""},
	} {
		h, err := cred.GenerateAuthorizationHeader(context.Background(), tc.method, tc.target, tc.body)
		if err != nil {
			t.Fatal(err)
		}
		a, err := ParseAuthorization(h)
		if err != nil {
			t.Fatalf("%s %s: ParseAuthorization(%q): %v", tc.method, tc.target, h, err)
		}
		if a.MchID != testMchID || a.SerialNo != testMerchantSerial || len(a.Nonce) != NonceLength {
			t.Errorf("parsed %+v", a)
		}
		if d := time.Since(time.Unix(a.Timestamp, 0)); d < -time.Minute || d > time.Minute {
			t.Errorf("timestamp %d is not now", a.Timestamp)
		}
		if err := a.Verify(&merchantKey(t).PublicKey, tc.method, tc.target, []byte(tc.body)); err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.target, err)
		}
		if err := a.Verify(&merchantKey(t).PublicKey, tc.method, tc.target+"x", []byte(tc.body)); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s %s with another target: %v, want ErrBadSignature", tc.method, tc.target, err)
		}
	}
}

// Our Authorization headers verify with the SDK's verifier.
func TestOurAuthorizationVerifiesWithSDK(t *testing.T) {
	s, err := NewSigner(SignerOptions{Key: merchantKey(t), Serial: testMerchantSerial})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"complainted_mchid":"1234567890","response_content":"已与用户沟通解决"}`)
	a, err := s.Authorization(testMchID, "POST", "/v3/merchant-service/complaints-v2/1/response", body)
	if err != nil {
		t.Fatal(err)
	}
	v := verifiers.NewSHA256WithRSAPubkeyVerifier(testMerchantSerial, merchantKey(t).PublicKey)
	msg := string(RequestMessage("POST", "/v3/merchant-service/complaints-v2/1/response", a.Timestamp, a.Nonce, body))
	if err := v.Verify(context.Background(), testMerchantSerial, msg, a.Signature); err != nil {
		t.Fatalf("the SDK refuses our signature: %v", err)
	}
	// And its own signer gives the same signature for the same string.
	sdk, err := utils.SignSHA256WithRSA(msg, merchantKey(t))
	if err != nil || sdk != a.Signature {
		t.Errorf("SDK signature %s, ours %s (%v)", sdk, a.Signature, err)
	}
}

// Our signed answers verify with the SDK's response validator, with the
// public key and with the platform certificate; our callbacks open with
// its notify handler, in both modes and with the combined verifier of a
// switch.
func TestSDKAcceptsOurAnswersAndCallbacks(t *testing.T) {
	pub, err := NewSigner(SignerOptions{Key: wechatKey(t), Serial: testPubKeyID})
	if err != nil {
		t.Fatal(err)
	}
	crt, err := NewSigner(SignerOptions{Key: wechatKey(t), Serial: testCertSerial})
	if err != nil {
		t.Fatal(err)
	}
	pubVerifier := verifiers.NewSHA256WithRSAPubkeyVerifier(testPubKeyID, wechatKey(t).PublicKey)
	certVerifier := verifiers.NewSHA256WithRSAVerifier(core.NewCertificateMapWithList([]*x509.Certificate{platformCert(t)}))
	combined := verifiers.NewSHA256WithRSACombinedVerifier(core.NewCertificateMapWithList([]*x509.Certificate{platformCert(t)}), testPubKeyID, wechatKey(t).PublicKey)

	for _, tc := range []struct {
		name     string
		signer   *Signer
		verifier interface {
			Verify(context.Context, string, string, string) error
			GetSerial(context.Context) (string, error)
		}
	}{
		{"public key", pub, pubVerifier},
		{"certificate", crt, certVerifier},
		{"switch, public key", pub, combined},
		{"switch, certificate", crt, combined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An answer.
			body := []byte(`{"data":[],"limit":10,"offset":0,"total_count":0}`)
			resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
			if err := tc.signer.SignHeaders(resp.Header, body); err != nil {
				t.Fatal(err)
			}
			if err := validators.NewWechatPayResponseValidator(tc.verifier).Validate(context.Background(), resp); err != nil {
				t.Fatalf("the SDK refuses our answer: %v", err)
			}
			// A 204 answer, empty body.
			resp = &http.Response{StatusCode: 204, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(nil))}
			if err := tc.signer.SignHeaders(resp.Header, nil); err != nil {
				t.Fatal(err)
			}
			if err := validators.NewWechatPayResponseValidator(tc.verifier).Validate(context.Background(), resp); err != nil {
				t.Fatalf("the SDK refuses our 204: %v", err)
			}
			// A callback.
			aead, err := NewAEAD(testAPIv3Key)
			if err != nil {
				t.Fatal(err)
			}
			plain := `{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`
			res, err := aead.SealResource("", "", []byte(plain), nil)
			if err != nil {
				t.Fatal(err)
			}
			env, _ := json.Marshal(Notification{ID: "EV-1", CreateTime: "2026-12-07T12:00:00+08:00", EventType: "COMPLAINT.CREATE", ResourceType: ResourceTypeEncrypted, Summary: "产生新投诉", Resource: res})
			req := httptest.NewRequest("POST", "/notify", bytes.NewReader(env))
			if err := tc.signer.SignHeaders(req.Header, env); err != nil {
				t.Fatal(err)
			}
			h, err := notify.NewRSANotifyHandler(testAPIv3Key, tc.verifier)
			if err != nil {
				t.Fatal(err)
			}
			var content map[string]any
			got, err := h.ParseNotifyRequest(context.Background(), req, &content)
			if err != nil {
				t.Fatalf("the SDK refuses our callback: %v", err)
			}
			if got.Resource.Plaintext != plain || content["action_type"] != "CREATE_COMPLAINT" || got.ID != "EV-1" {
				t.Errorf("the SDK opened %+v, %v", got, content)
			}
		})
	}
}

// A request made by the SDK's own client verifies with ours on the server
// side, and the SDK's client believes our signed answer; and our Client
// speaks to the same server.
func TestSDKClientAndOurServer(t *testing.T) {
	wechat, err := NewSigner(SignerOptions{Key: wechatKey(t), Serial: testPubKeyID})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, err := ParseAuthorization(r.Header.Get("Authorization"))
		if err == nil {
			err = a.Verify(&merchantKey(t).PublicKey, r.Method, r.URL.RequestURI(), body)
		}
		if err != nil {
			w.WriteHeader(401)
			io.WriteString(w, `{"code":"SIGN_ERROR","message":"错误的签名，验签失败"}`)
			return
		}
		seen = append(seen, r.Header.Get(HeaderSerial)+" "+r.Header.Get("User-Agent")[:min(3, len(r.Header.Get("User-Agent")))])
		out := []byte(`{"complaint_id":"200201820200101080076610000","complaint_state":"PENDING"}`)
		if err := wechat.SignHeaders(w.Header(), out); err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	}))
	defer srv.Close()

	sdk, err := core.NewClient(context.Background(),
		option.WithWechatPayPublicKeyAuthCipher(testMchID, testMerchantSerial, merchantKey(t), testPubKeyID, &wechatKey(t).PublicKey),
		option.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sdk.Get(context.Background(), srv.URL+"/v3/merchant-service/complaints-v2/200201820200101080076610000")
	if err != nil {
		t.Fatalf("the SDK's request or our answer failed: %v", err)
	}
	res.Response.Body.Close()

	ours, err := NewClient(ClientOptions{BaseURL: srv.URL, MchID: testMchID, Signer: mustSigner(t), Verifier: newVerifier(t, time.Now().Unix()), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ours.Do(context.Background(), Request{Method: "GET", Target: "/v3/merchant-service/complaints-v2/200201820200101080076610000"}); err != nil {
		t.Fatalf("our request or answer failed: %v", err)
	}
	if len(seen) != 2 || !strings.HasPrefix(seen[0], testPubKeyID) || !strings.HasPrefix(seen[1], testPubKeyID) {
		t.Errorf("requests seen: %q (each should ask for the public key's signature)", seen)
	}
}

// The SDK decrypts payer_phone encrypted by us, and we decrypt its.
func TestSDKOAEP(t *testing.T) {
	ours, err := EncryptOAEP(&merchantKey(t).PublicKey, "13800138000")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := utils.DecryptOAEP(ours, merchantKey(t)); err != nil || got != "13800138000" {
		t.Errorf("the SDK decrypts ours to %q, %v", got, err)
	}
	theirs, err := utils.EncryptOAEPWithPublicKey("13900139000", &merchantKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecryptOAEP(merchantKey(t), theirs); err != nil || got != "13900139000" {
		t.Errorf("we decrypt the SDK's to %q, %v", got, err)
	}
	// And AES-GCM: the SDK decrypts what we seal.
	a, _ := NewAEAD(testAPIv3Key)
	ct, err := a.Seal("0123456789ab", "certificate", []byte("PEM"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := utils.DecryptAES256GCM(testAPIv3Key, "certificate", "0123456789ab", ct); err != nil || got != "PEM" {
		t.Errorf("the SDK decrypts our resource to %q, %v", got, err)
	}
}

func mustSigner(t testing.TB) *Signer {
	t.Helper()
	s, err := NewSigner(SignerOptions{Key: merchantKey(t), Serial: testMerchantSerial})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

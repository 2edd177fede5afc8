package apiv3_test

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

func loadKey(name string) *rsa.PrivateKey {
	k, err := apiv3.LoadPrivateKeyFile("../testdata/apiv3/" + name)
	if err != nil {
		panic(err)
	}
	return k
}

// A callback, from WeChat's side to the merchant's: WeChat encrypts the
// resource with the merchant's APIv3 key and signs the body with its
// public key; the merchant opens it with an Opener.
func Example() {
	wechatKey := loadKey("wechatpay-go-test-private-key.pem") // WeChat's, in this example
	const pubKeyID = "PUB_KEY_ID_0000000000000024101100397200000006"
	const apiv3Key = "0123456789abcdef0123456789abcdef"
	now := func() time.Time { return time.Unix(1800000000, 0) }

	// WeChat's side.
	aead, _ := apiv3.NewAEAD(apiv3Key)
	res, _ := aead.SealResource("", "", []byte(`{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`), nil)
	body := []byte(`{"id":"EV-1","create_time":"2027-01-15T16:00:00+08:00","resource_type":"encrypt-resource","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"algorithm":"` + res.Algorithm + `","ciphertext":"` + res.Ciphertext + `","nonce":"` + res.Nonce + `","associated_data":""}}`)
	wechat, _ := apiv3.NewSigner(apiv3.SignerOptions{Key: wechatKey, Serial: pubKeyID, Now: now})
	header := http.Header{}
	_ = wechat.SignHeaders(header, body)

	// The merchant's side: the public key from pub_key.pem, its id.
	verifier, err := apiv3.NewVerifier(apiv3.VerifierOptions{PublicKeyID: pubKeyID, PublicKey: &wechatKey.PublicKey, Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	opener, _ := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: verifier, APIv3Key: apiv3Key})
	cb, err := opener.Open(apiv3.SignatureHeadersOf(header), body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cb.ID, cb.EventType)
	fmt.Println(string(cb.Plaintext))

	// A probe, or one altered byte: refused.
	header.Set(apiv3.HeaderSignature, apiv3.ProbeSignaturePrefix+header.Get(apiv3.HeaderSignature))
	_, err = opener.Open(apiv3.SignatureHeadersOf(header), body)
	fmt.Println(errors.Is(err, apiv3.ErrSignatureProbe), errors.Is(err, apiv3.ErrBadSignature))
	// Output:
	// EV-1 COMPLAINT.CREATE
	// {"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}
	// true true
}

// A merchant signs a request: the Authorization header, over the
// request-target exactly as sent and the exact body.
func ExampleSigner_Authorization() {
	signer, err := apiv3.NewSigner(apiv3.SignerOptions{
		Key:    loadKey("wechatpay-go-mock-merchant-private-key.pem"), // apiclient_key.pem
		Serial: "BE6DCDA7A5931FA0",                                    // the API certificate's serial
		Now:    func() time.Time { return time.Unix(1700000000, 0) },
		Rand:   zeros{}, // a fixed nonce, for the example only
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	target := "/v3/merchant-service/complaints-v2?limit=5&offset=0&begin_date=2023-11-01&end_date=2023-11-14"
	a, _ := signer.Authorization("1234567890", "GET", target, nil)
	fmt.Printf("%q\n", apiv3.RequestMessage("GET", target, a.Timestamp, a.Nonce, nil))
	head, _, _ := strings.Cut(a.String(), `signature="`)
	fmt.Println(head + `signature="…"`)
	// Output:
	// "GET\n/v3/merchant-service/complaints-v2?limit=5&offset=0&begin_date=2023-11-01&end_date=2023-11-14\n1700000000\n00000000000000000000000000000000\n\n"
	// WECHATPAY2-SHA256-RSA2048 mchid="1234567890",nonce_str="00000000000000000000000000000000",timestamp="1700000000",serial_no="BE6DCDA7A5931FA0",signature="…"
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

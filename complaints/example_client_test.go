package complaints_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// The keys of the examples are the official Go SDK's public test keys
// (testdata/apiv3/README.md): never use them for anything else.
const (
	exampleMchID    = "1900012181"
	exampleSerial   = "BE6DCDA7A5931FA0"                              // the merchant's API certificate
	examplePubKeyID = "PUB_KEY_ID_0000000000000024101100397200000006" // WeChat Pay's public key
)

// A merchant's round: list the complaints of two months, read each pending
// one, decrypt the user's phone, reply and mark it handled. Every answer is
// verified before it is believed; here a small fake plays WeChat.
func ExampleClient() {
	merchantKey, err := apiv3.LoadPrivateKeyFile("../testdata/apiv3/wechatpay-go-mock-merchant-private-key.pem")
	if err != nil {
		fmt.Println(err)
		return
	}
	wechat, wechatPublicKey := startWeChat()
	defer wechat.Close()

	signer, err := apiv3.NewSigner(apiv3.SignerOptions{Key: merchantKey, Serial: exampleSerial})
	if err != nil {
		fmt.Println(err)
		return
	}
	verifier, err := apiv3.NewVerifier(apiv3.VerifierOptions{PublicKeyID: examplePubKeyID, PublicKey: wechatPublicKey})
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := complaints.NewClient(complaints.ClientOptions{
		API: apiv3.ClientOptions{
			BaseURL:  wechat.URL, // empty: https://api.mch.weixin.qq.com
			MchID:    exampleMchID,
			Signer:   signer,
			Verifier: verifier,
			Retry:    &apiv3.RetryPolicy{}, // SYSTEM_ERROR and FREQUENCY_LIMITED, with backoff
		},
		Pacing: &complaints.Pacing{}, // stay under WeChat's per-minute limits
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	all := complaints.ListAllRequest{BeginDate: complaints.Date{Year: 2025, Month: 4, Day: 1}, EndDate: complaints.Date{Year: 2025, Month: 5, Day: 31}}
	for c, err := range client.ListAll(ctx, all) { // two months: 30-day windows, page by page
		if err != nil {
			fmt.Println(err)
			return
		}
		if c.ComplaintState != complaints.StatePending {
			continue
		}
		detail, err := client.Detail(ctx, c.ComplaintID)
		if err != nil {
			fmt.Println(err)
			return
		}
		phone, err := detail.DecryptPayerPhone(merchantKey)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(detail.ComplaintID, detail.ProblemType, detail.ApplyRefundAmount, phone)

		err = client.Respond(ctx, c.ComplaintID, complaints.ResponseRequest{
			ComplaintedMchID: detail.ComplaintedMchID,
			ResponseContent:  "您好，押金已原路退回，请查收。",
		})
		if err == nil {
			err = client.Complete(ctx, c.ComplaintID, complaints.CompleteRequest{ComplaintedMchID: detail.ComplaintedMchID})
		}
		fmt.Println("replied and completed:", err == nil)
	}
	// Output:
	// 200201820200101080076610000 REFUND 9900 13800138000
	// replied and completed: true
}

// startWeChat plays WeChat for the example: two complaints filed on
// 2025-05-20 (one pending), and 204 to replies and completions, every
// answer signed with WeChat's (test) key, whose public half it returns. A
// real fake checks the requests' signatures too.
func startWeChat() (*httptest.Server, *rsa.PublicKey) {
	key, err := apiv3.LoadPrivateKeyFile("../testdata/apiv3/wechatpay-go-test-private-key.pem")
	if err != nil {
		panic(err)
	}
	wechat, err := apiv3.NewSigner(apiv3.SignerOptions{Key: key, Serial: examplePubKeyID})
	if err != nil {
		panic(err)
	}
	detail, err := os.ReadFile("../testdata/complaints/answers/detail_every_field.json")
	if err != nil {
		panic(err)
	}
	answer := func(w http.ResponseWriter, status int, body []byte) {
		if err := wechat.SignHeaders(w.Header(), body); err != nil {
			panic(err)
		}
		w.WriteHeader(status)
		w.Write(body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/merchant-service/complaints-v2", func(w http.ResponseWriter, r *http.Request) {
		page := complaints.Page[complaints.Complaint]{Limit: 50, TotalCount: new(0)}
		begin, _ := complaints.ParseDate(r.URL.Query().Get("begin_date"))
		end, _ := complaints.ParseDate(r.URL.Query().Get("end_date"))
		if filed := (complaints.Date{Year: 2025, Month: 5, Day: 20}); begin.Compare(filed) <= 0 && filed.Compare(end) <= 0 {
			page.Data = []complaints.Complaint{
				{ComplaintID: "200201820200101080076610000", ComplaintState: complaints.StatePending},
				{ComplaintID: "200201820200101080076610001", ComplaintState: complaints.StateProcessed},
			}
			*page.TotalCount = 2
		}
		body, _ := json.Marshal(page)
		answer(w, http.StatusOK, body)
	})
	mux.HandleFunc("GET /v3/merchant-service/complaints-v2/{id}", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, detail)
	})
	mux.HandleFunc("POST /v3/merchant-service/complaints-v2/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusNoContent, nil)
	})
	return httptest.NewServer(mux), &key.PublicKey
}

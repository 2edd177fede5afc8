package payapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payapi"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// The fake's /v3 endpoints, called by the repository's client as a
// merchant on the WeChat Pay public key: each answer verified, each
// signature failure answered as WeChat answers it.
func ExampleHandler() {
	id, _ := paykeys.Open(paykeys.Options{}) // fresh keys, in memory
	signing, _ := paykeys.NewSigning(paykeys.SigningOptions{Identity: id, Mode: paykeys.ModePublicKey})
	world := payworld.New(payworld.Config{}, time.Now)
	m := id.Merchant()
	world.AddMerchant(payworld.Merchant{MchID: m.MchID, SerialNo: m.SerialNo, PublicKey: m.PublicKey, APIv3Key: m.APIv3Key})
	h, _ := payapi.New(payapi.Options{World: world, Signing: signing})
	srv := httptest.NewServer(h)
	defer srv.Close()

	c, _, _ := world.File(payworld.FileSpec{})
	keys := id.MerchantKeys(paykeys.ModePublicKey) // what the merchant configures
	signer, _ := keys.Signer(time.Now)
	verifier, _ := keys.Verifier(time.Now)
	client, _ := complaints.NewClient(complaints.ClientOptions{API: apiv3.ClientOptions{BaseURL: srv.URL, MchID: keys.MchID, Signer: signer, Verifier: verifier}})

	ctx := context.Background()
	d, err := client.Detail(ctx, c.ID())
	fmt.Println(d.ComplaintState, err)
	err = client.Complete(ctx, c.ID(), complaints.CompleteRequest{ComplaintedMchID: keys.MchID})
	var refused *apiv3.Error
	errors.As(err, &refused) // reply first: WeChat's documented refusal
	fmt.Println(refused.StatusCode, refused.Code, refused.Message)
	err = client.Respond(ctx, c.ID(), complaints.ResponseRequest{ComplaintedMchID: keys.MchID, ResponseContent: "您好，已为您退款"})
	fmt.Println(err)
	d, _ = client.Detail(ctx, c.ID())
	fmt.Println(d.ComplaintState)
	// Output:
	// PENDING <nil>
	// 400 INVALID_REQUEST 当前单据状态不支持操作, 请检查是否重复调用
	// <nil>
	// PROCESSING
}

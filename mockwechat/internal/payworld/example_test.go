package payworld_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// A complaint's life: the user files it (a callback), the merchant replies
// and completes it (no callback: "商户自己的操作不再推送通知").
func ExampleWorld_File() {
	now := func() time.Time { return time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC) }
	w := payworld.New(payworld.Config{Seed: 1}, now)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	w.AddMerchant(payworld.Merchant{MchID: "1900000109", SerialNo: "5157F09EFDC096DE15EBE81A47057A72", PublicKey: &key.PublicKey,
		APIv3Key: "0123456789abcdef0123456789abcdef"})

	c, fx, _ := w.File(payworld.FileSpec{MchID: "1900000109"})
	fmt.Println(c.State(), fx.Callbacks[0].EventType, fx.Callbacks[0].ActionType)

	fx, err := w.Complete("1900000109", c.ID(), complaints.CompleteRequest{ComplaintedMchID: "1900000109"})
	fmt.Println(err)

	w.Respond("1900000109", c.ID(), complaints.ResponseRequest{ComplaintedMchID: "1900000109", ResponseContent: "您好，已安排退款"})
	fx, _ = w.Complete("1900000109", c.ID(), complaints.CompleteRequest{ComplaintedMchID: "1900000109"})
	got, _ := w.Complaint(c.ID())
	fmt.Println(got.State(), len(fx.Callbacks), len(got.History))
	// Output:
	// PENDING COMPLAINT.CREATE CREATE_COMPLAINT
	// payworld: complaint 200506120250301000000000001 is PENDING: reply to the user first (Rules.AllowCompleteFromPending)
	// PROCESSED 0 3
}

package main

import (
	"cmp"
	"context"
	"log"
	"net/http"
	"os"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

func main() {
	verify := middleware.New(middleware.Config{
		// AppId → paySignKey: one endpoint may serve several accounts. Unknown AppIds are refused.
		Keys: middleware.StaticKeys{os.Getenv("WECHAT_APPID"): os.Getenv("WECHAT_PAYSIGNKEY")},
		// A signature reused with other fields: refused as forged (409), as `payfeedback check`
		// certifies. The default takes and reports it, never losing two genuine notifications
		// of one user in one second (middleware.SharedSignaturePolicy says when each fits).
		SharedSignature: middleware.RefuseSharedSignature,
	})
	complaints := middleware.Dispatcher{
		OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
			log.Printf("complaint %s from %s: %s", n.FeedBackID, n.OpenID, n.Reason)
			return nil // store it; an error answers 500 and WeChat delivers it again
		},
		OnConfirm: func(ctx context.Context, n *payfeedback.Notification) error { return nil },
		OnReject:  func(ctx context.Context, n *payfeedback.Notification) error { return nil },
	}
	mux := http.NewServeMux()
	mux.Handle("POST /wechat/payfeedback", verify(complaints))
	log.Fatal(http.ListenAndServe(cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8000"), mux))
}

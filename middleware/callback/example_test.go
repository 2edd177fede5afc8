package callback_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

// Mounting the middleware with a Dispatcher: the merchant's keys make an
// Opener; each action type gets a function, the rest a default.
func Example() {
	pub, err := apiv3.LoadPublicKeyFile("../../testdata/apiv3/wechatpay-go-test-platform-cert.pem") // pub_key.pem in production
	if err != nil {
		fmt.Println(err)
		return
	}
	verifier, err := apiv3.NewVerifier(apiv3.VerifierOptions{
		PublicKeyID: "PUB_KEY_ID_0000000000000024101100397200000006", // as the merchant platform shows it
		PublicKey:   pub,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	opener, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: verifier, APIv3Key: "0123456789abcdef0123456789abcdef"})
	if err != nil {
		fmt.Println(err)
		return
	}
	receive := callback.New(callback.Config{Opener: opener, Logger: slog.Default()})
	mux := http.NewServeMux()
	mux.Handle("POST /wechat/complaints", receive(&callback.Dispatcher{
		Handlers: map[complaints.ActionType]callback.HandlerFunc{
			complaints.ActionCreateComplaint: func(ctx context.Context, e *callback.Event) error {
				// Fetch the detail (complaints.Client.Detail), record it, reply.
				return nil
			},
		},
		Default: func(ctx context.Context, e *callback.Event) error {
			// Every other action: fetch the detail and update the record.
			return nil
		},
	}))
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	_ = srv // srv.ListenAndServe() in a real service
	fmt.Println("mounted")
	// Output: mounted
}

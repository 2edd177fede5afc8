package evidence_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/evidence"
	"github.com/payfeedback/payfeedback/middleware"
)

// Bundle a run of the suite, signed with the team's key, and verify it
// with the public half, as an auditor would.
func Example() {
	const appID, paySignKey = "wxf8b4f85f3a794e77", "the-merchant-paysignkey"
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	merchant := middleware.New(middleware.Config{Keys: middleware.StaticKeys{appID: paySignKey}})(
		middleware.Dispatcher{OnRequest: ok, OnConfirm: ok, OnReject: ok})
	report, err := conformance.Run(context.Background(), conformance.Options{
		Handler: merchant, AppID: appID, PaySignKey: paySignKey, Run: "^security/signature/",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The team's key: in practice read with evidence.ParsePrivateKey from
	// the file openssl genpkey -algorithm ed25519 wrote.
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	var bundle bytes.Buffer
	_, err = evidence.Write(&bundle, evidence.Options{
		Plan: "payfeedback", Variants: map[string]string{"api": "off"}, Kit: "payfeedback v1.0.0",
		Report: report, Key: key,
		Secrets: []evidence.Secret{{Name: "paySignKey", Value: paySignKey}},
		Now:     func() time.Time { return time.Date(2025, 11, 30, 10, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	cert, err := evidence.Verify(bundle.Bytes(), key.Public().(ed25519.PublicKey))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cert.Plan, cert.Kit, cert.Signed.Format(time.RFC3339))
	fmt.Println(cert.Summary)
	fmt.Println("signed by the key given:", cert.Trusted, "ephemeral:", cert.Key.Ephemeral)
	fmt.Println("paySignKey found in the bundle:", bytes.Contains(bundle.Bytes(), []byte(paySignKey)))

	// One byte changed, anywhere, and the bundle is refused.
	bundle.Bytes()[bundle.Len()/2] ^= 1
	_, err = evidence.Verify(bundle.Bytes(), key.Public().(ed25519.PublicKey))
	fmt.Println(err != nil)
	// Output:
	// payfeedback payfeedback v1.0.0 2025-11-30T10:00:00Z
	// 4 cases, 4 passed, 0 skipped, 0 failed
	// signed by the key given: true ephemeral: false
	// paySignKey found in the bundle: false
	// true
}

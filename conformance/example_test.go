package conformance_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/middleware"
)

// Run the notification and security cases against a merchant's handler
// in-process: here the middleware in front of a dispatcher.
func Example() {
	const appID, key = "wxf8b4f85f3a794e77", "the-merchant-paysignkey"
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	handler := middleware.New(middleware.Config{Keys: middleware.StaticKeys{appID: key},
		SharedSignature: middleware.RefuseSharedSignature})( // the forged-copy cases expect a refusal
		middleware.Dispatcher{OnRequest: ok, OnConfirm: ok, OnReject: ok})

	report, err := conformance.Run(context.Background(), conformance.Options{
		Handler: handler, AppID: appID, PaySignKey: key,
		Run: "^(notify|security)/",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(report.Summary())
	// Output: 41 cases, 41 passed, 0 skipped, 0 failed
}

// A handler that forgot to verify signatures fails the security cases
// that need a verified signature; the report says which and why.
func Example_brokenMerchant() {
	const appID, key = "wxf8b4f85f3a794e77", "the-merchant-paysignkey"
	careless := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, payfeedback.MaxNotificationSize))
		if _, err := payfeedback.ParseNotification(body); err != nil || r.Method != http.MethodPost {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		io.WriteString(w, "success") // but never n.Verify(key)
	}
	report, _ := conformance.Run(context.Background(), conformance.Options{
		Handler: http.HandlerFunc(careless), AppID: appID, PaySignKey: key,
		Run: "^security/(signature|appid|signmethod)/",
	})
	for _, r := range report.Results {
		fmt.Println(conformance.FormatLine(r))
	}
	fmt.Println(report.Summary())
	// Output:
	// FAIL  security/signature/wrong: accepted a notification with a wrong AppSignature
	// FAIL  security/signature/other-key: accepted a notification signed with another key
	// PASS  security/signature/missing
	// PASS  security/signature/empty
	// FAIL  security/appid/wrong: accepted a notification for AppId wx00000000c0ffee00
	// FAIL  security/signmethod/unknown: accepted a notification with SignMethod md5
	// 6 cases, 2 passed, 0 skipped, 4 failed
}

func ExampleParseExpectFail() {
	list := `# security/replay/*: our replay store ships next sprint
security/replay/feedbackid
security/replay/msgtype
`
	ids, err := conformance.ParseExpectFail(strings.NewReader(list))
	fmt.Println(ids, err)
	// Output: [security/replay/feedbackid security/replay/msgtype] <nil>
}

func ExampleReport_WriteText() {
	report := conformance.Report{Results: []conformance.Result{
		{ID: "notify/request/cdata", Section: "notify", Status: conformance.Pass},
		{ID: "api/token/reuse", Section: "api", Status: conformance.Skip, Message: "API cases run only when asked for"},
	}}
	report.WriteText(os.Stdout)
	// Output:
	// PASS  notify/request/cdata
	// SKIP  api/token/reuse: API cases run only when asked for
	//
	// 2 cases, 1 passed, 1 skipped, 0 failed
}

// An endpoint configured with another key refuses every notification: the
// hostile ones too, for the wrong reason. The control shows it, the
// refusal cases are inconclusive, and the report gives one cause for all.
func ExampleReport_Groups() {
	const appID, key = "wxf8b4f85f3a794e77", "the-merchant-paysignkey"
	wrongKey := func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "AppSignature does not match", http.StatusUnauthorized)
	}
	report, _ := conformance.Run(context.Background(), conformance.Options{
		Handler: http.HandlerFunc(wrongKey), AppID: appID, PaySignKey: key,
		Run: "^security/signature/",
	})
	for _, g := range report.Groups() {
		fmt.Println("symptom:", g.Symptom)
		fmt.Println("likely cause:", g.Cause)
		fmt.Println("inconclusive:", g.Inconclusive, "control:", g.Control)
	}
	fmt.Println(report.Summary())
	// Output:
	// symptom: valid notifications were answered HTTP 401: AppSignature does not match
	// likely cause: is --paysignkey (Options.PaySignKey) the merchant's key?
	// inconclusive: [security/signature/wrong security/signature/other-key security/signature/missing security/signature/empty] control: true
	// 4 cases, 0 passed, 0 skipped, 0 failed, 4 inconclusive
}

package conformancetest_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
	"github.com/payfeedback/payfeedback/middleware"
)

// Example certifies a merchant's handler inside its own go test, as
// TestConformance(t) does with conformancetest.Run(t, handler, opts).
// testing.RunTests stands in for go test here so that the example runs;
// its verbose output is turned off for the example's sake.
func Example() {
	if v := flag.Lookup("test.v"); v != nil {
		old := v.Value.String()
		v.Value.Set("false")
		defer v.Value.Set(old)
	}
	const appID, key = "wxf8b4f85f3a794e77", "the-merchant-paysignkey"
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	var handler http.Handler = middleware.New(middleware.Config{Keys: middleware.StaticKeys{appID: key}, SharedSignature: middleware.RefuseSharedSignature})(
		middleware.Dispatcher{OnRequest: ok, OnConfirm: ok, OnReject: ok})

	passed := testing.RunTests(func(pat, str string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "TestConformance", F: func(t *testing.T) {
			conformancetest.Run(t, handler, conformance.Options{AppID: appID, PaySignKey: key, Run: "^security/"})
		}}})
	fmt.Println("the handler passes the security cases:", passed)
	// Output: the handler passes the security cases: true
}

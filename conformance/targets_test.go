package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/conformance"
)

// TestAPIPushesToTheMerchantNamed: the merchant the suite is pointed at
// (--url) gets the embedded fake's pushes wherever it is, though the fake
// pushes to loopback only by default: 0.0.0.0 stands here for an address
// that is not loopback (a container's name in CI). The fake refused every
// push to it.
func TestAPIPushesToTheMerchantNamed(t *testing.T) {
	lazy := new(lazyHandler)
	srv := httptest.NewServer(lazy)
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	rep, err := conformance.Run(context.Background(), conformance.Options{
		URL: "http://0.0.0.0" + port + "/payfeedback", AppID: testAppID, PaySignKey: testKey, API: true, Run: `^api/update/called$`,
		APIReady: func(env conformance.APIEnv) {
			var h http.Handler = reference(env)
			lazy.h.Store(&h)
		},
	})
	if err != nil || rep.Counts().Passed != 1 {
		t.Fatalf("err %v, %s", err, rep.Summary())
	}
}

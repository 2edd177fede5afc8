package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// exampleNotification returns a complaint signed with key, timestamped at
// now, the way WeChat sends it.
func exampleNotification(appID, key string, now time.Time) []byte {
	n := &payfeedback.Notification{
		AppID: appID, OpenID: "oDF3iY9P32sK_5GgYiRkjsCo45bk",
		TimeStamp: fmt.Sprint(now.Unix()), MsgType: payfeedback.MsgRequest,
		FeedBackID: "5883726847655944563", TransID: "1219419901201309253115768232",
		Reason: "商品质量有问题", Solution: "补发货给我",
	}
	if err := n.Sign(key); err != nil {
		panic(err)
	}
	body, err := n.Encode()
	if err != nil {
		panic(err)
	}
	return body
}

// summary is a response's status and body on one line.
func summary(w *httptest.ResponseRecorder) string {
	if body := strings.TrimSpace(w.Body.String()); body != "" {
		return fmt.Sprint(w.Code, " ", body)
	}
	return fmt.Sprint(w.Code)
}

// Mount the middleware on an http.ServeMux with a Go 1.22 pattern, and read
// the notification in the handler. A re-delivery is acknowledged without
// running the handler; a copy with other unsigned fields under the same
// signature is handled and flagged (Config.SharedSignature).
func Example() {
	const appID, paySignKey = "wxf8b4f85f3a794e77", "the-paySignKey-of-this-account"
	verify := middleware.New(middleware.Config{
		Keys: middleware.StaticKeys{appID: paySignKey},
		// The refusals and the shared signature would be logged to
		// slog.Default; an example prints only its output.
		Logger: slog.New(slog.DiscardHandler),
	})
	mux := http.NewServeMux()
	mux.Handle("POST /wechat/payfeedback", verify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := middleware.FromContext(r.Context())
		fmt.Printf("complaint %s: %s, %s (shared signature: %v)\n", n.FeedBackID, n.Reason, n.Solution,
			middleware.SharedSignature(r.Context()))
		io.WriteString(w, "success")
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	body := exampleNotification(appID, paySignKey, time.Now())
	for _, b := range [][]byte{body, body, bytes.Replace(body, []byte("补发货给我"), []byte("退款"), 1)} {
		resp, err := http.Post(srv.URL+"/wechat/payfeedback", "text/xml", bytes.NewReader(b))
		if err != nil {
			panic(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s\n", resp.StatusCode, bytes.TrimSpace(answer))
	}
	// Output:
	// complaint 5883726847655944563: 商品质量有问题, 补发货给我 (shared signature: false)
	// 200 success
	// 200 success
	// complaint 5883726847655944563: 商品质量有问题, 退款 (shared signature: true)
	// 200 success
}

// A Dispatcher calls one function per MsgType and answers "success" when it
// returns nil; an error is answered 500 so WeChat delivers again, and the
// re-delivery runs the function again.
func ExampleDispatcher() {
	const appID, paySignKey = "wxf8b4f85f3a794e77", "the-paySignKey-of-this-account"
	now := time.Unix(1764201600, 0)
	attempts := 0
	d := middleware.Dispatcher{
		OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
			attempts++
			if attempts == 1 {
				return fmt.Errorf("database unavailable")
			}
			fmt.Printf("stored complaint %s from order %s\n", n.FeedBackID, n.TransID)
			return nil
		},
		OnConfirm: func(ctx context.Context, n *payfeedback.Notification) error { return nil },
		OnReject:  func(ctx context.Context, n *payfeedback.Notification) error { return nil },
	}
	h := middleware.New(middleware.Config{
		Keys: middleware.StaticKeys{appID: paySignKey},
		Now:  func() time.Time { return now },
	})(d)

	body := exampleNotification(appID, paySignKey, now)
	for range 3 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/wechat/payfeedback", bytes.NewReader(body)))
		fmt.Println(summary(w))
	}
	// Output:
	// 500 notification handler failed: will retry
	// stored complaint 5883726847655944563 from order 1219419901201309253115768232
	// 200 success
	// 200 success
}

// One endpoint serves several official accounts: the AppId of each
// notification picks the key.
func ExampleStaticKeys() {
	now := time.Unix(1764201600, 0)
	keys := middleware.StaticKeys{
		"wxf8b4f85f3a794e77": "paySignKey-of-the-shop",
		"wx0123456789abcdef": "paySignKey-of-the-games",
	}
	h := middleware.New(middleware.Config{Keys: keys, Now: func() time.Time { return now }})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Println("handled for", middleware.FromContext(r.Context()).AppID)
		}))
	send := func(body []byte) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/wechat/payfeedback", bytes.NewReader(body)))
		fmt.Println(summary(w))
	}
	send(exampleNotification("wx0123456789abcdef", "paySignKey-of-the-games", now))
	send(exampleNotification("wxf8b4f85f3a794e77", "paySignKey-of-the-games", now)) // wrong account's key
	send(exampleNotification("wx9999999999999999", "whatever", now))                // unknown account
	// Output:
	// handled for wx0123456789abcdef
	// 200
	// 401 AppSignature does not match
	// 403 unknown AppId
}

// The error handler can be replaced, for instance to answer JSON; the error
// is always an *Error.
func ExampleConfig_errorHandler() {
	h := middleware.New(middleware.Config{
		Keys: middleware.StaticKeys{"wxf8b4f85f3a794e77": "key"},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			e := err.(*middleware.Error)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(e.Status)
			fmt.Fprintf(w, "{\"error\":%q}", e.Reason)
		},
	})(http.NotFoundHandler())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/wechat/payfeedback", nil))
	fmt.Println(w.Code, w.Header().Get("Allow"), w.Body.String())
	// Output:
	// 405 POST {"error":"method not allowed: POST only"}
}

// Count the outcomes of the notifications with Config.Metrics (here in a
// map; examples/metrics feeds Prometheus), and check at start-up that the
// keys are set.
func ExampleMetricsFunc() {
	const appID, paySignKey = "wxf8b4f85f3a794e77", "the-paySignKey-of-this-account"
	counts := map[string]int{}
	cfg := middleware.Config{
		Keys: middleware.StaticKeys{appID: paySignKey},
		Metrics: middleware.MetricsFunc(func(o middleware.Observation) {
			counts[o.Outcome.String()+" "+o.Reason()]++ // one goroutine here; use atomics or a lock in a server
		}),
	}
	if err := cfg.Validate(); err != nil { // e.g. the key's variable is unset
		panic(err)
	}
	h := middleware.New(cfg)(middleware.Dispatcher{
		OnRequest: func(context.Context, *payfeedback.Notification) error { return nil },
	})
	body := exampleNotification(appID, paySignKey, time.Now())
	for _, b := range [][]byte{body, body, exampleNotification(appID, "a forged key", time.Now())} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b)))
	}
	fmt.Println(counts)

	unset := middleware.Config{Keys: middleware.StaticKeys{appID: ""}}
	fmt.Println(unset.Validate())
	// Output:
	// map[accepted :1 duplicate :1 refused bad_signature:1]
	// middleware: Config.Keys: StaticKeys has no paySignKey for AppId "wxf8b4f85f3a794e77": is the variable holding it set?
}

// A merchant that queues notifications and handles them later (or whose
// framework is not net/http) runs the same checks with a Verifier: verify
// and claim on receipt, complete once the notification is safely queued,
// release when it could not be. Refusals carry the status the middleware
// would answer.
func ExampleVerifier() {
	const appID, paySignKey = "wxf8b4f85f3a794e77", "the-paySignKey-of-this-account"
	v, err := middleware.NewVerifier(middleware.Config{Keys: middleware.StaticKeys{appID: paySignKey}})
	if err != nil {
		panic(err)
	}
	queue := make(chan *payfeedback.Notification, 1)

	// receive is what the endpoint of any framework does with a body.
	receive := func(ctx context.Context, body []byte) (status int, answer string) {
		n, err := v.Verify(ctx, body)
		if err != nil {
			e := err.(*middleware.Error) // Verify and Claim fail with an *Error
			return e.Status, e.Reason
		}
		claim, err := v.Claim(ctx, n)
		if err != nil {
			e := err.(*middleware.Error) // 409, or 503: answer Retry-After e.RetryAfter
			return e.Status, e.Reason
		}
		if claim.Duplicate() {
			return http.StatusOK, "success" // queued before: acknowledge
		}
		select {
		case queue <- n:
			if err := claim.Complete(ctx); err != nil {
				log.Print(err) // the notification is queued: still a success
			}
			return http.StatusOK, "success"
		default:
			if err := claim.Release(ctx); err != nil {
				log.Print(err)
			}
			return http.StatusServiceUnavailable, "queue full: try again later" // WeChat delivers again
		}
	}

	ctx := context.Background()
	body := exampleNotification(appID, paySignKey, time.Now())
	fmt.Println(receive(ctx, body))
	fmt.Println(receive(ctx, body)) // WeChat's re-delivery
	fmt.Println(receive(ctx, exampleNotification(appID, "a forged key", time.Now())))
	other := exampleNotification(appID, paySignKey, time.Now().Add(-time.Second))
	fmt.Println(receive(ctx, other)) // the queue is full: not claimed for good
	fmt.Println("processing", (<-queue).FeedBackID)
	fmt.Println(receive(ctx, other)) // delivered again: queued now
	// Output:
	// 200 success
	// 200 success
	// 401 AppSignature does not match
	// 503 queue full: try again later
	// processing 5883726847655944563
	// 200 success
}

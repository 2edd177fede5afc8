package complaints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/apiv3"
)

const testComplaintID = "200201820200101080076610000"

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeSample[T any](t testing.TB, name string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(sample(t, name), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestClientEndpoints: each method sends the documented method, target and
// body, signed (the fake checks every signature), and returns the verified
// answer decoded.
func TestClientEndpoints(t *testing.T) {
	day := func(s string) Date { d, _ := ParseDate(s); return d }
	reply := ResponseRequest{ComplaintedMchID: testMchID, ResponseContent: "您好，已为您退款。", ResponseImages: []string{"m1"}}
	refund := RefundProgressRequest{Action: RefundApprove, LaunchRefundDay: new(2)}
	immediate := ImmediateServiceRequest{ComplaintedMchID: testMchID, Message: everyBlock(), IdempotentID: "550e8400-e29b-41d4-a716-446655440000"}
	const notifyURL = "https://merchant.example.com/wechatpay/complaints"
	cases := []struct {
		name   string
		call   func(context.Context, *Client) (any, error)
		method string
		target string
		body   []byte
		answer answer
		want   any
	}{
		{"detail", func(ctx context.Context, c *Client) (any, error) { return c.Detail(ctx, testComplaintID) },
			"GET", "/v3/merchant-service/complaints-v2/" + testComplaintID, nil,
			ok(sample(t, "detail_every_field")), decodeSample[Complaint](t, "detail_every_field")},
		{"list", func(ctx context.Context, c *Client) (any, error) {
			return c.List(ctx, ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-30"), Limit: 2})
		}, "GET", "/v3/merchant-service/complaints-v2?begin_date=2025-05-01&end_date=2025-05-30&limit=2", nil,
			ok(sample(t, "list_first_page")), decodeSample[Page[Complaint]](t, "list_first_page")},
		{"history", func(ctx context.Context, c *Client) (any, error) {
			return c.History(ctx, testComplaintID, HistoryRequest{})
		}, "GET", "/v3/merchant-service/complaints-v2/" + testComplaintID + "/negotiation-historys", nil,
			ok(sample(t, "history_page")), decodeSample[Page[NegotiationHistory]](t, "history_page")},
		{"respond", func(ctx context.Context, c *Client) (any, error) { return nil, c.Respond(ctx, testComplaintID, reply) },
			"POST", "/v3/merchant-service/complaints-v2/" + testComplaintID + "/response", mustJSON(t, reply), noContent(), nil},
		{"complete", func(ctx context.Context, c *Client) (any, error) {
			return nil, c.Complete(ctx, testComplaintID, CompleteRequest{ComplaintedMchID: testMchID})
		}, "POST", "/v3/merchant-service/complaints-v2/" + testComplaintID + "/complete", []byte(`{"complainted_mchid":"1900012181"}`), noContent(), nil},
		{"refund", func(ctx context.Context, c *Client) (any, error) {
			return nil, c.UpdateRefundProgress(ctx, testComplaintID, refund)
		}, "POST", "/v3/merchant-service/complaints-v2/" + testComplaintID + "/update-refund-progress", []byte(`{"action":"APPROVE","launch_refund_day":2}`), noContent(), nil},
		{"immediate", func(ctx context.Context, c *Client) (any, error) {
			return c.RespondImmediately(ctx, testComplaintID, immediate)
		}, "POST", "/v3/merchant-service/complaints-v2/" + testComplaintID + "/response-immediate-service", mustJSON(t, immediate),
			ok(sample(t, "immediate_service_answer")), ImmediateServiceAnswer{LogID: "300285320210322170000071077"}},
		{"create notification URL", func(ctx context.Context, c *Client) (any, error) { return c.CreateNotificationURL(ctx, notifyURL) },
			"POST", "/v3/merchant-service/complaint-notifications", []byte(`{"url":"` + notifyURL + `"}`),
			ok(sample(t, "notification_url")), NotificationURL{MchID: testMchID, URL: notifyURL}},
		{"query notification URL", func(ctx context.Context, c *Client) (any, error) { return c.QueryNotificationURL(ctx) },
			"GET", "/v3/merchant-service/complaint-notifications", nil,
			ok(sample(t, "notification_url")), NotificationURL{MchID: testMchID, URL: notifyURL}},
		{"update notification URL", func(ctx context.Context, c *Client) (any, error) { return c.UpdateNotificationURL(ctx, notifyURL) },
			"PUT", "/v3/merchant-service/complaint-notifications", []byte(`{"url":"` + notifyURL + `"}`),
			ok(sample(t, "notification_url")), NotificationURL{MchID: testMchID, URL: notifyURL}},
		{"delete notification URL", func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteNotificationURL(ctx) },
			"DELETE", "/v3/merchant-service/complaint-notifications", nil, noContent(), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(seen, int) answer { return tc.answer })
			c := f.serve(t, ClientOptions{})
			got, err := tc.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got, sameJSON); diff != "" {
					t.Errorf("answer (-want +got):\n%s", diff)
				}
			}
			reqs := f.seenRequests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tc.method || r.Target != tc.target || string(r.Body) != string(tc.body) {
				t.Errorf("sent %s %s %s\nwant %s %s %s", r.Method, r.Target, r.Body, tc.method, tc.target, tc.body)
			}
			if r.Serial != testPubKeyID {
				t.Errorf("Wechatpay-Serial %q: the client should ask for the public key's signature", r.Serial)
			}
		})
	}
}

// TestInvalidRequestsAreNotSent: a refused argument is a *ValidationError
// and nothing reaches WeChat.
func TestInvalidRequestsAreNotSent(t *testing.T) {
	f := newFake(t, func(seen, int) answer { t.Error("a request was sent"); return noContent() })
	c := f.serve(t, ClientOptions{})
	ctx := context.Background()
	day := func(s string) Date { d, _ := ParseDate(s); return d }
	calls := map[string]func() error{
		"detail bad id":      func() error { _, err := c.Detail(ctx, ".."); return err },
		"respond no content": func() error { return c.Respond(ctx, testComplaintID, ResponseRequest{ComplaintedMchID: testMchID}) },
		"respond bad id": func() error {
			return c.Respond(ctx, "", ResponseRequest{ComplaintedMchID: testMchID, ResponseContent: "x"})
		},
		"complete no mchid": func() error { return c.Complete(ctx, testComplaintID, CompleteRequest{}) },
		"refund bad pairing": func() error {
			return c.UpdateRefundProgress(ctx, testComplaintID, RefundProgressRequest{Action: RefundReject, LaunchRefundDay: new(1)})
		},
		"immediate no id": func() error {
			_, err := c.RespondImmediately(ctx, testComplaintID, ImmediateServiceRequest{ComplaintedMchID: testMchID, Message: everyBlock()})
			return err
		},
		"list 31 days": func() error {
			_, err := c.List(ctx, ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-31")})
			return err
		},
		"history limit 301":  func() error { _, err := c.History(ctx, testComplaintID, HistoryRequest{Limit: 301}); return err },
		"notify with query":  func() error { _, err := c.CreateNotificationURL(ctx, "https://m.example.com/cb?a=1"); return err },
		"update http":        func() error { _, err := c.UpdateNotificationURL(ctx, "http://m.example.com/cb"); return err },
		"upload gif":         func() error { _, err := c.UploadImage(ctx, "a.gif", []byte("GIF89a")); return err },
		"download not image": func() error { _, err := c.DownloadImage(ctx, "https://qpic.cn/xxx"); return err },
		"list all reversed": func() error {
			for _, err := range c.ListAll(ctx, ListAllRequest{BeginDate: day("2025-05-02"), EndDate: day("2025-05-01")}) {
				return err
			}
			return errors.New("ListAll yielded nothing")
		},
		"history all page size": func() error {
			for _, err := range c.HistoryAll(ctx, testComplaintID, -1) {
				return err
			}
			return errors.New("HistoryAll yielded nothing")
		},
	}
	for name, call := range calls {
		err := call()
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		var v *ValidationError
		if name != "download not image" && (!errors.As(err, &v) || !errors.Is(err, ErrInvalidRequest)) {
			t.Errorf("%s: %v is not a *ValidationError", name, err)
		}
	}
	if n := len(f.seenRequests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestForgedAnswersAreRefused: an answer that is unsigned, signed by
// another key, a signature probe, tampered with or stale is not believed:
// the method fails and returns nothing of it.
func TestForgedAnswersAreRefused(t *testing.T) {
	detail := sample(t, "detail_every_field")
	forger, err := apiv3.NewSigner(apiv3.SignerOptions{Key: otherKey(t), Serial: testPubKeyID})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := apiv3.NewSigner(apiv3.SignerOptions{Key: wechatKey(t), Serial: testPubKeyID, Now: func() time.Time { return time.Now().Add(-6 * time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	unknownSerial, err := apiv3.NewSigner(apiv3.SignerOptions{Key: wechatKey(t), Serial: "PUB_KEY_ID_0000000000000000000000000000000099"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		signer *apiv3.Signer
		answer func() answer
		want   error
	}{
		"unsigned":       {nil, func() answer { return answer{status: 200, body: detail, unsigned: true} }, nil},
		"another key":    {forger, func() answer { return ok(detail) }, apiv3.ErrBadSignature},
		"stale":          {stale, func() answer { return ok(detail) }, nil},
		"unknown serial": {unknownSerial, func() answer { return ok(detail) }, apiv3.ErrUnknownSerial},
		"probe": {nil, func() answer {
			a := ok(detail)
			a.header = http.Header{}
			return a
		}, nil},
		"tampered body": {nil, func() answer {
			a := ok(detail)
			a.tamper = func(b []byte) []byte { return []byte(strings.Replace(string(b), "PENDING", "PROCESSED", 1)) }
			return a
		}, apiv3.ErrBadSignature},
		"unsigned 204": {nil, func() answer { return answer{status: 204, unsigned: true} }, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, func(seen, int) answer { return tc.answer() })
			if tc.signer != nil {
				f.setSigner(tc.signer)
			}
			c := f.serve(t, ClientOptions{})
			var err error
			var got Complaint
			switch name {
			case "unsigned 204":
				err = c.Complete(context.Background(), testComplaintID, CompleteRequest{ComplaintedMchID: testMchID})
			case "probe":
				// A probe: WeChat's deliberate wrong signature on a genuine answer.
				srv := probeServer(t, detail)
				c = newTestClient(t, srv, nil, ClientOptions{})
				got, err = c.Detail(context.Background(), testComplaintID)
			default:
				got, err = c.Detail(context.Background(), testComplaintID)
			}
			var ve *apiv3.VerifyError
			if err == nil || !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *apiv3.VerifyError", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if got.ComplaintID != "" {
				t.Errorf("the forged answer was returned: %+v", got)
			}
		})
	}
}

// probeServer answers every request with body and a WECHATPAY/SIGNTEST/
// signature, as WeChat's signature probes do.
func probeServer(t *testing.T, body []byte) string {
	f := newFake(t, func(seen, int) answer { return answer{status: 200, body: body, unsigned: true} })
	probe := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Wechatpay-Timestamp", fmt.Sprint(time.Now().Unix()))
		w.Header().Set("Wechatpay-Nonce", "d824f2e086d3c1df967785d13fcd22ef")
		w.Header().Set("Wechatpay-Serial", testPubKeyID)
		w.Header().Set("Wechatpay-Signature", apiv3.ProbeSignaturePrefix+"bm90IGEgc2lnbmF0dXJl")
		w.Header().Set("Wechatpay-Signature-Type", apiv3.Scheme)
		f.ServeHTTP(w, r)
	})
	srv := newServer(t, probe)
	return srv
}

// TestErrorAnswers: WeChat's error answers come back as *apiv3.Error with
// their code, verified.
func TestErrorAnswers(t *testing.T) {
	f := newFake(t, func(s seen, _ int) answer {
		return failure(400, "RESOURCE_NOT_EXISTS", "查询的通知回调不存在")
	})
	c := f.serve(t, ClientOptions{})
	_, err := c.QueryNotificationURL(context.Background())
	var ae *apiv3.Error
	if !errors.As(err, &ae) || ae.Code != "RESOURCE_NOT_EXISTS" || !ae.Verified || ae.StatusCode != 400 {
		t.Fatalf("err = %v (%+v)", err, ae)
	}
	if !strings.Contains(err.Error(), string(EndpointNotificationURL)) {
		t.Errorf("the error does not name the endpoint: %v", err)
	}
}

// TestRetries: with a RetryPolicy, SYSTEM_ERROR and FREQUENCY_LIMITED are
// retried, each attempt signed anew with the same body (the same
// idempotent_id); without one, the first error is returned.
func TestRetries(t *testing.T) {
	for _, fail := range []answer{failure(500, "SYSTEM_ERROR", "系统错误"), failure(429, "FREQUENCY_LIMITED", "频率限制")} {
		var a apiv3.Error
		json.Unmarshal(fail.body, &a)
		t.Run(string(a.Code), func(t *testing.T) {
			route := func(_ seen, n int) answer {
				if n < 2 {
					return fail
				}
				return ok([]byte(`{"log_id":"300285320210322170000071077"}`))
			}
			req := ImmediateServiceRequest{ComplaintedMchID: testMchID, Message: everyBlock(), IdempotentID: NewIdempotentID()}

			f := newFake(t, route)
			c := f.serve(t, ClientOptions{API: apiv3.ClientOptions{Retry: &apiv3.RetryPolicy{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: time.Millisecond}}})
			got, err := c.RespondImmediately(context.Background(), testComplaintID, req)
			if err != nil || got.LogID != "300285320210322170000071077" {
				t.Fatalf("with retries: %+v, %v", got, err)
			}
			reqs := f.seenRequests()
			if len(reqs) != 3 {
				t.Fatalf("%d attempts, want 3", len(reqs))
			}
			for _, r := range reqs[1:] {
				if string(r.Body) != string(reqs[0].Body) || !strings.Contains(string(r.Body), req.IdempotentID) {
					t.Errorf("a retry changed the body:\n%s\n%s", reqs[0].Body, r.Body)
				}
			}

			f = newFake(t, route)
			c = f.serve(t, ClientOptions{})
			_, err = c.RespondImmediately(context.Background(), testComplaintID, req)
			var ae *apiv3.Error
			if !errors.As(err, &ae) || ae.Code != a.Code || !ae.Retryable() {
				t.Errorf("without retries: %v", err)
			}
			if n := len(f.seenRequests()); n != 1 {
				t.Errorf("without retries: %d attempts", n)
			}
		})
	}
}

// TestDecryptPayerPhone: the samples' payer_phone decrypts with the
// merchant's key (testdata/complaints/README.md).
func TestDecryptPayerPhone(t *testing.T) {
	c := decodeSample[Complaint](t, "detail_every_field")
	phone, err := c.DecryptPayerPhone(merchantKey(t))
	if err != nil || phone != "13800138000" {
		t.Errorf("DecryptPayerPhone = %q, %v", phone, err)
	}
	if _, err := c.DecryptPayerPhone(otherKey(t)); err == nil || strings.Contains(err.Error(), c.PayerPhone[:20]) {
		t.Errorf("another key: %v (must fail without showing the ciphertext)", err)
	}
	if _, err := c.DecryptPayerPhone(nil); err == nil {
		t.Error("no key: no error")
	}
	c.PayerPhone = ""
	if phone, err := c.DecryptPayerPhone(merchantKey(t)); phone != "" || err != nil {
		t.Errorf("no phone: %q, %v", phone, err)
	}
}

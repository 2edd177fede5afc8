package payapi

// The official SDK's view: github.com/wechatpay-apiv3/wechatpay-go v0.2.21
// (a test dependency only). Its core.Client, configured as its README says
// for each of WeChat's modes and pointed at the fake through an
// http.Client whose Transport rewrites WeChat's host (its certificate
// downloader hard-codes it), calls every endpoint; its validator checks
// every answer's signature, so a call that returns no error was answered,
// signed, by the key the merchant trusts.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/consts"
	"github.com/wechatpay-apiv3/wechatpay-go/core/downloader"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
)

// rewrite sends every request to the fake, whatever host it names; the
// path and query (what is signed) stay as they are.
type rewrite struct {
	host string
	next http.RoundTripper
}

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", rw.host, rw.host
	return rw.next.RoundTrip(r)
}

// sdkClient returns the SDK's client for the test merchant in mode, and one
// without a validator for image downloads (which WeChat does not sign, and
// for which the SDK has no helper).
func sdkClient(t *testing.T, f *fake, mode paykeys.Mode) (signed, images *core.Client) {
	t.Helper()
	ctx := context.Background()
	u, _ := url.Parse(f.srv.URL)
	hc := &http.Client{Transport: rewrite{host: u.Host, next: f.srv.Client().Transport}}
	m := f.id.Merchant()
	cred := option.WithMerchantCredential(m.MchID, m.SerialNo, m.PrivateKey)
	var opts []core.ClientOption
	switch mode {
	case paykeys.ModePublicKey:
		opts = []core.ClientOption{option.WithWechatPayPublicKeyAuthCipher(m.MchID, m.SerialNo, m.PrivateKey, f.id.PublicKeyID(), f.id.PublicKey())}
	default:
		dl, err := core.NewClient(ctx, cred, option.WithoutValidator(), option.WithHTTPClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		certs, err := downloader.NewCertificateDownloaderWithClient(ctx, dl, m.APIv3Key)
		if err != nil {
			t.Fatalf("the SDK's certificate download: %v", err)
		}
		if serial := certs.GetNewestSerial(ctx); serial != f.id.PlatformSerial() {
			t.Fatalf("the SDK downloaded certificate %s, want %s", serial, f.id.PlatformSerial())
		}
		var v auth.Verifier = verifiers.NewSHA256WithRSAVerifier(certs)
		if mode == paykeys.ModeSwitch {
			v = verifiers.NewSHA256WithRSACombinedVerifier(certs, f.id.PublicKeyID(), *f.id.PublicKey())
		}
		opts = []core.ClientOption{cred, option.WithVerifier(v)}
	}
	signed, err := core.NewClient(ctx, append(opts, option.WithHTTPClient(hc))...)
	if err != nil {
		t.Fatal(err)
	}
	if images, err = core.NewClient(ctx, cred, option.WithoutValidator(), option.WithHTTPClient(hc)); err != nil {
		t.Fatal(err)
	}
	return signed, images
}

// decode reads an SDK answer's JSON into a T.
func decode[T any](t *testing.T, r *core.APIResult) T {
	t.Helper()
	var v T
	b, err := io.ReadAll(r.Response.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

// TestOfficialSDK: the official SDK calls every endpoint and verifies
// every answer, in each mode.
func TestOfficialSDK(t *testing.T) {
	for _, mode := range paykeys.Modes() {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			f := newFake(t, mode, Options{})
			sdk, images := sdkClient(t, f, mode)
			base := consts.WechatPayAPIServer
			refund := f.file(t, payworld.FileSpec{ProblemType: complaints.ProblemRefund, Images: []payworld.ImageFile{{Filename: "e.png", Data: png}}})
			urgent := f.file(t, payworld.FileSpec{NeedImmediateService: true})

			n := decode[complaints.NotificationURL](t, must(t)(sdk.Post(ctx, base+complaints.PathNotifications, complaints.NotificationURLRequest{URL: "https://merchant.example.com/cb"})))
			if n.MchID != testMchID {
				t.Errorf("create: %+v", n)
			}
			must(t)(sdk.Put(ctx, base+complaints.PathNotifications, complaints.NotificationURLRequest{URL: "https://merchant.example.com/v2"}))
			if n := decode[complaints.NotificationURL](t, must(t)(sdk.Get(ctx, base+complaints.PathNotifications))); n.URL != "https://merchant.example.com/v2" {
				t.Errorf("query: %+v", n)
			}

			today := complaints.DateOf(f.clock.now())
			q := complaints.ListRequest{BeginDate: today, EndDate: today, Limit: 50}
			page := decode[complaints.Page[complaints.Complaint]](t, must(t)(sdk.Request(ctx, http.MethodGet, base+complaints.PathComplaints, nil, q.Values(), nil, "")))
			if len(page.Data) != 2 || *page.TotalCount != 2 {
				t.Errorf("list: %+v", page)
			}
			d := decode[complaints.Complaint](t, must(t)(sdk.Get(ctx, base+complaints.PathComplaint(refund.ID()))))
			if d.ComplaintID != refund.ID() || d.ProblemType != complaints.ProblemRefund {
				t.Errorf("detail: %+v", d)
			}
			mediaID, _ := complaints.MediaIDFromURL(d.ComplaintMediaList[0].MediaURL[0])
			img := must(t)(images.Get(ctx, base+complaints.PathImage(mediaID)))
			if b, _ := io.ReadAll(img.Response.Body); string(b) != string(png) || img.Response.Header.Get("Content-Type") != "image/png" {
				t.Errorf("image download: %q", img.Response.Header.Get("Content-Type"))
			}

			meta, _ := complaints.NewUploadMeta("reply.png", png)
			var form bytes.Buffer
			w := multipart.NewWriter(&form)
			core.CreateFormField(w, "meta", "application/json", meta.JSON())
			core.CreateFormFile(w, "reply.png", "image/png", png)
			w.Close()
			up := decode[complaints.UploadAnswer](t, must(t)(sdk.Upload(ctx, base+complaints.PathImageUpload, string(meta.JSON()), form.String(), w.FormDataContentType())))

			must(t)(sdk.Post(ctx, base+complaints.PathResponse(refund.ID()), complaints.ResponseRequest{ComplaintedMchID: testMchID, ResponseContent: "已安排退款", ResponseImages: []string{up.MediaID}}))
			must(t)(sdk.Post(ctx, base+complaints.PathUpdateRefundProgress(refund.ID()), complaints.RefundProgressRequest{Action: complaints.RefundReject, RejectReason: "订单已发货"}))
			a := decode[complaints.ImmediateServiceAnswer](t, must(t)(sdk.Post(ctx, base+complaints.PathResponseImmediateService(urgent.ID()), complaints.ImmediateServiceRequest{
				ComplaintedMchID: testMchID, IdempotentID: complaints.NewIdempotentID(),
				Message: complaints.NormalMessage{Blocks: []complaints.Block{{Type: complaints.BlockText, Text: &complaints.TextBlock{Text: "您好"}}}}})))
			must(t)(sdk.Post(ctx, base+complaints.PathComplete(urgent.ID()), complaints.CompleteRequest{ComplaintedMchID: testMchID}))
			h := decode[complaints.Page[complaints.NegotiationHistory]](t, must(t)(sdk.Get(ctx, base+complaints.PathNegotiationHistory(urgent.ID())+"?limit=300")))
			if len(h.Data) != 3 || h.Data[1].LogID != a.LogID || h.Data[2].OperateType != complaints.OperateMerchantConfirmComplete {
				t.Errorf("history: %+v", h.Data)
			}
			if c, _ := f.world.Complaint(refund.ID()); c.State() != complaints.StateProcessed {
				t.Errorf("the rejected refund's complaint is %s", c.State())
			}
			must(t)(sdk.Delete(ctx, base+complaints.PathNotifications, nil))

			// An error answer: the SDK verifies its signature too, then
			// returns it as an APIError.
			_, err := sdk.Post(ctx, base+complaints.PathComplete(refund.ID()), complaints.CompleteRequest{ComplaintedMchID: testMchID})
			var apiErr *core.APIError
			if !asAPIError(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != "INVALID_REQUEST" {
				t.Errorf("a refused complete: %v", err)
			}
			for _, call := range f.rec.all() {
				if call.SignFailure != nil || len(call.Warnings) > 0 {
					t.Errorf("%s %s: %+v %v", call.Method, call.Target, call.SignFailure, call.Warnings)
				}
			}
		})
	}
}

func asAPIError(err error, target **core.APIError) bool {
	e, ok := err.(*core.APIError)
	if ok {
		*target = e
	}
	return ok
}

// must fails the test on an SDK call's error.
func must(t *testing.T) func(*core.APIResult, error) *core.APIResult {
	return func(r *core.APIResult, err error) *core.APIResult {
		t.Helper()
		if err != nil {
			t.Fatalf("%v", err)
		}
		if r.Response.StatusCode/100 != 2 {
			t.Fatalf("status %d", r.Response.StatusCode)
		}
		return r
	}
}

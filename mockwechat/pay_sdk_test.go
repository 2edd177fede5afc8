package mockwechat

// The official SDK against the running fake: github.com/wechatpay-apiv3/
// wechatpay-go v0.2.21 (a test dependency only), configured as its README
// says for each of WeChat's modes, its core.Client pointed at a
// mockwechat.Server through an http.Client whose Transport rewrites
// api.mch.weixin.qq.com (its certificate downloader hard-codes the host)
// calls every Complaints 2.0 endpoint, and its validator checks every
// answer's signature (the image download excepted: WeChat does not sign
// it); its notify handler opens every callback the fake sends.

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/consts"
	"github.com/wechatpay-apiv3/wechatpay-go/core/downloader"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
)

// sdkPNG is a 1×1 PNG.
var sdkPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// hostRewrite sends every request to the fake, whatever host it names;
// the path and query (what is signed) stay as they are.
type hostRewrite struct {
	host string
	next http.RoundTripper
}

func (rw hostRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", rw.host, rw.host
	return rw.next.RoundTrip(r)
}

// sdkMerchant is the SDK as a merchant configures it for the fake's mode:
// the verifying client, one without a validator (image downloads), and
// the verifier its notify handler uses.
type sdkMerchant struct {
	signed, images *core.Client
	verifier       auth.Verifier
	keys           *apiv3.MerchantKeys
}

func newSDKMerchant(t *testing.T, fake *Server, mode PayMode) sdkMerchant {
	t.Helper()
	ctx := t.Context()
	keys, err := fake.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	pm, _ := fake.PayMerchant()
	u, _ := url.Parse(fake.URL)
	hc := &http.Client{Transport: hostRewrite{host: u.Host, next: fake.Client().Transport}}
	cred := option.WithMerchantCredential(keys.MchID, keys.SerialNo, keys.PrivateKey)
	m := sdkMerchant{keys: keys}
	var opts []core.ClientOption
	if mode == PayModePublicKey {
		if keys.PublicKey == nil {
			t.Fatal("PayMerchantKeys in public-key mode: no public key")
		}
		m.verifier = verifiers.NewSHA256WithRSAPubkeyVerifier(keys.PublicKeyID, *keys.PublicKey)
		opts = []core.ClientOption{option.WithWechatPayPublicKeyAuthCipher(keys.MchID, keys.SerialNo, keys.PrivateKey, keys.PublicKeyID, keys.PublicKey)}
	} else {
		// The SDK's downloader: GET /v3/certificates, decrypted with the
		// APIv3 key, the answer verified by the certificate it carries.
		dl, err := core.NewClient(ctx, cred, option.WithoutValidator(), option.WithHTTPClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		certs, err := downloader.NewCertificateDownloaderWithClient(ctx, dl, keys.APIv3Key)
		if err != nil {
			t.Fatalf("the SDK's certificate download: %v", err)
		}
		if serial := certs.GetNewestSerial(ctx); serial != pm.PlatformSerial {
			t.Fatalf("the SDK downloaded certificate %s, want %s", serial, pm.PlatformSerial)
		}
		m.verifier = verifiers.NewSHA256WithRSAVerifier(certs)
		if mode == PayModeSwitch {
			if keys.PublicKey == nil {
				t.Fatal("PayMerchantKeys in switch mode: no public key")
			}
			m.verifier = verifiers.NewSHA256WithRSACombinedVerifier(certs, keys.PublicKeyID, *keys.PublicKey)
		}
		opts = []core.ClientOption{cred, option.WithVerifier(m.verifier)}
	}
	if m.signed, err = core.NewClient(ctx, append(opts, option.WithHTTPClient(hc))...); err != nil {
		t.Fatal(err)
	}
	if m.images, err = core.NewClient(ctx, cred, option.WithoutValidator(), option.WithHTTPClient(hc)); err != nil {
		t.Fatal(err)
	}
	return m
}

// sdkNotified is one callback the SDK's notify handler opened.
type sdkNotified struct {
	id, serial, eventType string
	content               map[string]any
}

// sdkReceiver is a merchant's callback endpoint built on the SDK's notify
// handler: 204 to what it opens, 401 to the rest.
type sdkReceiver struct {
	*httptest.Server
	mu      sync.Mutex
	opened  []sdkNotified
	refused []string
}

func newSDKReceiver(t *testing.T, apiv3Key string, v auth.Verifier) *sdkReceiver {
	t.Helper()
	h, err := notify.NewRSANotifyHandler(apiv3Key, v)
	if err != nil {
		t.Fatal(err)
	}
	rc := &sdkReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var content map[string]any
		n, err := h.ParseNotifyRequest(r.Context(), r, &content)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if err != nil {
			rc.refused = append(rc.refused, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		rc.opened = append(rc.opened, sdkNotified{id: n.ID, serial: r.Header.Get(apiv3.HeaderSerial), eventType: n.EventType, content: content})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *sdkReceiver) results() ([]sdkNotified, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]sdkNotified(nil), rc.opened...), append([]string(nil), rc.refused...)
}

// sdkDecode reads an SDK answer's JSON into a T.
func sdkDecode[T any](t *testing.T, r *core.APIResult) T {
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

// sdkOK fails the test on an SDK call's error (the validator's refusal
// among them) or a status other than 2xx.
func sdkOK(t *testing.T, what string) func(*core.APIResult, error) *core.APIResult {
	return func(r *core.APIResult, err error) *core.APIResult {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if r.Response.StatusCode/100 != 2 {
			t.Fatalf("%s: HTTP %d", what, r.Response.StatusCode)
		}
		return r
	}
}

// TestOfficialSDKAgainstTheFake: in each mode, the official SDK calls every
// Complaints 2.0 endpoint of a running fake and verifies every signed
// answer; its notify handler opens every callback the fake sends (every
// action type the user's and the platform's acts announce), and during the
// switch it meets callbacks signed by both keys.
func TestOfficialSDKAgainstTheFake(t *testing.T) {
	for _, mode := range []PayMode{PayModePublicKey, PayModePlatformCertificate, PayModeSwitch} {
		t.Run(string(mode), func(t *testing.T) {
			// The fake's clock is 5 days and an hour behind the wall: the
			// switch (begun at the fake's start) is in its 6th day, where
			// half the callbacks are signed by the public key; signatures
			// are stamped with the wall's time, as the SDK checks them.
			clk := NewVirtualClock(time.Now().Add(-(5*24*time.Hour + time.Hour)).Truncate(time.Second))
			fake := NewServer(Options{Clock: clk, PushTimestamps: PushTimestampsWall, Pay: &PayOptions{KeysDir: payKeys(t), Mode: mode, Seed: 18}})
			defer fake.Close()
			ctx := t.Context()
			m := newSDKMerchant(t, fake, mode)
			sdk, mchid := m.signed, m.keys.MchID
			receiver := newSDKReceiver(t, m.keys.APIv3Key, m.verifier)
			base := consts.WechatPayAPIServer

			// The callback URL: create, update, query.
			n := sdkDecode[complaints.NotificationURL](t, sdkOK(t, "create the callback URL")(sdk.Post(ctx, base+complaints.PathNotifications, complaints.NotificationURLRequest{URL: receiver.URL + "/first"})))
			if n.MchID != mchid || n.URL != receiver.URL+"/first" {
				t.Errorf("create: %+v", n)
			}
			sdkOK(t, "update the callback URL")(sdk.Put(ctx, base+complaints.PathNotifications, complaints.NotificationURLRequest{URL: receiver.URL + "/wechat"}))
			if n := sdkDecode[complaints.NotificationURL](t, sdkOK(t, "query the callback URL")(sdk.Get(ctx, base+complaints.PathNotifications))); n.URL != receiver.URL+"/wechat" {
				t.Errorf("query: %+v", n)
			}

			refund, err := fake.FilePayComplaint(ctx, PayComplaintSpec{ProblemType: complaints.ProblemRefund, Images: []PayImage{{Filename: "e.png", Data: sdkPNG}}})
			if err != nil {
				t.Fatal(err)
			}
			urgent, err := fake.FilePayComplaint(ctx, PayComplaintSpec{NeedImmediateService: true})
			if err != nil {
				t.Fatal(err)
			}
			plain, err := fake.FilePayComplaint(ctx, PayComplaintSpec{Detail: "没收到货"})
			if err != nil {
				t.Fatal(err)
			}
			rid, uid, pid := refund.Wire.ComplaintID, urgent.Wire.ComplaintID, plain.Wire.ComplaintID

			// List, detail, image download.
			today := complaints.DateOf(clk.Now())
			q := complaints.ListRequest{BeginDate: today, EndDate: today, Limit: 50}
			page := sdkDecode[complaints.Page[complaints.Complaint]](t, sdkOK(t, "list")(sdk.Request(ctx, http.MethodGet, base+complaints.PathComplaints, nil, q.Values(), nil, "")))
			if len(page.Data) != 3 || page.TotalCount == nil || *page.TotalCount != 3 {
				t.Errorf("list: %+v", page)
			}
			d := sdkDecode[complaints.Complaint](t, sdkOK(t, "detail")(sdk.Get(ctx, base+complaints.PathComplaint(rid))))
			if d.ComplaintID != rid || d.ProblemType != complaints.ProblemRefund || len(d.ComplaintMediaList) == 0 || len(d.ComplaintMediaList[0].MediaURL) == 0 {
				t.Fatalf("detail: %+v", d)
			}
			mediaID, _ := complaints.MediaIDFromURL(d.ComplaintMediaList[0].MediaURL[0])
			img := sdkOK(t, "image download")(m.images.Get(ctx, base+complaints.PathImage(mediaID)))
			if b, _ := io.ReadAll(img.Response.Body); !bytes.Equal(b, sdkPNG) || img.Response.Header.Get("Content-Type") != "image/png" {
				t.Errorf("image download: %d bytes of %q", len(b), img.Response.Header.Get("Content-Type"))
			}

			// Image upload (signed over meta), reply, refund approval.
			meta, err := complaints.NewUploadMeta("reply.png", sdkPNG)
			if err != nil {
				t.Fatal(err)
			}
			var form bytes.Buffer
			w := multipart.NewWriter(&form)
			core.CreateFormField(w, "meta", "application/json", meta.JSON())
			core.CreateFormFile(w, "reply.png", "image/png", sdkPNG)
			w.Close()
			up := sdkDecode[complaints.UploadAnswer](t, sdkOK(t, "image upload")(sdk.Upload(ctx, base+complaints.PathImageUpload, string(meta.JSON()), form.String(), w.FormDataContentType())))
			if up.MediaID == "" {
				t.Fatalf("upload: %+v", up)
			}
			sdkOK(t, "reply")(sdk.Post(ctx, base+complaints.PathResponse(rid), complaints.ResponseRequest{ComplaintedMchID: mchid, ResponseContent: "已安排退款", ResponseImages: []string{up.MediaID}}))
			day := 1
			sdkOK(t, "approve the refund")(sdk.Post(ctx, base+complaints.PathUpdateRefundProgress(rid), complaints.RefundProgressRequest{Action: complaints.RefundApprove, LaunchRefundDay: &day}))

			// The immediate-service reply, then complete.
			a := sdkDecode[complaints.ImmediateServiceAnswer](t, sdkOK(t, "immediate-service reply")(sdk.Post(ctx, base+complaints.PathResponseImmediateService(uid), complaints.ImmediateServiceRequest{
				ComplaintedMchID: mchid, IdempotentID: complaints.NewIdempotentID(),
				Message: complaints.NormalMessage{Blocks: []complaints.Block{{Type: complaints.BlockText, Text: &complaints.TextBlock{Text: "您好"}}}}})))
			sdkOK(t, "complete")(sdk.Post(ctx, base+complaints.PathComplete(uid), complaints.CompleteRequest{ComplaintedMchID: mchid}))
			h := sdkDecode[complaints.Page[complaints.NegotiationHistory]](t, sdkOK(t, "history")(sdk.Get(ctx, base+complaints.PathNegotiationHistory(uid)+"?limit=300")))
			if len(h.Data) != 3 || h.Data[1].LogID != a.LogID || h.Data[2].OperateType != complaints.OperateMerchantConfirmComplete {
				t.Errorf("history: %+v", h.Data)
			}

			// GET /v3/certificates, verified by the client's validator
			// (the certificate it lists, already trusted).
			if mode != PayModePublicKey {
				certs := sdkDecode[apiv3.CertificatesAnswer](t, sdkOK(t, "GET /v3/certificates")(sdk.Get(ctx, base+apiv3.PathCertificates)))
				pm, _ := fake.PayMerchant()
				if len(certs.Data) != 1 || certs.Data[0].SerialNo != pm.PlatformSerial {
					t.Errorf("certificates: %+v", certs.Data)
				}
			}

			// The user's and the platform's acts: one callback each.
			acts := []struct {
				id  string
				act PayAct
				in  PayActInput
			}{
				{pid, PayActMessage, PayActInput{Text: "请尽快处理"}},
				{pid, PayActApplyPlatform, PayActInput{Text: "商家不理"}},
				{pid, PayActPlatformMessage, PayActInput{Text: "平台已介入"}},
				{pid, PayActCancelPlatform, PayActInput{}},
				{pid, PayActApplyPlatform, PayActInput{}},
				{pid, PayActPlatformFinish, PayActInput{Text: "协商完成"}},
				{rid, PayActRefundArrived, PayActInput{}},
				{uid, PayActContinue, PayActInput{Text: "还是没解决"}},
				{uid, PayActSellerRefund, PayActInput{}},
			}
			for _, x := range acts {
				if _, err := fake.PayAct(ctx, x.id, x.act, x.in); err != nil {
					t.Fatalf("%s on %s: %v", x.act, x.id, err)
				}
			}
			if c, _ := fake.PayComplaint(rid); c.Wire.ComplaintState != complaints.StateProcessed {
				t.Errorf("the refunded complaint is %s, want PROCESSED", c.Wire.ComplaintState)
			}
			if err := fake.WaitPayIdle(ctx); err != nil {
				t.Fatal(err)
			}

			// Every callback sent was opened by the SDK, under its id,
			// announcing its complaint and action type; none refused.
			ds := fake.pay.callbacks.Deliveries()
			if want := 3 + len(acts); len(ds) != want {
				t.Fatalf("the fake sent %d callbacks, want %d (3 complaints filed, %d acts; the merchant's acts send none)", len(ds), want, len(acts))
			}
			opened, refused := receiver.results()
			if len(refused) > 0 {
				t.Errorf("the SDK's notify handler refused %d callbacks: %q", len(refused), refused)
			}
			byID := map[string]sdkNotified{}
			serials := map[string]int{}
			for _, o := range opened {
				byID[o.id] = o
				serials[o.serial]++
			}
			for _, dv := range ds {
				o, ok := byID[dv.ID]
				switch {
				case !dv.Delivered || dv.Failed:
					t.Errorf("callback %s (%s): delivered %v, failed %v", dv.ID, dv.ActionType, dv.Delivered, dv.Failed)
				case !ok:
					t.Errorf("callback %s (%s): not opened by the SDK", dv.ID, dv.ActionType)
				case o.content["complaint_id"] != dv.ComplaintID || o.content["action_type"] != string(dv.ActionType) || o.eventType != string(dv.EventType):
					t.Errorf("callback %s: the SDK opened %s %v, want %s %s of %s", dv.ID, o.eventType, o.content, dv.EventType, dv.ActionType, dv.ComplaintID)
				}
			}
			pm, _ := fake.PayMerchant()
			switch mode {
			case PayModePublicKey:
				if serials[pm.PublicKeyID] != len(opened) {
					t.Errorf("public-key mode: callbacks signed by %v, want all by %s", serials, pm.PublicKeyID)
				}
			case PayModePlatformCertificate:
				if serials[pm.PlatformSerial] != len(opened) {
					t.Errorf("certificate mode: callbacks signed by %v, want all by %s", serials, pm.PlatformSerial)
				}
			case PayModeSwitch:
				if serials[pm.PublicKeyID] == 0 || serials[pm.PlatformSerial] == 0 || serials[pm.PublicKeyID]+serials[pm.PlatformSerial] != len(opened) {
					t.Errorf("switch mode, 6th day: callbacks signed by %v, want both %s and %s", serials, pm.PublicKeyID, pm.PlatformSerial)
				}
			}

			// Delete the callback URL; a query after it is the error
			// WeChat answers, signed and verified too.
			sdkOK(t, "delete the callback URL")(sdk.Delete(ctx, base+complaints.PathNotifications, nil))
			_, err = sdk.Get(ctx, base+complaints.PathNotifications)
			if e, ok := err.(*core.APIError); !ok || e.Code != string(apiv3.CodeResourceNotExists) {
				t.Errorf("query after delete: %v, want RESOURCE_NOT_EXISTS", err)
			}
			// No request of the SDK was refused as badly signed; the only
			// warning is the plain-http callback URL's.
			for _, call := range fake.Calls() {
				if call.Status == http.StatusUnauthorized || len(call.Warnings) > 0 && call.Endpoint != complaints.PathNotifications {
					t.Errorf("%s %s: HTTP %d, warnings %v", call.Method, call.Endpoint, call.Status, call.Warnings)
				}
			}
		})
	}
}

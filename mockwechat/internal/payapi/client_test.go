package payapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// apiError returns err's *apiv3.Error, or fails.
func apiError(t *testing.T, err error) *apiv3.Error {
	t.Helper()
	var e *apiv3.Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v, want an *apiv3.Error", err)
	}
	if !e.Verified {
		t.Errorf("the error answer %s was not signed", e.Code)
	}
	return e
}

// TestEveryEndpoint: the repository's client, configured as a merchant in
// each mode, calls every endpoint against the fake; each answer verifies
// (the client believes nothing unsigned) and says what the world holds.
func TestEveryEndpoint(t *testing.T) {
	for _, mode := range paykeys.Modes() {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			f := newFake(t, mode, Options{})
			c := f.client(t, mode)

			_, err := c.QueryNotificationURL(ctx)
			if e := apiError(t, err); e.StatusCode != http.StatusBadRequest || e.Code != apiv3.CodeResourceNotExists || e.Message != payworld.MsgNoNotifyURL {
				t.Errorf("no URL yet: %v", e)
			}
			if n, err := c.CreateNotificationURL(ctx, "https://merchant.example.com/cb"); err != nil || n.MchID != testMchID {
				t.Fatalf("create: %+v %v", n, err)
			}
			if n, err := c.UpdateNotificationURL(ctx, "https://merchant.example.com/v2"); err != nil || n.URL != "https://merchant.example.com/v2" {
				t.Errorf("update: %+v %v", n, err)
			}
			if n, err := c.QueryNotificationURL(ctx); err != nil || n.URL != "https://merchant.example.com/v2" {
				t.Errorf("query: %+v %v", n, err)
			}

			refund := f.file(t, payworld.FileSpec{ProblemType: complaints.ProblemRefund, PayerPhone: "13800138000",
				Images: []payworld.ImageFile{{Filename: "evidence.png", Data: png}}})
			urgent := f.file(t, payworld.FileSpec{NeedImmediateService: true})
			today := complaints.DateOf(f.clock.now())
			page, err := c.List(ctx, complaints.ListRequest{BeginDate: today.AddDays(-1), EndDate: today, Limit: 1})
			if err != nil || page.TotalCount == nil || *page.TotalCount != 2 || len(page.Data) != 1 || page.Data[0].ComplaintID != refund.ID() {
				t.Fatalf("list: %+v %v", page, err)
			}
			if page.Data[0].PayerOpenID != "" {
				t.Error("a list item carries payer_openid")
			}
			next, err := c.List(ctx, complaints.ListRequest{BeginDate: today.AddDays(-1), EndDate: today, Limit: 1, Offset: 1})
			if err != nil || next.TotalCount != nil || len(next.Data) != 1 || next.Data[0].ComplaintID != urgent.ID() {
				t.Errorf("second page: %+v %v", next, err)
			}

			d, err := c.Detail(ctx, refund.ID())
			if err != nil {
				t.Fatal(err)
			}
			if phone, err := d.DecryptPayerPhone(f.id.Merchant().PrivateKey); err != nil || phone != "13800138000" || d.PayerOpenID == "" {
				t.Errorf("detail: phone %q %v, openid %q", phone, err, d.PayerOpenID)
			}
			img, err := c.DownloadImage(ctx, d.ComplaintMediaList[0].MediaURL[0])
			if err != nil || string(img.Data) != string(png) || img.ContentType != "image/png" {
				t.Errorf("download: %+v %v", img, err)
			}

			up, err := c.UploadImage(ctx, "reply.png", png)
			if err != nil || !strings.HasSuffix(up.MediaID, ".png") {
				t.Fatalf("upload: %+v %v", up, err)
			}
			if _, err := c.DownloadImage(ctx, "https://api.mch.weixin.qq.com"+complaints.PathImage(up.MediaID)); apiError(t, err).Message != payworld.MsgOwnImage {
				t.Errorf("downloading its own upload: %v", err)
			}
			if err := c.Respond(ctx, refund.ID(), complaints.ResponseRequest{ComplaintedMchID: testMchID, ResponseContent: "您好，已安排退款", ResponseImages: []string{up.MediaID}}); err != nil {
				t.Fatalf("respond: %v", err)
			}
			day := 0
			if err := c.UpdateRefundProgress(ctx, refund.ID(), complaints.RefundProgressRequest{Action: complaints.RefundApprove, LaunchRefundDay: &day}); err != nil {
				t.Fatalf("refund: %v", err)
			}
			err = c.UpdateRefundProgress(ctx, refund.ID(), complaints.RefundProgressRequest{Action: complaints.RefundReject, RejectReason: "改主意了"})
			if e := apiError(t, err); e.Code != apiv3.CodeInvalidRequest || e.Message != payworld.MsgWrongState {
				t.Errorf("second decision: %v", e)
			}
			if err := c.Complete(ctx, refund.ID(), complaints.CompleteRequest{ComplaintedMchID: testMchID}); err != nil {
				t.Fatalf("complete: %v", err)
			}
			idem := complaints.NewIdempotentID()
			reply := complaints.ImmediateServiceRequest{ComplaintedMchID: testMchID, IdempotentID: idem, Message: complaints.NormalMessage{
				Blocks:         []complaints.Block{{Type: complaints.BlockText, Text: &complaints.TextBlock{Text: "您好，客服为您服务"}}},
				SenderIdentity: complaints.SenderMachine}}
			a, err := c.RespondImmediately(ctx, urgent.ID(), reply)
			if err != nil || len(a.LogID) != 27 {
				t.Fatalf("immediate: %+v %v", a, err)
			}
			if again, err := c.RespondImmediately(ctx, urgent.ID(), reply); err != nil || again.LogID != a.LogID {
				t.Errorf("the same idempotent_id: %+v %v, want log_id %s", again, err, a.LogID)
			}

			h, err := c.History(ctx, refund.ID(), complaints.HistoryRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var ops []complaints.OperateType
			for _, e := range h.Data {
				ops = append(ops, e.OperateType)
			}
			want := []complaints.OperateType{complaints.OperateUserCreateComplaint, complaints.OperateMerchantResponse,
				complaints.OperateMerchantApproveRefund, complaints.OperateMerchantConfirmComplete}
			if strings.Join(asStrings(ops), " ") != strings.Join(asStrings(want), " ") || *h.TotalCount != 4 {
				t.Errorf("history %v, want %v", ops, want)
			}
			if d, _ := c.Detail(ctx, refund.ID()); d.ComplaintState != complaints.StateProcessed {
				t.Errorf("state %s", d.ComplaintState)
			}
			uh, _ := c.History(ctx, urgent.ID(), complaints.HistoryRequest{})
			if last := uh.Data[len(uh.Data)-1]; last.LogID != a.LogID || last.NormalMessage == nil || last.NormalMessage.SenderIdentity != complaints.SenderMachine {
				t.Errorf("the immediate reply's entry: %+v", last)
			}

			if err := c.DeleteNotificationURL(ctx); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if err := c.DeleteNotificationURL(ctx); apiError(t, err).Code != apiv3.CodeResourceNotExists {
				t.Errorf("delete twice: %v", err)
			}

			// The merchant's acts announced nothing; they told changes.
			f.mu.Lock()
			for _, fx := range f.fx {
				if len(fx.Callbacks) > 0 {
					t.Errorf("a merchant's act announced %+v", fx.Callbacks)
				}
			}
			if len(f.fx) == 0 {
				t.Error("no changes told")
			}
			f.mu.Unlock()

			// Who signed: the mode's key (the client asks for the public
			// key when it has one, which the switch honours).
			want1 := map[paykeys.Mode]string{paykeys.ModePublicKey: f.id.PublicKeyID(), paykeys.ModePlatformCertificate: f.id.PlatformSerial(),
				paykeys.ModeSwitch: f.id.PublicKeyID()}[mode]
			for _, call := range f.rec.all() {
				switch {
				case call.Endpoint == complaints.EndpointImageDownload && call.Status == http.StatusOK:
					if call.Signer != "" {
						t.Errorf("an image answer was signed by %s", call.Signer)
					}
				case call.Endpoint == EndpointCertificates:
				case call.Signer != want1:
					t.Errorf("%s %s answered by %s, want %s", call.Method, call.Target, call.Signer, want1)
				}
			}
		})
	}
}

func asStrings[T ~string](s []T) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

// TestNoAuthOverHTTP: another merchant reading or acting on a complaint
// gets WeChat's NO_AUTH answers.
func TestNoAuthOverHTTP(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, paykeys.ModePublicKey, Options{})
	id := f.file(t, payworld.FileSpec{}).ID()
	other := f.otherClient(t)
	_, err := other.Detail(ctx, id)
	if e := apiError(t, err); e.StatusCode != http.StatusForbidden || e.Code != apiv3.CodeNoAuth || e.Message != payworld.MsgNoAuthQuery {
		t.Errorf("detail: %v", e)
	}
	err = other.Respond(ctx, id, complaints.ResponseRequest{ComplaintedMchID: otherMchID, ResponseContent: "x"})
	if e := apiError(t, err); e.Code != apiv3.CodeNoAuth || e.Message != payworld.MsgNoAuthReply {
		t.Errorf("respond: %v", e)
	}
	_, err = f.client(t, paykeys.ModePublicKey).Detail(ctx, "200000000000000000000000404")
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound || e.Code != apiv3.CodeOrderNotExist {
		t.Errorf("unknown complaint: %v", e)
	}
}

// TestCertificates: GET /v3/certificates lists the platform certificate,
// encrypted with the merchant's APIv3 key, outside public-key mode, where
// WeChat answers that there is none.
func TestCertificates(t *testing.T) {
	for _, mode := range paykeys.Modes() {
		f := newFake(t, mode, Options{})
		if mode == paykeys.ModePublicKey {
			aead, _ := apiv3.NewAEAD(testV3Key)
			_, err := f.client(t, mode).API().DownloadCertificates(context.Background(), aead)
			if e := apiError(t, err); e.Code != apiv3.CodeResourceNotExists || e.Message != MsgNoPlatformCertificate || e.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %v", mode, e)
			}
			continue
		}
		keys := f.id.MerchantKeys(mode)
		signer, _ := keys.Signer(f.clock.now)
		certs, err := apiv3.FetchCertificates(context.Background(), apiv3.ClientOptions{BaseURL: f.srv.URL, MchID: testMchID, Signer: signer}, testV3Key)
		if err != nil || len(certs) != 1 || apiv3.SerialOf(certs[0]) != f.id.PlatformSerial() {
			t.Errorf("%s: %v %v", mode, certs, err)
		}
	}
}

// TestAnswerSignedAsAsked: during the switch, the answer is signed by the
// key the request's Wechatpay-Serial names, the certificate by default;
// outside it, by the mode's key whatever the request asks.
func TestAnswerSignedAsAsked(t *testing.T) {
	for _, c := range []struct {
		mode paykeys.Mode
		ask  string // "pub", "cert" or ""
		want string
	}{
		{paykeys.ModeSwitch, "", "cert"}, {paykeys.ModeSwitch, "pub", "pub"}, {paykeys.ModeSwitch, "cert", "cert"},
		{paykeys.ModePublicKey, "cert", "pub"}, {paykeys.ModePlatformCertificate, "pub", "cert"},
	} {
		f := newFake(t, c.mode, Options{})
		serial := map[string]string{"pub": f.id.PublicKeyID(), "cert": f.id.PlatformSerial()}
		req := signedRequest(t, f, http.MethodGet, complaints.PathNotifications, nil)
		if c.ask != "" {
			req.Header.Set(apiv3.HeaderSerial, serial[c.ask])
		}
		resp, body := f.do(t, req)
		if got := resp.Header.Get(apiv3.HeaderSerial); got != serial[c.want] {
			t.Errorf("%s asking %q: signed by %s, want %s", c.mode, c.ask, got, serial[c.want])
		}
		v, _ := f.id.Verifier(paykeys.ModeSwitch, f.clock.now)
		if err := v.Verify(apiv3.SignatureHeadersOf(resp.Header), body); err != nil || resp.Header.Get(apiv3.HeaderRequestID) == "" {
			t.Errorf("%s: %v (Request-ID %q)", c.mode, err, resp.Header.Get(apiv3.HeaderRequestID))
		}
	}
}

package complaints

// The official SDK's view: github.com/wechatpay-apiv3/wechatpay-go v0.2.21
// (a test dependency only) has no complaint service, but its core.Client
// calls any URL. Pointed at the same fake as our Client, it must send what
// we send, and both must pass the same signature check.

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http/httptest"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
)

// sdkAndOurs returns the SDK's client and ours, both for one fake.
func sdkAndOurs(t *testing.T, f *fakeWeChat) (sdk *core.Client, ours *Client, url string) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	sdk, err := core.NewClient(context.Background(),
		option.WithWechatPayPublicKeyAuthCipher(testMchID, testMerchantSerial, merchantKey(t), testPubKeyID, &wechatKey(t).PublicKey),
		option.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return sdk, newTestClient(t, srv.URL, srv.Client(), ClientOptions{}), srv.URL
}

// TestSDKSendsWhatWeSend: for the list query, the immediate-service reply
// (the richest body) and an image upload, the SDK's request and ours reach
// the fake alike: same method and target, same body (the SDK's
// json.Encoder adds a newline, which it signs), same meta and file; and the
// SDK believes the fake's signed answers that our Client believes.
func TestSDKSendsWhatWeSend(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, func(s seen, _ int) answer {
		switch s.Target {
		case PathImageUpload:
			return ok(sample(t, "upload_answer"))
		case PathResponseImmediateService(testComplaintID):
			return ok(sample(t, "immediate_service_answer"))
		}
		return ok(sample(t, "list_first_page"))
	})
	sdk, ours, base := sdkAndOurs(t, f)

	list := ListRequest{BeginDate: Date{2025, 5, 1}, EndDate: Date{2025, 5, 30}, Limit: 2, Offset: 0, ComplaintedMchID: testMchID}
	if _, err := sdk.Request(ctx, "GET", base+PathComplaints, nil, list.Values(), nil, ""); err != nil {
		t.Fatalf("SDK list: %v", err)
	}
	if _, err := ours.List(ctx, list); err != nil {
		t.Fatalf("our list: %v", err)
	}

	reply := ImmediateServiceRequest{ComplaintedMchID: testMchID, Message: everyBlock(), IdempotentID: NewIdempotentID()}
	if _, err := sdk.Post(ctx, base+PathResponseImmediateService(testComplaintID), reply); err != nil {
		t.Fatalf("SDK reply: %v", err)
	}
	if _, err := ours.RespondImmediately(ctx, testComplaintID, reply); err != nil {
		t.Fatalf("our reply: %v", err)
	}

	meta, err := NewUploadMeta("shot.png", png)
	if err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	if err := core.CreateFormField(w, "meta", "application/json", meta.JSON()); err != nil {
		t.Fatal(err)
	}
	if err := core.CreateFormFile(w, "shot.png", "image/png", png); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := sdk.Upload(ctx, base+PathImageUpload, string(meta.JSON()), form.String(), w.FormDataContentType()); err != nil {
		t.Fatalf("SDK upload: %v", err)
	}
	if _, err := ours.UploadImage(ctx, "shot.png", png); err != nil {
		t.Fatalf("our upload: %v", err)
	}

	reqs := f.seenRequests()
	if len(reqs) != 6 {
		t.Fatalf("%d requests reached the fake, want 6", len(reqs))
	}
	for i := 0; i < len(reqs); i += 2 {
		theirs, mine := reqs[i], reqs[i+1]
		if theirs.Method != mine.Method || theirs.Target != mine.Target {
			t.Errorf("SDK %s %s, ours %s %s", theirs.Method, theirs.Target, mine.Method, mine.Target)
		}
		if want := bytes.TrimSuffix(theirs.Body, []byte("\n")); !bytes.Equal(want, mine.Body) {
			t.Errorf("%s: SDK body\n%s\nours\n%s", mine.Target, theirs.Body, mine.Body)
		}
		if !bytes.Equal(theirs.File, mine.File) || theirs.FileType != mine.FileType {
			t.Errorf("%s: SDK file %q (%s), ours %q (%s)", mine.Target, theirs.File, theirs.FileType, mine.File, mine.FileType)
		}
	}
}

package mockwechat

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/downloader"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
)

// callbackRecorder keeps the last callback received, headers and body,
// and acknowledges it.
type callbackRecorder struct {
	*httptest.Server
	mu     sync.Mutex
	header http.Header
	body   []byte
}

func newCallbackRecorder(t *testing.T) *callbackRecorder {
	rec := &callbackRecorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.header, rec.body = r.Header.Clone(), b
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// request rebuilds the last callback as the merchant's handler gets it.
func (rec *callbackRecorder) request() (*http.Request, apiv3.SignatureHeaders, []byte) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	r := httptest.NewRequest(http.MethodPost, "/wechat/complaints", bytes.NewReader(rec.body))
	r.Header = rec.header.Clone()
	return r, apiv3.SignatureHeadersOf(rec.header), rec.body
}

// TestPayRotateCertificate: after the platform certificate is rotated, a
// callback comes with the new serial; a merchant holding the old
// certificate only fails to verify it (the official SDK's notify handler,
// and apiv3.Verifier with ErrUnknownSerial naming the new serial), and
// verifies it once it downloaded GET /v3/certificates again, which lists
// both certificates during the overlap and the new one only after it. The
// keys directory holds the new certificate: a fake started on it signs
// with it.
func TestPayRotateCertificate(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	clk := NewVirtualClock(time.Now().Truncate(time.Second))
	fake := NewServer(Options{Clock: clk, Pay: &PayOptions{KeysDir: dir, Mode: PayModePlatformCertificate}})
	defer fake.Close()
	keys, err := fake.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	before, _ := fake.PayMerchant()

	// The merchant downloads the certificates at start: the SDK's way and ours.
	u, _ := url.Parse(fake.URL)
	hc := &http.Client{Transport: hostRewrite{host: u.Host, next: fake.Client().Transport}}
	dl, err := core.NewClient(ctx, option.WithMerchantCredential(keys.MchID, keys.SerialNo, keys.PrivateKey), option.WithoutValidator(), option.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	sdkCerts, err := downloader.NewCertificateDownloaderWithClient(ctx, dl, keys.APIv3Key)
	if err != nil {
		t.Fatal(err)
	}
	sdkHandler, err := notify.NewRSANotifyHandler(keys.APIv3Key, verifiers.NewSHA256WithRSAVerifier(sdkCerts))
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := keys.Signer(clk.Now)
	// fetch downloads the certificates, the answer verified by v (nil: by
	// the certificates it lists, on real time: the first download).
	fetch := func(v *apiv3.Verifier) []*x509.Certificate {
		t.Helper()
		certs, err := apiv3.FetchCertificates(ctx, apiv3.ClientOptions{BaseURL: fake.URL, MchID: keys.MchID, Signer: signer, Verifier: v, HTTPClient: fake.Client()}, keys.APIv3Key)
		if err != nil {
			t.Fatal(err)
		}
		return certs
	}
	ours, err := keys.Verifier(clk.Now, fetch(nil)...)
	if err != nil {
		t.Fatal(err)
	}

	after, err := fake.RotatePayCertificate()
	if err != nil {
		t.Fatal(err)
	}
	if after.PlatformSerial == before.PlatformSerial {
		t.Fatalf("the serial after the rotation is the old one, %s", after.PlatformSerial)
	}
	now := clk.Now()
	if pc := after.PlatformCertificates; len(pc) != 2 || pc[0].SerialNo != after.PlatformSerial || !pc[0].Signing || !pc[0].EffectiveTime.Equal(now) ||
		pc[1].SerialNo != before.PlatformSerial || pc[1].Signing || !pc[1].ExpireTime.Equal(now.Add(PayRotationOverlap)) {
		t.Fatalf("the certificates after the rotation: %+v, want the new one from %s signing, the old one expiring at %s", pc, now, now.Add(PayRotationOverlap))
	}

	rec := newCallbackRecorder(t)
	if err := fake.SetPayNotifyURL("", rec.URL); err != nil {
		t.Fatal(err)
	}
	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	req, sh, body := rec.request()
	if sh.Serial != after.PlatformSerial {
		t.Fatalf("the callback's Wechatpay-Serial is %s, want the new certificate's %s", sh.Serial, after.PlatformSerial)
	}

	// With the old certificate only: refused, the unknown serial named.
	verr := ours.Verify(sh, body)
	var ve *apiv3.VerifyError
	if !errors.Is(verr, apiv3.ErrUnknownSerial) || !errors.As(verr, &ve) || ve.Serial != after.PlatformSerial {
		t.Errorf("apiv3.Verifier with the old certificate: %v, want ErrUnknownSerial naming %s", verr, after.PlatformSerial)
	}
	var content map[string]any
	if _, err := sdkHandler.ParseNotifyRequest(ctx, req, &content); err == nil {
		t.Error("the SDK's notify handler with the old certificate opened the callback signed by the new one")
	}

	// Downloaded again: both listed, the callback verifies.
	certs := fetch(ours)
	if len(certs) != 2 {
		t.Errorf("GET /v3/certificates during the overlap lists %d certificates, want 2", len(certs))
	}
	if err := ours.SetCertificates(certs); err != nil {
		t.Fatal(err)
	}
	if err := ours.Verify(sh, body); err != nil {
		t.Errorf("apiv3.Verifier after downloading again: %v", err)
	}
	if err := sdkCerts.DownloadCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	req, _, _ = rec.request()
	if _, err := sdkHandler.ParseNotifyRequest(ctx, req, &content); err != nil || content["complaint_id"] != c.Wire.ComplaintID {
		t.Errorf("the SDK's notify handler after downloading again: %v, content %v", err, content)
	}

	// The keys directory keeps the rotation.
	again := NewServer(Options{Clock: NewVirtualClock(now), Pay: &PayOptions{KeysDir: dir, Mode: PayModePlatformCertificate}})
	defer again.Close()
	if m, _ := again.PayMerchant(); m.PlatformSerial != after.PlatformSerial || len(m.PlatformCertificates) != 2 {
		t.Errorf("a fake started on the keys directory: serial %s and %d certificates, want %s and 2", m.PlatformSerial, len(m.PlatformCertificates), after.PlatformSerial)
	}

	// After the overlap, only the new one.
	clk.Advance(PayRotationOverlap + time.Second)
	if m, _ := fake.PayMerchant(); len(m.PlatformCertificates) != 1 || m.PlatformCertificates[0].SerialNo != after.PlatformSerial {
		t.Errorf("after the overlap: %+v, want the new certificate only", m.PlatformCertificates)
	}
	if len(fetch(ours)) != 1 {
		t.Error("GET /v3/certificates after the overlap: want the new certificate only")
	}
}

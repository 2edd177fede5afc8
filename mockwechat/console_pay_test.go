package mockwechat

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// TestConsolePayPages: the console of a fake that plays Complaints 2.0
// reads its world, callbacks, keys and signature failures — a complaint
// filed, a user's act and their callbacks opened by a verifying
// merchant, a request with a forged signature — shows no private key,
// and forgets the signature failures on Reset.
func TestConsolePayPages(t *testing.T) {
	fake := NewServer(Options{Pay: &PayOptions{}})
	defer fake.Close()
	ctx := context.Background()
	merchant := newPayMerchantServer(t, fake)
	if err := fake.SetPayNotifyURL("", merchant.URL); err != nil {
		t.Fatal(err)
	}
	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{Detail: "没收到货 <b>急</b>"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Wire.ComplaintID
	if _, err := fake.PayAct(ctx, id, PayActMessage, PayActInput{Text: "还没收到退款"}); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := fake.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := fake.PayMerchant()
	req, _ := http.NewRequest(http.MethodGet, fake.URL+complaints.PathComplaint(id), nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Authorization", `WECHATPAY2-SHA256-RSA2048 mchid="`+keys.MchID+`",nonce_str="nonce-of-the-test",timestamp="`+
		strconv.FormatInt(fake.Now().Unix(), 10)+`",serial_no="`+keys.SerialNo+`",signature="AAAA"`)
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	pem, err := apiv3.EncodePrivateKey(keys.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(pem)), "\n")
	keyLine := lines[len(lines)/2]
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/", []string{"Complaints 2.0", `<span class="n">1</span><span>PENDING</span>`}},
		{"/pay-complaints", []string{"Complaints 2.0 (1)", id, "没收到货 &lt;b&gt;急&lt;/b&gt;", "2/2 delivered"}},
		{"/pay-complaints/" + id, []string{"The user filed the complaint", "The user wrote to the merchant", "还没收到退款",
			"Callback CREATE_COMPLAINT to the merchant", "Callback USER_RESPONSE to the merchant", "HTTP 204", "acknowledged",
			"Wechatpay-Signature", m.PublicKeyID, "to <code>" + merchant.URL}},
		{"/pay-keys", []string{m.MchID, m.SerialNo, m.PublicKeyID, m.PlatformSerial, "public-key", "in the fake's memory only"}},
		{"/pay-signatures", []string{"Signature failures (1)", "GET " + complaints.PathComplaint(id), "nonce-of-the-test", "SIGN_ERROR"}},
	} {
		status, _, body := getPage(t, fake, tt.path)
		if status != http.StatusOK {
			t.Errorf("GET %s: HTTP %d", tt.path, status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: the page lacks %q", tt.path, w)
			}
		}
		if strings.Contains(body, "PRIVATE KEY") || strings.Contains(body, keyLine) {
			t.Errorf("GET %s: the merchant's private key is on the page", tt.path)
		}
	}
	if err := fake.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, body := getPage(t, fake, "/pay-signatures"); !strings.Contains(body, "No request refused for its signature") {
		t.Error("the signature failures outlive Reset")
	}
	if _, _, body := getPage(t, fake, "/pay-keys"); !strings.Contains(body, merchant.URL) {
		t.Error("Reset lost the merchant's callback URL (Complaints 2.0 keeps it)")
	}
}

// TestConsolePayOff: a fake without Complaints 2.0 has no link to its
// pages, which say it is off.
func TestConsolePayOff(t *testing.T) {
	fake := NewServer(Options{})
	defer fake.Close()
	if _, _, body := getPage(t, fake, "/"); strings.Contains(body, "Complaints 2.0") {
		t.Error("the overview names Complaints 2.0 on a fake that does not play it")
	}
	if status, _, body := getPage(t, fake, "/pay-keys"); status != http.StatusNotFound || !strings.Contains(body, "does not play Complaints 2.0") {
		t.Errorf("/pay-keys: HTTP %d", status)
	}
}

package mockwechat

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// payClient returns the repository's Complaints 2.0 client of the fake,
// as the demo merchant configures it: every answer verified.
func payClient(t *testing.T, fake *Server) (*complaints.Client, *apiv3.MerchantKeys) {
	t.Helper()
	keys, err := fake.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.Signer(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := keys.Verifier(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := complaints.NewClient(complaints.ClientOptions{API: apiv3.ClientOptions{BaseURL: fake.URL, MchID: keys.MchID,
		Signer: signer, Verifier: verifier, HTTPClient: fake.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	return c, keys
}

// TestPayServedBesideV15: with Options.Pay the fake answers /v3/ on the
// same address as V1.5, signed and verified by the repository's client;
// the calls go to the call log and the feed, the world's changes to the
// feed; V1.5 still answers.
func TestPayServedBesideV15(t *testing.T) {
	fake := NewServer(Options{Pay: &PayOptions{}})
	defer fake.Close()
	sub := fake.Subscribe(64)
	defer sub.Close()
	ctx := context.Background()
	client, keys := payClient(t, fake)

	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{Detail: "没收到货"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Wire.ComplaintID
	d, err := client.Detail(ctx, id)
	if err != nil {
		t.Fatalf("Detail: %v", err)
	}
	if d.ComplaintState != complaints.StatePending || d.ComplaintDetail != "没收到货" || d.ComplaintedMchID != keys.MchID {
		t.Errorf("detail %+v: want the complaint filed, PENDING", d)
	}
	if err := client.Respond(ctx, id, complaints.ResponseRequest{ComplaintedMchID: keys.MchID, ResponseContent: "您好，已退款"}); err != nil {
		t.Fatalf("Respond: %v", err)
	}
	if err := client.Complete(ctx, id, complaints.CompleteRequest{ComplaintedMchID: keys.MchID}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if got, _ := fake.PayComplaint(id); got.Wire.ComplaintState != complaints.StateProcessed || len(got.History) != 3 {
		t.Errorf("after reply and complete: %s with %d history entries, want PROCESSED with 3", got.Wire.ComplaintState, len(got.History))
	}

	// the call log has the three calls, with the merchant and the status
	var v3 []Call
	for _, call := range fake.Calls() {
		if strings.HasPrefix(call.Endpoint, PayPrefix) {
			v3 = append(v3, call)
		}
	}
	if len(v3) != 3 {
		t.Fatalf("call log: %d /v3/ calls, want 3 (detail, response, complete)", len(v3))
	}
	for _, call := range v3 {
		if call.MchID != keys.MchID || call.Status/100 != 2 || call.Code != "" || call.ErrCode != 0 {
			t.Errorf("call %s %s: mchid %q status %d code %q errcode %d, want the merchant's and a success",
				call.Method, call.Endpoint, call.MchID, call.Status, call.Code, call.ErrCode)
		}
	}

	// a signature failure is logged with WeChat's code
	req, _ := http.NewRequest(http.MethodGet, fake.URL+complaints.PathComplaint(id), nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Authorization", `WECHATPAY2-SHA256-RSA2048 mchid="`+keys.MchID+`",nonce_str="n",timestamp="1",serial_no="`+keys.SerialNo+`",signature="AAAA"`)
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a forged Authorization: HTTP %d, want 401", resp.StatusCode)
	}
	last, err := fake.WaitForCall(ctx, func(c Call) bool { return c.Status == http.StatusUnauthorized })
	if err != nil || last.Code != string(apiv3.CodeSignError) || last.ErrCode != -1 {
		t.Errorf("the refused call: %+v, %v; want code SIGN_ERROR, errcode -1", last, err)
	}

	// the feed told the filing, and the calls
	var filed, calls bool
	for !filed || !calls {
		select {
		case e := <-sub.Events():
			switch {
			case e.Kind == EventPay && e.Pay.What == PayComplaintFiled && e.Pay.ComplaintID == id:
				filed = true
				if !strings.Contains(e.String(), "2.0 complaint") {
					t.Errorf("live log line %q", e.String())
				}
			case e.Kind == EventCall && e.Call.MchID == keys.MchID:
				calls = true
				if !strings.Contains(e.String(), "mchid="+keys.MchID) {
					t.Errorf("live log line %q: want the merchant", e.String())
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the feed: filed %v, calls %v; want both", filed, calls)
		}
	}

	// V1.5 answers as before
	if _, err := fake.Token(DemoAccount().AppID); err != nil {
		t.Errorf("V1.5 token: %v", err)
	}
}

// TestPayOff: without Options.Pay, /v3/ is an unknown path of V1.5's API
// (as before Complaints 2.0) and the Go API says Complaints 2.0 is off.
func TestPayOff(t *testing.T) {
	fake := NewServer(Options{})
	defer fake.Close()
	resp, err := fake.Client().Get(fake.URL + complaints.PathComplaints + "?limit=10")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), `"errcode":-1`) {
		t.Errorf("/v3/ without Options.Pay: HTTP %d %s, want V1.5's 404 errcode -1", resp.StatusCode, b)
	}
	if _, ok := fake.PayMerchant(); ok {
		t.Error("PayMerchant: ok without Options.Pay")
	}
	resp, err = fake.Client().Get(fake.URL + "/_mock/pay/merchants")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "Options.Pay") {
		t.Errorf("GET /_mock/pay/merchants without Options.Pay: HTTP %d %s, want 404 saying what to give", resp.StatusCode, b)
	}
	if _, err := fake.FilePayComplaint(context.Background(), PayComplaintSpec{}); !errors.Is(err, ErrPayOff) {
		t.Errorf("FilePayComplaint without Options.Pay: %v, want ErrPayOff", err)
	}
}

// TestPayHostGuard: /v3/ is behind the Host check of every path.
func TestPayHostGuard(t *testing.T) {
	fake := NewServer(Options{Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	req, _ := http.NewRequest(http.MethodGet, fake.URL+complaints.PathComplaints, nil)
	req.Host = "rebind.example"
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("/v3/ with a foreign Host: HTTP %d, want 421", resp.StatusCode)
	}
}

// TestPayKeysDir: a keys directory is written (mode 0600) by the first
// fake and loaded by the next: the same merchant, keys and public key id.
func TestPayKeysDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	first := NewServer(Options{Pay: &PayOptions{KeysDir: dir}})
	m1, _ := first.PayMerchant()
	first.Close()
	for _, name := range []string{apiv3.FilePrivateKey, apiv3.FilePublicKey, apiv3.FileMerchant} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	loaded, err := apiv3.LoadMerchantKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	second := NewServer(Options{Pay: &PayOptions{KeysDir: dir}})
	defer second.Close()
	m2, _ := second.PayMerchant()
	if m1.MchID == "" || m1.SerialNo != m2.SerialNo || m1.APIv3Key != m2.APIv3Key || m1.PublicKeyID != m2.PublicKeyID ||
		m1.PlatformSerial != m2.PlatformSerial || m2.KeysDir != dir {
		t.Errorf("the fake after a restart on the keys directory:\n%+v\nwant the same identity as\n%+v", m2, m1)
	}
	if loaded.MchID != m1.MchID || loaded.SerialNo != m1.SerialNo || loaded.PublicKeyID != m1.PublicKeyID {
		t.Errorf("merchant.json says %+v, the fake %+v", loaded, m1)
	}
	// the merchant's keys from the directory talk to the fake
	signer, _ := loaded.Signer(time.Now)
	verifier, _ := loaded.Verifier(time.Now)
	client, _ := complaints.NewClient(complaints.ClientOptions{API: apiv3.ClientOptions{BaseURL: second.URL, MchID: loaded.MchID,
		Signer: signer, Verifier: verifier, HTTPClient: second.Client()}})
	if _, err := client.List(context.Background(), complaints.ListRequest{BeginDate: complaints.DateOf(second.Now()), EndDate: complaints.DateOf(second.Now()), Limit: 10}); err != nil {
		t.Errorf("List with the keys directory's keys: %v", err)
	}
}

// TestPayResetKeepsIdentity: Reset empties the Complaints 2.0 world but
// keeps the keys and the callback URL.
func TestPayResetKeepsIdentity(t *testing.T) {
	fake := NewServer(Options{Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	ctx := context.Background()
	before, _ := fake.PayMerchant()
	if err := fake.SetPayNotifyURL("", "http://127.0.0.1:9/cb"); err != nil {
		t.Fatal(err)
	}
	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := fake.PayMerchant()
	if after.SerialNo != before.SerialNo || after.PublicKeyID != before.PublicKeyID || after.NotifyURL != "http://127.0.0.1:9/cb" {
		t.Errorf("after Reset: %+v, want the same keys and the callback URL", after)
	}
	if _, ok := fake.PayComplaint(c.Wire.ComplaintID); ok || len(fake.PayComplaints()) != 0 {
		t.Error("after Reset: the complaint is still there")
	}
	c2, _ := fake.FilePayComplaint(ctx, PayComplaintSpec{})
	if c2.Wire.ComplaintID == c.Wire.ComplaintID {
		t.Errorf("after Reset the id %s was handed out again", c.Wire.ComplaintID)
	}
}

// TestPayOptionsRefused: a bad mode is refused by New, saying what to give.
func TestPayOptionsRefused(t *testing.T) {
	_, err := New(Options{Pay: &PayOptions{Mode: "rsa"}})
	if err == nil || !strings.Contains(err.Error(), "public-key") {
		t.Errorf("New with Pay.Mode rsa: %v, want a refusal naming the modes", err)
	}
}

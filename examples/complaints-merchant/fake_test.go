package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestAgainstTheFake: the merchant handles a complaint end to end against
// the repository's fake WeChat Pay (mockwechat with Options.Pay), keyed by
// the directory the fake writes, as `payfeedback mock --pay-keys DIR` and
// `complaints-merchant --keys DIR` pair up: the fake's CREATE_COMPLAINT
// callback → the detail → the reply → complete → PROCESSED, the merchant's
// reply in the negotiation history. In public-key mode the merchant reads
// the fake's own directory; in platform-certificate mode a directory
// without pub_key.pem, so it downloads the certificate at start; in the
// switch, the fake's directory again, and the certificate it fetches beside
// the key verifies the callbacks the certificate signs (on the switch's
// first day, almost all).
func TestAgainstTheFake(t *testing.T) {
	for _, mode := range []mockwechat.PayMode{mockwechat.PayModePublicKey, mockwechat.PayModePlatformCertificate, mockwechat.PayModeSwitch} {
		t.Run(string(mode), func(t *testing.T) {
			fakeDir := t.TempDir()
			fake := mockwechat.NewServer(mockwechat.Options{Pay: &mockwechat.PayOptions{KeysDir: fakeDir, Mode: mode}})
			defer fake.Close()
			keysDir := fakeDir
			if mode == mockwechat.PayModePlatformCertificate {
				keys, err := fake.PayMerchantKeys()
				if err != nil {
					t.Fatal(err)
				}
				keysDir = filepath.Join(t.TempDir(), "merchant")
				if err := apiv3.WriteMerchantKeys(keysDir, keys); err != nil {
					t.Fatal(err)
				}
			}
			sub := fake.Subscribe(256)
			defer sub.Close()

			addr := startAt(t, fake.URL, "--keys", keysDir)
			pm, _ := fake.PayMerchant()
			if pm.NotifyURL != "http://"+addr+CallbackPath {
				t.Fatalf("the fake has callback URL %q, want the merchant's http://%s%s", pm.NotifyURL, addr, CallbackPath)
			}

			if mode == mockwechat.PayModeSwitch { // the certificate is trusted before the first callback
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := fake.WaitForCall(ctx, func(c mockwechat.Call) bool { return c.Endpoint == "/v3/certificates" && c.Status == 200 })
				cancel()
				if err != nil {
					t.Fatalf("the merchant did not fetch the platform certificates: %v", err)
				}
			}
			c, err := fake.FilePayComplaint(context.Background(), mockwechat.PayComplaintSpec{Detail: "付款后没收到货"})
			if err != nil {
				t.Fatal(err)
			}
			id := c.Wire.ComplaintID
			deadline := time.After(30 * time.Second)
			for {
				got, _ := fake.PayComplaint(id)
				if got.Wire.ComplaintState == complaints.StateProcessed {
					c = got
					break
				}
				select {
				case <-sub.Events():
				case <-deadline:
					t.Fatalf("complaint %s is %s after 30 s, want PROCESSED; history %+v", id, got.Wire.ComplaintState, got.History)
				}
			}
			var ops []string
			replied := false
			for _, h := range c.History {
				ops = append(ops, string(h.OperateType))
				if h.OperateType == complaints.OperateMerchantResponse && h.OperateDetails == Reply {
					replied = true
				}
			}
			if !replied || ops[len(ops)-1] != string(complaints.OperateMerchantConfirmComplete) {
				t.Errorf("history %s: want the merchant's reply %q, then its completion", strings.Join(ops, ","), Reply)
			}

			// The calls the fake logged: the detail, the reply, complete,
			// each signed and answered 2xx (complete's entry may follow the
			// state change: waited for).
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := fake.WaitForCall(ctx, func(c mockwechat.Call) bool { return c.Endpoint == complaints.PathComplete(id) }); err != nil {
				t.Fatalf("no complete call logged: %v", err)
			}
			var calls []string
			for _, call := range fake.Calls() {
				if strings.Contains(call.Endpoint, id) {
					if call.Status/100 != 2 {
						t.Errorf("%s %s: HTTP %d %s", call.Method, call.Endpoint, call.Status, call.Code)
					}
					calls = append(calls, call.Method+" "+strings.TrimPrefix(call.Endpoint, complaints.PathComplaint(id)))
				}
			}
			if got := strings.Join(calls, ","); !strings.HasPrefix(got, "GET ,POST /response,POST /complete") {
				t.Errorf("the merchant's calls on the complaint: %s, want GET (detail), POST /response, POST /complete first", got)
			}
		})
	}
}

package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/mockwechat/paykeystest"
)

// fakeKeys is the fakes' Complaints 2.0 identity, made once for the
// tests of this binary and copied into each test's own keys directory
// (paykeystest): a fresh fake would generate three RSA keys per test.
var fakeKeys paykeystest.Identity

// TestMain removes the fakes' identity once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	fakeKeys.Close()
	os.Exit(code)
}

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
			fakeDir := fakeKeys.Dir(t)
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

// TestRotatedCertificate: the fake in platform-certificate mode replaces
// its platform certificate after the merchant downloaded it at start; the
// complaint's first callback, signed by the new certificate, is refused
// (unknown serial) and the merchant downloads the certificates again; the
// retry, on the fake's clock, verifies, and the complaint still gets
// PROCESSED. Before the merchant downloaded again on an unknown serial, it
// refused every callback for good.
func TestRotatedCertificate(t *testing.T) {
	clk := mockwechat.NewVirtualClock(time.Now())
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clk, PushTimestamps: mockwechat.PushTimestampsWall,
		Pay: &mockwechat.PayOptions{KeysDir: fakeKeys.Dir(t), Mode: mockwechat.PayModePlatformCertificate}})
	defer fake.Close()
	keys, err := fake.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	keysDir := filepath.Join(t.TempDir(), "merchant")
	if err := apiv3.WriteMerchantKeys(keysDir, keys); err != nil {
		t.Fatal(err)
	}
	startAt(t, fake.URL, "--keys", keysDir)
	rotated, err := fake.RotatePayCertificate()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := fake.FilePayComplaint(ctx, mockwechat.PayComplaintSpec{Detail: "付款后没收到货"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Wire.ComplaintID
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.PayComplaint(id); got.Wire.ComplaintState != complaints.StatePending {
		t.Fatalf("before the retry complaint %s is %s, want PENDING (the first callback refused)", id, got.Wire.ComplaintState)
	}
	fetches := 0
	for _, call := range fake.Calls() {
		if call.Endpoint == apiv3.PathCertificates && call.Status == 200 {
			fetches++
		}
	}
	if fetches != 2 {
		t.Errorf("the merchant downloaded the certificates %d times, want 2 (at start, and on the new serial %s)", fetches, rotated.PlatformSerial)
	}
	clk.Advance(5 * time.Second) // the retry ladder's first step
	sub := fake.Subscribe(64)
	defer sub.Close()
	for {
		got, _ := fake.PayComplaint(id)
		if got.Wire.ComplaintState == complaints.StateProcessed {
			break
		}
		select {
		case <-sub.Events():
		case <-ctx.Done():
			t.Fatalf("complaint %s is %s after the retry, want PROCESSED; history %+v", id, got.Wire.ComplaintState, got.History)
		}
	}
}

// TestRefreshAtMostOnceAMinute: callbacks of unknown serials make the
// merchant download the certificates again at most once a minute (the
// first download is the one at start).
func TestRefreshAtMostOnceAMinute(t *testing.T) {
	fake := mockwechat.NewServer(mockwechat.Options{Pay: &mockwechat.PayOptions{KeysDir: fakeKeys.Dir(t), Mode: mockwechat.PayModePlatformCertificate}})
	defer fake.Close()
	keys, err := fake.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := keys.Signer(nil)
	certs, err := fetchCertificates(context.Background(), fake.URL, keys, signer) // at start
	if err != nil {
		t.Fatal(err)
	}
	v, err := keys.Verifier(nil, certs...)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r := &certRefresher{api: fake.URL, keys: keys, v: v, log: slog.New(slog.DiscardHandler), now: func() time.Time { return now }}
	downloads := func() int {
		n := 0
		for _, call := range fake.Calls() {
			if call.Endpoint == apiv3.PathCertificates {
				n++
			}
		}
		return n
	}
	for _, step := range []struct {
		after time.Duration
		want  int
	}{{0, 2}, {30 * time.Second, 2}, {59 * time.Second, 2}, {61 * time.Second, 3}} {
		now = now.Add(step.after)
		r.refresh(context.Background(), "UNKNOWN")
		if got := downloads(); got != step.want {
			t.Errorf("+%s: %d downloads, want %d", step.after, got, step.want)
		}
		now = now.Add(-step.after)
	}
	if len(v.Serials()) != 1 {
		t.Errorf("the verifier trusts %v, want the fake's certificate", v.Serials())
	}
}

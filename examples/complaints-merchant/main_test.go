package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

const (
	mchid       = "1900000109"
	merchantSN  = "BE6DCDA7A5931FA0"
	pubKeyID    = "PUB_KEY_ID_0000000000000024101100397200000006"
	certSerial  = "D7CE59D1F522D701"
	apiv3Key    = "0123456789abcdef0123456789abcdef"
	complaintID = "200201820200101080076610000"
)

func readKey(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "apiv3", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// standIn plays WeChat Pay for the merchant, as the sheet describes it:
// every request's signature checked with the merchant's key, every answer
// signed, one complaint whose state follows the merchant's calls.
type standIn struct {
	t           *testing.T
	merchantPub *rsa.PublicKey
	signer      *apiv3.Signer // the public key's
	certSigner  *apiv3.Signer // the platform certificate's
	cert        []byte
	aead        *apiv3.AEAD

	mu        sync.Mutex
	notifyURL string
	state     string
	calls     []string
	changed   chan struct{}
	onCerts   bool // the merchant has no public key: callbacks signed with the certificate
}

func newStandIn(t *testing.T) *standIn {
	wechat, err := apiv3.ParsePrivateKey(readKey(t, "wechatpay-go-test-private-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	merchant, _ := apiv3.ParsePrivateKey(readKey(t, "wechatpay-go-mock-merchant-private-key.pem"))
	s := &standIn{t: t, merchantPub: &merchant.PublicKey, cert: readKey(t, "wechatpay-go-test-platform-cert.pem"), state: "PENDING", changed: make(chan struct{}, 64)}
	s.signer, _ = apiv3.NewSigner(apiv3.SignerOptions{Key: wechat, Serial: pubKeyID})
	s.certSigner, _ = apiv3.NewSigner(apiv3.SignerOptions{Key: wechat, Serial: certSerial})
	s.aead, _ = apiv3.NewAEAD(apiv3Key)
	return s
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a, err := apiv3.ParseAuthorization(r.Header.Get("Authorization"))
	if err == nil {
		err = a.Verify(s.merchantPub, r.Method, r.URL.RequestURI(), body)
	}
	if err != nil || a.MchID != mchid || a.SerialNo != merchantSN {
		w.WriteHeader(401)
		io.WriteString(w, `{"code":"SIGN_ERROR","message":"错误的签名，验签失败"}`)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	var status int
	var out []byte
	p := "/v3/merchant-service/complaints-v2/" + complaintID
	switch {
	case r.URL.Path == "/v3/certificates":
		enc, err := apiv3.EncryptCertificate(mustCert(s.t, s.cert), s.cert, s.aead)
		if err != nil {
			s.t.Error(err)
		}
		status = 200
		out, _ = json.Marshal(apiv3.CertificatesAnswer{Data: []apiv3.EncryptedCertificate{enc}})
	case r.URL.Path == "/v3/merchant-service/complaint-notifications" && r.Method == "GET":
		if s.notifyURL == "" {
			status, out = 400, []byte(`{"code":"RESOURCE_NOT_EXISTS","message":"查询的通知回调不存在"}`)
		} else {
			status, out = 200, []byte(`{"mchid":"`+mchid+`","url":"`+s.notifyURL+`"}`)
		}
	case r.URL.Path == "/v3/merchant-service/complaint-notifications":
		var in struct{ URL string }
		json.Unmarshal(body, &in)
		s.notifyURL = in.URL
		status, out = 200, []byte(`{"mchid":"`+mchid+`","url":"`+s.notifyURL+`"}`)
	case r.URL.Path == p && r.Method == "GET":
		status, out = 200, []byte(`{"complaint_id":"`+complaintID+`","complaint_time":"2027-01-15T16:00:00.120+08:00","complaint_detail":"没收到货","complaint_state":"`+s.state+
			`","complainted_mchid":"`+mchid+`","payer_openid":"o-user","complaint_order_info":[{"transaction_id":"4200000000000000000000000001","out_trade_no":"T1","amount":100}],"complaint_full_refunded":false,"incoming_user_response":false,"problem_description":"未收到货","user_complaint_times":1}`)
	case r.URL.Path == p+"/response" && r.Method == "POST":
		if !strings.Contains(string(body), `"complainted_mchid":"`+mchid+`"`) {
			status, out = 400, []byte(`{"code":"PARAM_ERROR","message":"complainted_mchid"}`)
			break
		}
		if s.state == "PENDING" {
			s.state = "PROCESSING"
		}
		status = 204
	case r.URL.Path == p+"/complete" && r.Method == "POST":
		s.state = "PROCESSED"
		status = 204
	default:
		status, out = 404, []byte(`{"code":"NOT_FOUND","message":"`+r.URL.Path+`"}`)
	}
	s.mu.Unlock()
	signer := s.signer
	if r.Header.Get(apiv3.HeaderSerial) == certSerial || r.Header.Get(apiv3.HeaderSerial) == "" {
		signer = s.certSigner
	}
	if err := signer.SignHeaders(w.Header(), out); err != nil {
		s.t.Error(err)
	}
	if out != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(out)
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func mustCert(t *testing.T, pemBytes []byte) *x509.Certificate {
	c, err := apiv3.ParseCertificate(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// push sends a complaint callback to the registered URL, signed with the
// public key (or with a probe signature).
func (s *standIn) push(action string, probe bool) (*http.Response, error) {
	s.mu.Lock()
	url := s.notifyURL
	s.mu.Unlock()
	res, err := s.aead.SealResource("", "", []byte(`{"complaint_id":"`+complaintID+`","action_type":"`+action+`"}`), nil)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(apiv3.Notification{ID: "EV-" + action, CreateTime: time.Now().Format(time.RFC3339), EventType: "COMPLAINT.CREATE", ResourceType: apiv3.ResourceTypeEncrypted, Summary: "产生新投诉", Resource: res})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	signer := s.signer
	if s.onCerts {
		signer = s.certSigner
	}
	if err := signer.SignHeaders(req.Header, body); err != nil {
		return nil, err
	}
	if probe {
		req.Header.Set(apiv3.HeaderSignature, apiv3.ProbeSignaturePrefix+req.Header.Get(apiv3.HeaderSignature))
	}
	return http.DefaultClient.Do(req)
}

// waitState waits for the complaint to reach want, on the stand-in's
// changes, with the test's deadline.
func (s *standIn) waitState(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		got := s.state
		s.mu.Unlock()
		if got == want {
			return
		}
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("the complaint is %s, want %s; calls %q", got, want, s.calls)
		}
	}
}

// keysDir writes the merchant's keys directory; without pub_key.pem when
// the merchant is on platform certificates.
func keysDir(t *testing.T, publicKey bool) string {
	t.Helper()
	priv, _ := apiv3.ParsePrivateKey(readKey(t, "wechatpay-go-mock-merchant-private-key.pem"))
	wechat, _ := apiv3.ParsePrivateKey(readKey(t, "wechatpay-go-test-private-key.pem"))
	k := &apiv3.MerchantKeys{MchID: mchid, SerialNo: merchantSN, APIv3Key: apiv3Key, PrivateKey: priv}
	if publicKey {
		k.PublicKeyID, k.PublicKey = pubKeyID, &wechat.PublicKey
	}
	dir := t.TempDir()
	if err := apiv3.WriteMerchantKeys(dir, k); err != nil {
		t.Fatal(err)
	}
	return dir
}

// start runs the merchant against the stand-in until the test ends.
func start(t *testing.T, s *standIn, args ...string) string {
	t.Helper()
	api := httptest.NewServer(s)
	t.Cleanup(api.Close)
	return startAt(t, api.URL, args...)
}

// startAt runs the merchant against the WeChat Pay at api until the test
// ends, and returns its address once its callback URL is registered.
func startAt(t *testing.T, api string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs syncBuffer
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--api", api}, args...), &logs, ready)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		if t.Failed() {
			t.Logf("merchant log:\n%s", logs.String())
		}
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("the merchant stopped: %v\n%s", err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("the merchant did not start:\n%s", logs.String())
	}
	return ""
}

func TestEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name      string
		publicKey bool
	}{{"public key", true}, {"platform certificates", false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStandIn(t)
			s.onCerts = !tc.publicKey
			addr := start(t, s, "--keys", keysDir(t, tc.publicKey))
			s.mu.Lock()
			registered := s.notifyURL
			s.mu.Unlock()
			if registered != "http://"+addr+CallbackPath {
				t.Fatalf("registered %q", registered)
			}
			// A probe first: refused, nothing called.
			resp, err := s.push("CREATE_COMPLAINT", true)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("probe: %d, want 401", resp.StatusCode)
			}
			resp, err = s.push("CREATE_COMPLAINT", false)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 204 {
				t.Fatalf("callback: %d", resp.StatusCode)
			}
			s.waitState(t, "PROCESSED")
			s.mu.Lock()
			calls := strings.Join(s.calls, ",")
			s.mu.Unlock()
			want := "GET /v3/merchant-service/complaints-v2/" + complaintID + ",POST /v3/merchant-service/complaints-v2/" + complaintID + "/response,POST /v3/merchant-service/complaints-v2/" + complaintID + "/complete"
			if !strings.Contains(calls, want) {
				t.Errorf("calls %s\nwant them to contain %s", calls, want)
			}
		})
	}
}

func TestManualCompletion(t *testing.T) {
	s := newStandIn(t)
	addr := start(t, s, "--keys", keysDir(t, true), "--complete", "manual")
	resp, err := s.push("CREATE_COMPLAINT", false)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.waitState(t, "PROCESSING") // replied, not completed
	resp, err = http.Post("http://"+addr+"/complaints/"+complaintID+"/complete", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("complete: %d", resp.StatusCode)
	}
	s.waitState(t, "PROCESSED")
	resp, err = http.Get("http://" + addr + "/complaints")
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	json.NewDecoder(resp.Body).Decode(&recs)
	resp.Body.Close()
	if len(recs) != 1 || !recs[0].Replied || !recs[0].Completed || recs[0].Complaint.PayerOpenID != "o-user" {
		t.Errorf("records %+v", recs)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{}, {"--keys", "k", "--complete", "later"}, {"--keys", "k", "extra"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) accepted", args)
		}
	}
	if err := run(context.Background(), []string{"--keys", t.TempDir()}, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "merchant.json") {
		t.Errorf("an empty keys directory: %v", err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

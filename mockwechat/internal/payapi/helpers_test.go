package payapi

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// The test identity, from the repository's test keys (the official SDK's
// public test keys), so that no test waits for RSA key generation: the
// SDK's mock merchant key is the merchant's, its test key and certificate
// (serial D7CE59D1F522D701) the platform's, a third key WeChat's public
// key.
const (
	testMchID  = "1900000109"
	testSerial = "BE6DCDA7A5931FA0"
	testV3Key  = "0123456789abcdef0123456789abcdef"
	otherMchID = "1900000110"
	// otherSerial is the second merchant's serial (its key is
	// other-private-key.pem).
	otherSerial = "0123456789ABCDEF0123456789ABCDEF01234567"
)

func testdata(name string) string { return filepath.Join("..", "..", "..", "testdata", "apiv3", name) }

func testKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := apiv3.LoadPrivateKeyFile(testdata(name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keysDir lays the test keys out as a keys directory.
func keysDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for dst, src := range map[string]string{
		paykeys.FileWeChatPayPrivateKey: "other-private-key.pem",
		paykeys.FilePlatformKey:         "wechatpay-go-test-private-key.pem",
		paykeys.FilePlatformCertificate: "wechatpay-go-test-platform-cert.pem",
		apiv3.FilePrivateKey:            "wechatpay-go-mock-merchant-private-key.pem",
	} {
		b, err := os.ReadFile(testdata(src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(map[string]string{"mchid": testMchID, "serial_no": testSerial, "apiv3_key": testV3Key})
	if err := os.WriteFile(filepath.Join(dir, apiv3.FileMerchant), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testClock is the clock of a test: the fake and its clients read it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder keeps the calls recorded.
type recorder struct {
	mu    sync.Mutex
	calls []Call
}

func (r *recorder) Record(c Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *recorder) last() Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		return Call{}
	}
	return r.calls[len(r.calls)-1]
}

func (r *recorder) all() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

// fake is the handler on a test server, with its world and keys.
type fake struct {
	clock   *testClock
	id      *paykeys.Identity
	signing *paykeys.Signing
	world   *payworld.World
	handler *Handler
	srv     *httptest.Server
	rec     *recorder

	mu sync.Mutex
	fx []payworld.Effects
}

// newFake starts a fake in mode on a clock at the real time (the official
// SDK signs and verifies with the real time).
func newFake(t testing.TB, mode paykeys.Mode, o Options) *fake {
	t.Helper()
	f := &fake{clock: &testClock{t: time.Now().Truncate(time.Second)}, rec: &recorder{}}
	var err error
	if f.id, err = paykeys.Open(paykeys.Options{Dir: keysDir(t), Now: f.clock.now}); err != nil {
		t.Fatal(err)
	}
	if f.signing, err = paykeys.NewSigning(paykeys.SigningOptions{Identity: f.id, Mode: mode, SwitchBegan: f.clock.now(), Seed: 1}); err != nil {
		t.Fatal(err)
	}
	f.world = payworld.New(payworld.Config{Seed: 1}, f.clock.now)
	m := f.id.Merchant()
	for _, pm := range []payworld.Merchant{
		{MchID: m.MchID, SerialNo: m.SerialNo, PublicKey: m.PublicKey, APIv3Key: m.APIv3Key},
		{MchID: otherMchID, SerialNo: otherSerial, PublicKey: &testKey(t, "other-private-key.pem").PublicKey, APIv3Key: testV3Key},
	} {
		if _, err := f.world.AddMerchant(pm); err != nil {
			t.Fatal(err)
		}
	}
	o.World, o.Signing, o.Now, o.Recorder = f.world, f.signing, f.clock.now, f.rec
	o.Effects = func(fx payworld.Effects) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.fx = append(f.fx, fx)
	}
	if f.handler, err = New(o); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.handler)
	t.Cleanup(f.srv.Close)
	return f
}

// client returns our Complaints 2.0 client for the test merchant,
// configured as a merchant in mode is (in platform-certificate mode, it
// downloads the certificate first).
func (f *fake) client(t testing.TB, mode paykeys.Mode) *complaints.Client {
	t.Helper()
	keys := f.id.MerchantKeys(mode)
	signer, err := keys.Signer(f.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	o := apiv3.ClientOptions{BaseURL: f.srv.URL, HTTPClient: f.srv.Client(), MchID: keys.MchID, Signer: signer}
	var certs []*x509.Certificate
	if mode != paykeys.ModePublicKey {
		if certs, err = apiv3.FetchCertificates(context.Background(), o, keys.APIv3Key); err != nil {
			t.Fatal(err)
		}
	}
	if o.Verifier, err = keys.Verifier(f.clock.now, certs...); err != nil {
		t.Fatal(err)
	}
	c, err := complaints.NewClient(complaints.ClientOptions{API: o})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// otherClient is the second merchant's client (public-key mode).
func (f *fake) otherClient(t testing.TB) *complaints.Client {
	t.Helper()
	signer, err := apiv3.NewSigner(apiv3.SignerOptions{Key: testKey(t, "other-private-key.pem"), Serial: otherSerial, Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.id.Verifier(paykeys.ModePublicKey, f.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := complaints.NewClient(complaints.ClientOptions{API: apiv3.ClientOptions{BaseURL: f.srv.URL, HTTPClient: f.srv.Client(),
		MchID: otherMchID, Signer: signer, Verifier: v}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// file files a complaint against mchid.
func (f *fake) file(t testing.TB, spec payworld.FileSpec) payworld.Complaint {
	t.Helper()
	if spec.MchID == "" {
		spec.MchID = testMchID
	}
	c, _, err := f.world.File(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// png is the smallest PNG a check of the format accepts.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// do sends req to the test server as it is.
func (f *fake) do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

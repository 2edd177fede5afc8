package complaints

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// The test identities (testdata/apiv3/README.md): the official SDK's mock
// merchant key is the merchant's, its test key WeChat's (as a public key
// id), and a third key nobody's.
const (
	testMchID          = "1900012181"
	testMerchantSerial = "BE6DCDA7A5931FA0"
	testPubKeyID       = "PUB_KEY_ID_0000000000000024101100397200000006"
)

func apiv3Key(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "apiv3", name))
	if err != nil {
		t.Fatal(err)
	}
	k, err := apiv3.ParsePrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func merchantKey(t testing.TB) *rsa.PrivateKey {
	return apiv3Key(t, "wechatpay-go-mock-merchant-private-key.pem")
}
func wechatKey(t testing.TB) *rsa.PrivateKey { return apiv3Key(t, "wechatpay-go-test-private-key.pem") }
func otherKey(t testing.TB) *rsa.PrivateKey  { return apiv3Key(t, "other-private-key.pem") }

// seen is a request the fake received, its signature checked.
type seen struct {
	Method, Target string
	Body           []byte // the JSON body; for an upload, the meta part
	File           []byte // an upload's file part
	FileType       string // its Content-Type
	Serial         string // the Wechatpay-Serial the client asked for
}

// answer is what a route answers: a status and a JSON body (nil: none).
type answer struct {
	status   int
	body     []byte
	header   http.Header         // extra headers (Content-Type of an image)
	unsigned bool                // send it without signature headers
	tamper   func([]byte) []byte // changes the body after it is signed
}

// fakeWeChat is a tiny WeChat for the client's tests: it checks the
// signature of every request with apiv3 (the merchant's key, its serial,
// the 5-minute window), records it, and answers what the test's route
// says, signed with WeChat's key unless the answer says otherwise.
type fakeWeChat struct {
	t        testing.TB
	merchant *rsa.PublicKey
	signer   *apiv3.Signer // WeChat's; tests may swap it for a forger

	mu       sync.Mutex
	requests []seen
	route    func(s seen, n int) answer // n: how many requests this route saw before
	counts   map[string]int
}

func newFake(t testing.TB, route func(s seen, n int) answer) *fakeWeChat {
	t.Helper()
	signer, err := apiv3.NewSigner(apiv3.SignerOptions{Key: wechatKey(t), Serial: testPubKeyID})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeWeChat{t: t, merchant: &merchantKey(t).PublicKey, signer: signer, route: route, counts: map[string]int{}}
}

func (f *fakeWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("fake: reading the body: %v", err)
		return
	}
	s := seen{Method: r.Method, Target: r.URL.RequestURI(), Body: body, Serial: r.Header.Get(apiv3.HeaderSerial)}
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		s.Body, s.File, s.FileType = f.parts(body, params["boundary"])
	}
	if err := f.checkSignature(r, s.Body); err != nil {
		f.t.Errorf("fake: %s %s: %v", r.Method, s.Target, err)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":"SIGN_ERROR","message":"错误的签名，验签失败"}`)
		return
	}
	if r.Header.Get("Accept") == "" || r.Header.Get("User-Agent") == "" { // WeChat: "头部信息不完整"
		f.t.Errorf("fake: %s %s: Accept %q, User-Agent %q", r.Method, s.Target, r.Header.Get("Accept"), r.Header.Get("User-Agent"))
	}
	f.mu.Lock()
	f.requests = append(f.requests, s)
	key := r.Method + " " + r.URL.Path
	n := f.counts[key]
	f.counts[key]++
	route, signer := f.route, f.signer
	f.mu.Unlock()

	a := route(s, n)
	for k, v := range a.header {
		w.Header()[k] = v
	}
	if a.body != nil && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	if !a.unsigned {
		if err := signer.SignHeaders(w.Header(), a.body); err != nil {
			f.t.Errorf("fake: signing: %v", err)
		}
	}
	if a.tamper != nil {
		a.body = a.tamper(a.body)
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// checkSignature checks a request's Authorization as WeChat does.
func (f *fakeWeChat) checkSignature(r *http.Request, signed []byte) error {
	a, err := apiv3.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	switch {
	case a.MchID != testMchID:
		return fmt.Errorf("mchid %q", a.MchID)
	case a.SerialNo != testMerchantSerial:
		return fmt.Errorf("serial_no %q", a.SerialNo)
	case time.Since(time.Unix(a.Timestamp, 0)).Abs() >= 5*time.Minute:
		return fmt.Errorf("timestamp %d is stale", a.Timestamp)
	}
	return a.Verify(f.merchant, r.Method, r.URL.RequestURI(), signed)
}

// parts returns the meta and file parts of an upload, in whatever order.
func (f *fakeWeChat) parts(body []byte, boundary string) (meta, file []byte, fileType string) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextPart()
		if err != nil {
			return
		}
		b, _ := io.ReadAll(p)
		switch p.FormName() {
		case "meta":
			meta = b
		case "file":
			file, fileType = b, p.Header.Get("Content-Type")
		}
	}
}

// seenRequests returns a copy of the requests received.
func (f *fakeWeChat) seenRequests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.requests...)
}

// setSigner replaces the key answers are signed with.
func (f *fakeWeChat) setSigner(s *apiv3.Signer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signer = s
}

// serve starts f on an httptest server and returns a Client for it with
// opts (API's keys, MchID and BaseURL filled in).
func (f *fakeWeChat) serve(t testing.TB, opts ClientOptions) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL, srv.Client(), opts)
}

// newTestClient returns a Client of the test merchant, trusting WeChat's
// test public key, for baseURL, with opts (its API filled in).
func newTestClient(t testing.TB, baseURL string, hc *http.Client, opts ClientOptions) *Client {
	t.Helper()
	retry := opts.API.Retry
	opts.API = testAPIOptions(t, baseURL, hc)
	opts.API.Retry = retry
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testAPIOptions are the apiv3 options of the test merchant for baseURL.
func testAPIOptions(t testing.TB, baseURL string, hc *http.Client) apiv3.ClientOptions {
	t.Helper()
	signer, err := apiv3.NewSigner(apiv3.SignerOptions{Key: merchantKey(t), Serial: testMerchantSerial})
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := apiv3.NewVerifier(apiv3.VerifierOptions{PublicKeyID: testPubKeyID, PublicKey: &wechatKey(t).PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	return apiv3.ClientOptions{MchID: testMchID, Signer: signer, Verifier: verifier, BaseURL: baseURL, HTTPClient: hc}
}

// ok answers 200 with body, noContent 204, failure an error answer.
func ok(body []byte) answer { return answer{status: http.StatusOK, body: body} }
func noContent() answer     { return answer{status: http.StatusNoContent} }
func failure(status int, code, message string) answer {
	b, _ := json.Marshal(map[string]string{"code": code, "message": message})
	return answer{status: status, body: b}
}

// sample reads testdata/complaints/answers/name.json.
func sample(t testing.TB, name string) []byte {
	return readFile(t, filepath.Join(testdataDir, "answers", name+".json"))
}

// pageOf returns a list or history page's JSON.
func pageOf[T any](t testing.TB, items []T, limit, offset int, total *int) []byte {
	t.Helper()
	b, err := json.Marshal(Page[T]{Data: items, Limit: limit, Offset: offset, TotalCount: total})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// queryInt reads an integer of a request's query ("" when absent: -1).
func queryInt(t testing.TB, target, name string) int {
	t.Helper()
	r, err := http.NewRequest("GET", "http://h"+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := r.URL.Query().Get(name)
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// newServer serves h on an httptest server closed with the test, and
// returns its URL.
func newServer(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

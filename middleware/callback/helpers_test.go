package callback

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// The test keys (testdata/apiv3/README.md): the SDK's test key plays
// WeChat, as its platform certificate and as a public key id.
const (
	pubKeyID   = "PUB_KEY_ID_0000000000000024101100397200000006"
	certSerial = "D7CE59D1F522D701"
	apiv3Key   = "0123456789abcdef0123456789abcdef"
	testNow    = 1800000000
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "apiv3", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func key(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := apiv3.ParsePrivateKey(readTestdata(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func wechatKey(t testing.TB) *rsa.PrivateKey { return key(t, "wechatpay-go-test-private-key.pem") }

func at(sec int64) func() time.Time { return func() time.Time { return time.Unix(sec, 0) } }

// newOpener trusts both the public key and the platform certificate, as a
// merchant during WeChat's switch.
func newOpener(t testing.TB, now func() time.Time) *apiv3.Opener {
	t.Helper()
	cert, err := apiv3.ParseCertificate(readTestdata(t, "wechatpay-go-test-platform-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := apiv3.NewVerifier(apiv3.VerifierOptions{PublicKeyID: pubKeyID, PublicKey: &wechatKey(t).PublicKey, Certificates: []*x509.Certificate{cert}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	o, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: v, APIv3Key: apiv3Key})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// wechat plays WeChat sending complaint callbacks.
type wechat struct {
	t      testing.TB
	key    *rsa.PrivateKey
	serial string
	now    int64
	apiv3  string
	rand   io.Reader // nonces (nil: crypto/rand)
}

func newWeChat(t testing.TB) *wechat {
	return &wechat{t: t, key: wechatKey(t), serial: pubKeyID, now: testNow, apiv3: apiv3Key}
}

// callback describes one callback to build.
type callback struct {
	id, eventType, createTime, summary string
	plaintext                          string
	extraEnvelope                      string // raw members added to the envelope
}

func complaintCallback(id, action string) callback {
	ev := "COMPLAINT.STATE_CHANGE"
	if action == "CREATE_COMPLAINT" {
		ev = "COMPLAINT.CREATE"
	}
	return callback{id: id, eventType: ev, createTime: "2027-01-15T16:00:00+08:00", summary: "投诉状态变化",
		plaintext: `{"complaint_id":"200201820200101080076610000","action_type":"` + action + `"}`}
}

// body encrypts and wraps cb as WeChat would.
func (w *wechat) body(cb callback) []byte {
	w.t.Helper()
	a, err := apiv3.NewAEAD(w.apiv3)
	if err != nil {
		w.t.Fatal(err)
	}
	res, err := a.SealResource("complaint", "", []byte(cb.plaintext), w.rand)
	if err != nil {
		w.t.Fatal(err)
	}
	env := map[string]any{"id": cb.id, "create_time": cb.createTime, "resource_type": "encrypt-resource", "event_type": cb.eventType, "resource": res}
	if cb.summary != "" {
		env["summary"] = cb.summary
	}
	b, _ := json.Marshal(env)
	if cb.extraEnvelope != "" {
		b = append(b[:len(b)-1], ","+cb.extraEnvelope+"}"...)
	}
	return b
}

// sign returns the Wechatpay-* headers of body.
func (w *wechat) sign(body []byte) http.Header {
	w.t.Helper()
	s, err := apiv3.NewSigner(apiv3.SignerOptions{Key: w.key, Serial: w.serial, Now: at(w.now), Rand: w.rand})
	if err != nil {
		w.t.Fatal(err)
	}
	h := http.Header{}
	if err := s.SignHeaders(h, body); err != nil {
		w.t.Fatal(err)
	}
	return h
}

// request builds the POST of cb, signed.
func (w *wechat) request(cb callback) *http.Request {
	body := w.body(cb)
	return post(body, w.sign(body))
}

func post(body []byte, h http.Header) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/wechat/complaints", bytes.NewReader(body))
	for k, v := range h {
		r.Header[k] = v
	}
	r.Header.Set("Content-Type", "application/json")
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// recorder is a next handler that records the events it receives.
type recorder struct {
	events []*Event
	status int
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.events = append(rc.events, FromContext(r.Context()))
	if rc.status != 0 {
		w.WriteHeader(rc.status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// zeros is a reader of zero bytes: fixed nonces, for a corpus that must
// be the same in every fuzzing process.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

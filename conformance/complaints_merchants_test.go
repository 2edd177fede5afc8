package conformance_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

// The Complaints 2.0 identity of these tests: the official SDK's test
// keys (testdata/apiv3), WeChat's public key being the SDK's test key, and
// a platform certificate made here for another key, so that the two keys
// WeChat signs with differ.
const (
	payMchID       = "1900000109"
	payAPIv3Key    = "0123456789abcdef0123456789abcdef"
	payPublicKeyID = "PUB_KEY_ID_0000000000000024101100397200000006"
)

func readTestKey(name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "apiv3", name))
	if err != nil {
		panic(err)
	}
	return b
}

// payKeys are the tests' keys, made once.
var payKeys = sync.OnceValue(func() *conformance.PayKeys {
	wechat, err := apiv3.ParsePrivateKey(readTestKey("wechatpay-go-test-private-key.pem"))
	if err != nil {
		panic(err)
	}
	platformKey, err := apiv3.ParsePrivateKey(readTestKey("other-private-key.pem"))
	if err != nil {
		panic(err)
	}
	merchant, err := apiv3.ParsePrivateKey(readTestKey("wechatpay-go-mock-merchant-private-key.pem"))
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes([]byte{0x3a, 0x1c, 0x55, 0x07, 0x9e, 0x41, 0x20, 0x6b, 0x11, 0xd0, 0x2e, 0x8c, 0x90, 0x17, 0x4f, 0x63, 0x28, 0xbb, 0x05, 0xe2}),
		Subject:      pkix.Name{CommonName: "conformance tests' platform certificate"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &platformKey.PublicKey, platformKey)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return &conformance.PayKeys{
		Merchant: &apiv3.MerchantKeys{MchID: payMchID, SerialNo: "BE6DCDA7A5931FA0", APIv3Key: payAPIv3Key,
			PublicKeyID: payPublicKeyID, PrivateKey: merchant, PublicKey: &wechat.PublicKey},
		PublicKey: wechat, Platform: cert, PlatformKey: platformKey,
	}
})

// payAPI stands in for WeChat's complaint API in these tests: the
// merchants call it (in-process, no HTTP) and it counts their work for the
// suite, as the Observer of the plan. A complaint it never filed reads as
// PENDING, so that a run without the Observer works too.
type payAPI struct {
	mu     sync.Mutex
	n      int
	states map[string]complaints.ComplaintState
	work   map[string]conformance.MerchantWork
}

func newPayAPI() *payAPI {
	return &payAPI{states: map[string]complaints.ComplaintState{}, work: map[string]conformance.MerchantWork{}}
}

func (a *payAPI) NewComplaint(context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	id := fmt.Sprintf("2002019900000000000%08d", a.n)
	a.states[id] = complaints.StatePending
	return id, nil
}

func (a *payAPI) Resolve(_ context.Context, id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.states[id]; !ok {
		return fmt.Errorf("no complaint %s", id)
	}
	a.states[id] = complaints.StateProcessed
	return nil
}

func (a *payAPI) Work(_ context.Context, id string) (conformance.MerchantWork, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.work[id], nil
}

// detail is the merchant's read of a complaint.
func (a *payAPI) detail(id string) complaints.ComplaintState {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.work[id]
	w.Reads++
	a.work[id] = w
	if st, ok := a.states[id]; ok {
		return st
	}
	return complaints.StatePending
}

// respond is the merchant's reply to a complaint: the first moves it to
// PROCESSING.
func (a *payAPI) respond(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.work[id]
	w.Acts++
	a.work[id] = w
	if a.states[id] == complaints.StatePending {
		a.states[id] = complaints.StateProcessing
	}
}

// handle is a sound merchant's work on an event: read the detail, and
// answer the user when the complaint is new or the user wrote, unless the
// detail says it is processed.
func (a *payAPI) handle(id string, action complaints.ActionType) {
	st := a.detail(id)
	if (action == complaints.ActionCreateComplaint || action == complaints.ActionUserResponse) && st != complaints.StateProcessed {
		a.respond(id)
	}
}

// payVerifier trusts both of WeChat's keys, on the clock now.
func payVerifier(k *conformance.PayKeys, now func() time.Time) *apiv3.Verifier {
	v, err := apiv3.NewVerifier(apiv3.VerifierOptions{PublicKeyID: k.Merchant.PublicKeyID, PublicKey: &k.PublicKey.PublicKey,
		Certificates: []*x509.Certificate{k.Platform}, Now: now})
	if err != nil {
		panic(err)
	}
	return v
}

// payReference is the sound Complaints 2.0 merchant: middleware/callback
// in front of a Dispatcher whose handlers work through api. It must pass
// every case.
func payReference(api *payAPI, now func() time.Time) http.Handler {
	k := payKeys()
	opener, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: payVerifier(k, now), APIv3Key: k.Merchant.APIv3Key})
	if err != nil {
		panic(err)
	}
	work := func(_ context.Context, e *callback.Event) error {
		api.handle(e.ComplaintID, e.ActionType)
		return nil
	}
	quiet := slog.New(slog.DiscardHandler)
	d := &callback.Dispatcher{Default: work, Logger: quiet}
	return callback.New(callback.Config{Opener: opener, Now: now, Logger: quiet})(d)
}

// payMistakes are the ways a hand-written Complaints 2.0 merchant goes
// wrong; the zero value makes none.
type payMistakes struct {
	acceptsAnything   bool          // never verifies the signature
	acceptsProbes     bool          // answers 200 to a WECHATPAY/SIGNTEST/ signature, as a blog advised
	noWindow          bool          // never checks the timestamp's age
	noDedupe          bool          // handles every copy of a callback
	fails500OnUnknown bool          // answers 500 to an action type it does not know
	platformOnly      bool          // trusts only the platform certificate
	publicKeyOnly     bool          // trusts only the public key
	slow              time.Duration // answers this late
	recordsEarly      bool          // records a notification id before verifying, and acknowledges a recorded one
	refusesLate       bool          // answers 409 to a STATE_CHANGE older than one it handled
	trustsActionType  bool          // replies to a USER_RESPONSE without reading the detail
	requiresSummary   bool          // refuses a callback without summary
	refusesMillis     bool          // parses create_time with a pattern without fractions
	strictEnvelope    bool          // refuses members of the envelope it does not know
	strictEvent       bool          // refuses members of the event it does not know
	ignoresAAD        bool          // decrypts with empty associated data
	skipsTag          bool          // decrypts with AES-CTR, never checking the GCM tag
	acksUndecryptable bool          // acknowledges a resource it cannot decrypt
	noSizeLimit       bool          // reads any body
	contentLengthOnly bool          // bounds the body by Content-Length alone
	plainRefusals     bool          // refuses with text/plain instead of {"code":"FAIL",…}
	wrongAPIv3Key     bool          // configured with another APIv3 key
	answers202        bool          // accepts with 202 Accepted
}

// payRaw is a Complaints 2.0 merchant written by hand on apiv3's pieces,
// so that each mistake can be made on purpose.
type payRaw struct {
	m        payMistakes
	api      *payAPI
	now      func() time.Time
	verifier *apiv3.Verifier
	aead     *apiv3.AEAD
	key      string

	mu       sync.Mutex
	seen     map[string]bool      // notification ids recorded (recordsEarly) or handled
	inFlight map[string]bool      // notification ids being handled
	latest   map[string]time.Time // create_time of the last event handled, by complaint
}

func newPayRaw(m payMistakes, api *payAPI, now func() time.Time) http.Handler {
	k := payKeys()
	o := apiv3.VerifierOptions{Now: now}
	if !m.platformOnly {
		o.PublicKeyID, o.PublicKey = k.Merchant.PublicKeyID, &k.PublicKey.PublicKey
	}
	if !m.publicKeyOnly {
		o.Certificates = []*x509.Certificate{k.Platform}
	}
	if m.noWindow {
		o.Window = 100 * 365 * 24 * time.Hour
	}
	v, err := apiv3.NewVerifier(o)
	if err != nil {
		panic(err)
	}
	key := k.Merchant.APIv3Key
	if m.wrongAPIv3Key {
		key = "ffffffffffffffffffffffffffffffff"
	}
	aead, _ := apiv3.NewAEAD(key)
	return &payRaw{m: m, api: api, now: now, verifier: v, aead: aead, key: key,
		seen: map[string]bool{}, inFlight: map[string]bool{}, latest: map[string]time.Time{}}
}

func (rm *payRaw) refuse(w http.ResponseWriter, status int, why string) {
	if rm.m.plainRefusals {
		http.Error(w, why, status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": "FAIL", "message": why})
}

func (rm *payRaw) ok(w http.ResponseWriter) {
	if rm.m.answers202 {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createTimeNoFractions is a pattern that misses WeChat's millisecond
// form.
var createTimeNoFractions = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$`)

func (rm *payRaw) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rm.m.slow > 0 {
		time.Sleep(rm.m.slow) // the merchant is slow: what notify/time-limit measures
	}
	if r.Method != http.MethodPost {
		rm.refuse(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	const limit = apiv3.MaxNotificationSize
	var body []byte
	var err error
	switch {
	case rm.m.noSizeLimit:
		body, err = io.ReadAll(r.Body)
	case rm.m.contentLengthOnly:
		if r.ContentLength > limit {
			rm.refuse(w, http.StatusRequestEntityTooLarge, "too large")
			return
		}
		body, err = io.ReadAll(r.Body)
	default:
		body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		if len(body) > limit {
			rm.refuse(w, http.StatusRequestEntityTooLarge, "too large")
			return
		}
	}
	if err != nil {
		rm.refuse(w, http.StatusBadRequest, "read")
		return
	}
	h := apiv3.SignatureHeadersOf(r.Header)
	if rm.m.recordsEarly {
		var env struct{ ID string }
		json.Unmarshal(body, &env)
		rm.mu.Lock()
		dup := rm.seen[env.ID]
		rm.seen[env.ID] = true
		rm.mu.Unlock()
		if dup {
			rm.ok(w)
			return
		}
	}
	if rm.m.acceptsProbes && strings.HasPrefix(h.Signature, apiv3.ProbeSignaturePrefix) {
		w.WriteHeader(http.StatusOK) // "return SUCCESS to probes", as one blog advised
		return
	}
	if !rm.m.acceptsAnything {
		if err := rm.verifier.VerifyAt(h, body, rm.now()); err != nil {
			rm.refuse(w, http.StatusUnauthorized, err.Error())
			return
		}
	}
	// Its own parsing, without the kit's bound on the size.
	var n apiv3.Notification
	if err := json.Unmarshal(body, &n); err != nil || n.ID == "" || n.EventType == "" || n.Resource.Ciphertext == "" {
		rm.refuse(w, http.StatusBadRequest, "envelope")
		return
	}
	if rm.m.strictEnvelope {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		var strict struct {
			apiv3.Notification
			Resource struct {
				Algorithm, Ciphertext, Nonce string
				AssociatedData               string `json:"associated_data"`
			} `json:"resource"`
		}
		if err := dec.Decode(&strict); err != nil {
			rm.refuse(w, http.StatusBadRequest, "unknown member")
			return
		}
	}
	if rm.m.requiresSummary && n.Summary == "" {
		rm.refuse(w, http.StatusBadRequest, "summary missing")
		return
	}
	if rm.m.refusesMillis && !createTimeNoFractions.MatchString(n.CreateTime) {
		rm.refuse(w, http.StatusBadRequest, "create_time")
		return
	}
	plain, err := rm.decrypt(&n.Resource)
	if err != nil {
		if rm.m.acksUndecryptable {
			rm.ok(w)
			return
		}
		rm.refuse(w, http.StatusInternalServerError, "does not decrypt")
		return
	}
	ev, err := complaints.ParseEvent(plain)
	if err == nil && rm.m.strictEvent {
		dec := json.NewDecoder(bytes.NewReader(plain))
		dec.DisallowUnknownFields()
		var strict complaints.Event
		err = dec.Decode(&strict)
	}
	if err != nil {
		rm.refuse(w, http.StatusBadRequest, "event")
		return
	}
	if rm.m.fails500OnUnknown && !ev.ActionType.Known() {
		rm.refuse(w, http.StatusInternalServerError, "unknown action type")
		return
	}
	created, _ := n.Created()
	rm.mu.Lock()
	switch {
	case !rm.m.noDedupe && (rm.seen[n.ID] && !rm.m.recordsEarly || rm.inFlight[n.ID]):
		rm.mu.Unlock()
		rm.ok(w)
		return
	case rm.m.refusesLate && n.EventType == string(complaints.EventStateChange) && created.Before(rm.latest[ev.ComplaintID]):
		rm.mu.Unlock()
		rm.refuse(w, http.StatusConflict, "older than the state we have")
		return
	}
	rm.inFlight[n.ID] = true
	if created.After(rm.latest[ev.ComplaintID]) {
		rm.latest[ev.ComplaintID] = created
	}
	rm.mu.Unlock()
	if rm.m.trustsActionType && ev.ActionType == complaints.ActionUserResponse {
		rm.api.respond(ev.ComplaintID)
	} else {
		rm.api.handle(ev.ComplaintID, ev.ActionType)
	}
	rm.mu.Lock()
	rm.seen[n.ID] = true
	delete(rm.inFlight, n.ID)
	rm.mu.Unlock()
	rm.ok(w)
}

// decrypt opens a resource with the merchant's APIv3 key, making the
// mistakes asked for.
func (rm *payRaw) decrypt(res *apiv3.Resource) ([]byte, error) {
	ad := res.AssociatedData
	if rm.m.ignoresAAD {
		ad = ""
	}
	if !rm.m.skipsTag {
		return rm.aead.Open(res.Nonce, ad, res.Ciphertext)
	}
	// GCM's keystream is AES-CTR from the counter block nonce‖2: this
	// decrypts without checking the tag.
	ct, err := base64.StdEncoding.DecodeString(res.Ciphertext)
	if err != nil || len(ct) < 16 || len(res.Nonce) != 12 {
		return nil, errors.New("malformed")
	}
	block, err := aes.NewCipher([]byte(rm.key))
	if err != nil {
		return nil, err
	}
	iv := append([]byte(res.Nonce), 0, 0, 0, 2)
	plain := make([]byte, len(ct)-16)
	cipher.NewCTR(block, iv).XORKeyStream(plain, ct[:len(ct)-16])
	return plain, nil
}

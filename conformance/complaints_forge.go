package conformance

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// The Complaints 2.0 callbacks the suite sends are made here, as WeChat
// makes them (docs/apiv3.md, "Callbacks"; docs/complaints-v3.md,
// "Callbacks"): the event {"complaint_id","action_type"} encrypted with
// the merchant's APIv3 key into the envelope's resource, the envelope
// signed with one of WeChat's keys over TIMESTAMP\nNONCE\nBODY\n, the
// signature in the Wechatpay-* headers. A payCallbackSpec says what to
// vary; the refusal cases then alter what was made (a header dropped, a
// byte changed).

// paySigner names the key that signs a callback.
type paySigner int

const (
	// signByDefault: the key WeChat signs with by default in the key
	// mode: the public key in KeyModePublicKey, the certificate otherwise.
	signByDefault paySigner = iota
	signByPublicKey
	signByPlatform
	// signByOther: a key that is no WeChat key, under the default key's
	// serial (a forgery).
	signByOther
)

// payCallbackSpec says what a callback holds and how it is signed; the
// zero value (with a complaint and an action) is a genuine callback as
// WeChat sends it by default.
type payCallbackSpec struct {
	id        string // the notification's id ("": a fresh one)
	complaint string
	action    complaints.ActionType
	// event is the envelope's event_type ("": COMPLAINT.CREATE for
	// CREATE_COMPLAINT, COMPLAINT.STATE_CHANGE otherwise).
	event complaints.EventType
	// created is create_time (zero: the clock's now); millis writes it
	// with milliseconds.
	created time.Time
	millis  bool
	// noSummary leaves summary out.
	noSummary bool
	// extraEnvelope and extraEvent add members the protocol does not
	// define, to the envelope (and its resource) and to the event.
	extraEnvelope, extraEvent bool
	// associatedData is the resource's associated data ("" as in WeChat's
	// complaint example).
	associatedData string
	signer         paySigner
	serial         string        // Wechatpay-Serial ("": the signer's)
	skew           time.Duration // added to the clock for Wechatpay-Timestamp
	// otherAPIv3Key encrypts the resource under another APIv3 key;
	// brokenTag alters the last byte of the GCM tag.
	otherAPIv3Key, brokenTag bool
	// size, when larger than the callback, pads the envelope with an
	// unknown member to size bytes in all (signed).
	size int64
}

// payCallback is a callback as the suite sends it.
type payCallback struct {
	id, complaint string
	body          []byte
	header        http.Header
	// note says what the resource holds and which key signed, for the
	// exchange.
	note string
}

// payCallbackRequest is c as a request to the target, waiting wait for
// the answer.
func (c payCallback) request(wait time.Duration) request {
	return request{body: c.body, header: c.header.Clone(), isJSON: true, wait: wait}
}

// payForge makes callbacks. It is safe for concurrent use.
type payForge struct {
	keys       *PayKeys
	mode       KeyMode
	aead       *apiv3.AEAD     // the merchant's APIv3 key
	other      *apiv3.AEAD     // another APIv3 key
	foreignKey *rsa.PrivateKey // no WeChat key
	now        func() time.Time

	mu  sync.Mutex // guards rng and n; a leaf
	rng *rand.ChaCha8
	n   int

	// signatures counts the RSA signatures made.
	signatures atomic.Int64
}

// newPayForge returns the forge of a run: its random choices (nonces,
// ids, the other APIv3 key) are drawn from seed, so a seed and a clock
// make the same callbacks, byte for byte.
func newPayForge(keys *PayKeys, mode KeyMode, seed uint64, now func() time.Time) (*payForge, error) {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	f := &payForge{keys: keys, mode: mode, now: now, rng: rand.NewChaCha8(s)}
	var err error
	if f.aead, err = apiv3.NewAEAD(keys.Merchant.APIv3Key); err != nil {
		return nil, fmt.Errorf("conformance: the merchant's APIv3 key: %w", err)
	}
	other, err := apiv3.Nonce(f.rngReader())
	if err != nil {
		return nil, err
	}
	if f.other, err = apiv3.NewAEAD(other[:apiv3.APIv3KeyLength]); err != nil {
		return nil, err
	}
	if f.foreignKey, err = apiv3.ParsePrivateKey([]byte(otherKeyPEM)); err != nil {
		return nil, fmt.Errorf("conformance: the suite's other key: %w", err)
	}
	return f, nil
}

// lockedReader reads the forge's generator under its lock.
type lockedReader struct{ f *payForge }

func (r lockedReader) Read(p []byte) (int, error) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	return r.f.rng.Read(p)
}

func (f *payForge) rngReader() lockedReader { return lockedReader{f} }

// draw returns a number below n from the generator.
func (f *payForge) draw(n uint64) uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Uint64() % n
}

// notificationID returns a fresh notification id: 36 characters, as
// WeChat's ids have.
func (f *payForge) notificationID() string {
	var b [16]byte
	_, _ = f.rngReader().Read(b[:]) // ChaCha8 never fails
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// complaintID returns a complaint id of WeChat's shape (27 digits:
// "2002", the day, and a number of the run) for a run without an
// Observer: no API knows it.
func (f *payForge) complaintID() string {
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()
	return fmt.Sprintf("2002%s%07d%08d", inChina(f.now()).Format("20060102"), f.draw(1e7), n)
}

// inChina returns t in China Standard Time, WeChat's zone, which
// create_time is written in.
func inChina(t time.Time) time.Time {
	return t.In(time.FixedZone("CST", int(complaints.ChinaOffset/time.Second)))
}

// serialOf returns the Wechatpay-Serial that names s's key.
func (f *payForge) serialOf(s paySigner) string {
	switch s {
	case signByPublicKey:
		return f.keys.Merchant.PublicKeyID
	case signByPlatform:
		return apiv3.SerialOf(f.keys.Platform)
	}
	if f.mode == KeyModePublicKey {
		return f.keys.Merchant.PublicKeyID
	}
	return apiv3.SerialOf(f.keys.Platform)
}

// keyOf returns the private key of s, and in words which it is.
func (f *payForge) keyOf(s paySigner) (*rsa.PrivateKey, string) {
	switch {
	case s == signByOther:
		return f.foreignKey, "a key that is not WeChat's"
	case s == signByPublicKey, s == signByDefault && f.mode == KeyModePublicKey:
		return f.keys.PublicKey, "the WeChat Pay public key's private half"
	}
	return f.keys.PlatformKey, "the platform certificate's key"
}

// summaryOf is the summary WeChat's pages give an event type.
func summaryOf(e complaints.EventType) string {
	if e == complaints.EventCreate {
		return "产生新投诉"
	}
	return "投诉状态变化"
}

// make makes the callback spec describes.
func (f *payForge) make(spec payCallbackSpec) (payCallback, error) {
	if spec.id == "" {
		spec.id = f.notificationID()
	}
	if spec.event == "" {
		spec.event = complaints.EventStateChange
		if spec.action == complaints.ActionCreateComplaint {
			spec.event = complaints.EventCreate
		}
	}
	now := f.now()
	created := spec.created
	if created.IsZero() {
		created = now
	}
	layout := "2006-01-02T15:04:05-07:00"
	if spec.millis {
		layout = "2006-01-02T15:04:05.000-07:00"
	}

	var event bytes.Buffer
	event.WriteString(`{"complaint_id":`)
	writeJSON(&event, spec.complaint)
	event.WriteString(`,"action_type":`)
	writeJSON(&event, string(spec.action))
	if spec.extraEvent {
		// The fields 1.0 callbacks carried, which WeChat sent beside the
		// new ones during the move to 2.0, and one it might add.
		event.WriteString(`,"out_trade_no":"20150806125346","transaction_id":"4200000000000000000000000000","amount":100,"complaint_detail":"没收到货","payer_info":{"channel":"mini_program","tags":["TRUSTED"]}`)
	}
	event.WriteString("}")

	aead := f.aead
	if spec.otherAPIv3Key {
		aead = f.other
	}
	res, err := aead.SealResource("", spec.associatedData, event.Bytes(), f.rngReader())
	if err != nil {
		return payCallback{}, err
	}
	if spec.brokenTag {
		ct, err := base64.StdEncoding.DecodeString(res.Ciphertext)
		if err != nil {
			return payCallback{}, err
		}
		ct[len(ct)-1] ^= 0x01
		res.Ciphertext = base64.StdEncoding.EncodeToString(ct)
	}

	var body bytes.Buffer
	body.WriteString(`{"id":`)
	writeJSON(&body, spec.id)
	body.WriteString(`,"create_time":`)
	writeJSON(&body, inChina(created).Format(layout))
	body.WriteString(`,"resource_type":"` + apiv3.ResourceTypeEncrypted + `","event_type":`)
	writeJSON(&body, string(spec.event))
	if !spec.noSummary {
		body.WriteString(`,"summary":`)
		writeJSON(&body, summaryOf(spec.event))
	}
	body.WriteString(`,"resource":{"algorithm":`)
	writeJSON(&body, res.Algorithm)
	body.WriteString(`,"ciphertext":`)
	writeJSON(&body, res.Ciphertext)
	body.WriteString(`,"associated_data":`)
	writeJSON(&body, res.AssociatedData)
	body.WriteString(`,"nonce":`)
	writeJSON(&body, res.Nonce)
	if spec.extraEnvelope {
		body.WriteString(`,"original_type":"complaint","key_version":3}`)
		body.WriteString(`,"event_version":"2.0","notify_info":{"retry_count":0,"tags":["complaint","v2"],"extra":null}}`)
	} else {
		body.WriteString("}}")
	}
	if pad := spec.size - int64(body.Len()) - int64(len(`,"padding":""`)); pad > 0 {
		body.Truncate(body.Len() - 1)
		body.WriteString(`,"padding":"`)
		body.Write(bytes.Repeat([]byte{'x'}, int(pad)))
		body.WriteString(`"}`)
	}

	key, which := f.keyOf(spec.signer)
	serial := spec.serial
	if serial == "" {
		serial = f.serialOf(spec.signer)
	}
	ts := strconv.FormatInt(now.Add(spec.skew).Unix(), 10)
	nonce, err := apiv3.Nonce(f.rngReader())
	if err != nil {
		return payCallback{}, err
	}
	sig, err := apiv3.SignSHA256(key, apiv3.AnswerMessage(ts, nonce, body.Bytes()))
	if err != nil {
		return payCallback{}, err
	}
	f.signatures.Add(1)
	h := make(http.Header)
	apiv3.SignatureHeaders{Timestamp: ts, Nonce: nonce, Signature: sig, Serial: serial, SignatureType: apiv3.Scheme}.Set(h)
	var rid [16]byte
	_, _ = f.rngReader().Read(rid[:])
	h[apiv3.HeaderRequestID] = []string{fmt.Sprintf("%X", rid)} // as WeChat writes it, not canonicalised

	note := "the resource holds " + event.String()
	if spec.otherAPIv3Key {
		note = "the resource is encrypted under another APIv3 key"
	}
	note += "; signed with " + which + ", Wechatpay-Serial " + serial
	return payCallback{id: spec.id, complaint: spec.complaint, body: body.Bytes(), header: h, note: note}, nil
}

// writeJSON writes s as a JSON string, as WeChat writes it (no HTML
// escaping).
func writeJSON(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}

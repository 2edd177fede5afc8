package paypush

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// What the engine decides where docs/complaints-v3.md ("Callbacks") leaves
// a member of the envelope open.
const (
	// originalType is resource.original_type: "complaint", by analogy with
	// the "security" of WeChat's echo callback (the complaint pages' example
	// has none; receivers ignore it).
	originalType = "complaint"
	// associatedData is resource.associated_data: empty, as in the
	// complaint pages' example ("associated_data": "").
	associatedData = ""
)

// summaryOf is the envelope's summary of an event type: the description
// WeChat's pages give it (the text is unstated for complaints).
func summaryOf(e complaints.EventType) string {
	switch e {
	case complaints.EventCreate:
		return "产生新投诉"
	case complaints.EventStateChange:
		return "投诉状态变化"
	}
	return "投诉通知"
}

// chinaZone is WeChat's zone, in which create_time is written.
var chinaZone = time.FixedZone("CST", int(complaints.ChinaOffset/time.Second))

// plaintextOf returns the plaintext of a complaint callback:
// {"complaint_id","action_type"}, nothing else (Complaints 2.0 carries no
// order data).
func plaintextOf(complaintID string, a complaints.ActionType) ([]byte, error) {
	return json.Marshal(complaints.Event{ComplaintID: complaintID, ActionType: a})
}

// driftEvent is a plaintext with members the merchant does not know: the
// order data 1.0 callbacks carried (sent beside the new members during the
// move to 2.0) and one WeChat might add.
type driftEvent struct {
	complaints.Event
	OutTradeNo      string         `json:"out_trade_no"`
	TransactionID   string         `json:"transaction_id"`
	Amount          int            `json:"amount"`
	ComplaintDetail string         `json:"complaint_detail"`
	PayerInfo       driftPayerInfo `json:"payer_info"`
}

type driftPayerInfo struct {
	Channel string   `json:"channel"`
	Tags    []string `json:"tags"`
}

// driftEnvelope is an envelope with members the merchant does not know,
// at its top and in its resource.
type driftEnvelope struct {
	apiv3.Notification
	Resource     driftResource   `json:"resource"`
	EventVersion string          `json:"event_version"`
	NotifyInfo   driftNotifyInfo `json:"notify_info"`
}

type driftResource struct {
	apiv3.Resource
	KeyVersion int `json:"key_version"`
}

type driftNotifyInfo struct {
	RetryCount int      `json:"retry_count"`
	Tags       []string `json:"tags"`
}

// shot is what one attempt POSTs: the envelope and its headers.
type shot struct {
	body      []byte
	header    http.Header
	plaintext string // the attempt's own plaintext, when a fault changed it
}

// build makes the attempt of d at now under plan p: the plaintext (changed
// as p says), encrypted with apiv3Key under a fresh nonce, the envelope,
// its signature by the mode's key (or another key, or a probe's), and the
// tampering p asks for after signing.
func (e *Engine) build(d *Delivery, p Plan, apiv3Key string, now time.Time) (shot, error) {
	var s shot
	plain := []byte(d.Plaintext)
	if p.UnknownMembers || p.ActionType != "" {
		var ev complaints.Event
		if err := json.Unmarshal(plain, &ev); err != nil {
			return s, fmt.Errorf("paypush: the delivery's plaintext does not decode: %w", err)
		}
		if p.ActionType != "" {
			ev.ActionType = p.ActionType
		}
		var err error
		if p.UnknownMembers {
			plain, err = json.Marshal(driftEvent{Event: ev, OutTradeNo: "20150806125346", TransactionID: "4200000000000000000000000000",
				Amount: 100, ComplaintDetail: "没收到货", PayerInfo: driftPayerInfo{Channel: "mini_program", Tags: []string{"TRUSTED"}}})
		} else {
			plain, err = json.Marshal(ev)
		}
		if err != nil {
			return s, err
		}
		s.plaintext = string(plain)
	}
	aead, err := apiv3.NewAEAD(apiv3Key)
	if err != nil {
		return s, fmt.Errorf("paypush: the merchant's APIv3 key cannot encrypt: %w", err)
	}
	res, err := aead.SealResource(originalType, associatedData, plain, nil)
	if err != nil {
		return s, err
	}
	env := apiv3.Notification{ID: d.ID, CreateTime: d.Queued.In(chinaZone).Format(time.RFC3339), EventType: string(d.EventType),
		ResourceType: apiv3.ResourceTypeEncrypted, Summary: summaryOf(d.EventType), Resource: res}
	marshal := func(env apiv3.Notification) ([]byte, error) {
		if p.UnknownMembers {
			return json.Marshal(driftEnvelope{Notification: env, Resource: driftResource{Resource: env.Resource, KeyVersion: 3},
				EventVersion: "2.0", NotifyInfo: driftNotifyInfo{Tags: []string{"complaint", "v2"}}})
		}
		return json.Marshal(env)
	}
	if s.body, err = marshal(env); err != nil {
		return s, err
	}

	signer := e.opts.Signing.Callback(now)
	if p.OtherKey {
		if signer, err = e.other(); err != nil {
			return s, err
		}
	}
	ts := strconv.FormatInt(now.Add(-p.Stale).Unix(), 10)
	nonce, err := apiv3.Nonce(nil)
	if err != nil {
		return s, err
	}
	var sig string
	if d.Probe {
		sig, err = probeSignature()
	} else {
		sig, err = signer.Sign(apiv3.AnswerMessage(ts, nonce, s.body))
	}
	if err != nil {
		return s, err
	}
	if p.TamperSignature {
		sig = tamperSignature(sig)
	}
	if p.TamperBody { // after signing: the signature no longer covers the body
		env.Resource.Ciphertext = tamperBase64(env.Resource.Ciphertext)
		if s.body, err = marshal(env); err != nil {
			return s, err
		}
	}
	s.header = make(http.Header, 8)
	apiv3.SignatureHeaders{Timestamp: ts, Nonce: nonce, Signature: sig, Serial: signer.Serial(), SignatureType: apiv3.Scheme}.Set(s.header)
	s.header[apiv3.HeaderRequestID] = []string{requestID()}
	s.header["Content-Type"] = []string{"application/json"}
	return s, nil
}

// probeSignature returns a probe's signature: WECHATPAY/SIGNTEST/ and the
// Base64 of 256 random bytes (the length of an RSA-2048 signature; what
// follows the prefix is unstated).
func probeSignature() (string, error) {
	var b [256]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return apiv3.ProbeSignaturePrefix + base64.StdEncoding.EncodeToString(b[:]), nil
}

// tamperSignature changes a byte of a Base64 signature: still Base64 of
// the same length, no longer the signature.
func tamperSignature(sig string) string {
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) == 0 {
		return tamperBase64(sig)
	}
	raw[len(raw)/2] ^= 0x5a
	return base64.StdEncoding.EncodeToString(raw)
}

// tamperBase64 changes the first character of s to another Base64 digit,
// so that its decoded bytes differ.
func tamperBase64(s string) string {
	if s == "" {
		return "AAAA"
	}
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// requestID returns a Request-ID as WeChat writes one: upper-case hex.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// newOtherSigner makes the key of OtherKey faults: an RSA key no merchant
// knows, under a serial of a platform certificate's shape that names none
// of the fake's keys.
func newOtherSigner() (*apiv3.Signer, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("paypush: making the other key: %w", err)
	}
	var b [20]byte
	_, _ = rand.Read(b[:])
	return apiv3.NewSigner(apiv3.SignerOptions{Key: k, Serial: strings.ToUpper(hex.EncodeToString(b[:]))})
}

// probeComplaintID returns the complaint id a probe names: WeChat's shape
// (27 digits: 2002, the day, 15 digits), a complaint no merchant has.
func probeComplaintID(id string, now time.Time) string {
	var h uint64
	for _, c := range []byte(id) {
		h = mix(h ^ uint64(c))
	}
	return fmt.Sprintf("2002%s%015d", now.In(chinaZone).Format("20060102"), h%1e15)
}

// idSource makes notification ids: 36 characters in the form of a UUID,
// the first 16 hex digits a hash of the seed and a counter, the last 16 the
// counter masked by the seed, so that the same seed gives the same ids and
// Restore can tell the ids of its seed and go on after them.
type idSource struct{ seed, mask uint64 }

func newIDSource(seed uint64) idSource {
	if seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		for _, c := range b {
			seed = seed<<8 | uint64(c)
		}
		seed |= 1
	}
	return idSource{seed: seed, mask: mix(seed + 0x9e3779b97f4a7c15)}
}

func (s idSource) id(n uint64) string {
	h := mix(s.seed ^ mix(n))
	c := n ^ s.mask
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", h>>32, h>>16&0xffff, h&0xffff, c>>48, c&0xffffffffffff)
}

// counter returns the counter of an id of this source; false for another
// id.
func (s idSource) counter(id string) (uint64, bool) {
	if len(id) != 36 {
		return 0, false
	}
	c, err := strconv.ParseUint(strings.ReplaceAll(id[19:], "-", ""), 16, 64)
	if err != nil {
		return 0, false
	}
	n := c ^ s.mask
	return n, s.id(n) == id
}

// mix is SplitMix64's finaliser: a bijection of 64 bits that scatters
// them.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

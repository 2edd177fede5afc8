package payapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// Options wire a Handler to the fake. World and Signing are required.
type Options struct {
	// World is the Complaints 2.0 world the endpoints read and act on.
	World *payworld.World
	// Signing holds the fake's keys and says which signs each answer.
	Signing *paykeys.Signing
	// Now is the fake's clock: the 5-minute window of signatures and the
	// per-minute limits read it (nil: time.Now). The signers stamp their
	// own clock (paykeys.Options.Now): give both the same.
	Now func() time.Time
	// Recorder, when set, receives every call once answered.
	Recorder Recorder
	// Effects, when set, receives what the merchant's acts change (they
	// cause no callback: WeChat does not announce the merchant's own acts).
	Effects func(payworld.Effects)
	// PerMinute overrides the calls a minute each merchant may make to an
	// endpoint (DefaultPerMinute); a value ≤ 0 lifts the limit.
	PerMinute map[complaints.Endpoint]int
	// AcceptUnknownMembers lets a JSON body carry members its request type
	// does not declare. By default they are refused (400 PARAM_ERROR):
	// WeChat refused a complaint_id in a body (WxJava strips it "否则微信会
	// 报错").
	AcceptUnknownMembers bool
	// Faults, when set, hands out the faults set on the API (fault.Set):
	// a call that takes one is answered as its plan says.
	Faults Faults
}

// Handler serves the Complaints 2.0 endpoints and /v3/certificates. It is
// safe for concurrent use.
type Handler struct {
	o       Options
	now     func() time.Time
	limits  *limits
	members map[reflect.Type]map[string]bool // the JSON names of each request type
	reqID   string                           // the prefix of Request-IDs
	seq     atomic.Uint64
}

// New returns a Handler, or an error saying what is missing.
func New(o Options) (*Handler, error) {
	switch {
	case o.World == nil:
		return nil, errors.New("payapi: Options.World is nil")
	case o.Signing == nil || o.Signing.Identity() == nil:
		return nil, errors.New("payapi: Options.Signing is nil or empty: make one with paykeys.NewSigning")
	}
	for e := range o.PerMinute {
		if !knownEndpoint(e) {
			return nil, fmt.Errorf("payapi: Options.PerMinute names %q, not an endpoint", e)
		}
	}
	h := &Handler{o: o, now: o.Now, limits: newLimits(o.PerMinute), members: map[reflect.Type]map[string]bool{}}
	if h.now == nil {
		h.now = time.Now
	}
	for _, v := range []any{complaints.ResponseRequest{}, complaints.CompleteRequest{}, complaints.RefundProgressRequest{},
		complaints.ImmediateServiceRequest{}, complaints.NotificationURLRequest{}} {
		h.members[reflect.TypeOf(v)] = jsonNames(reflect.TypeOf(v))
	}
	var b [8]byte
	rand.Read(b[:])
	h.reqID = strings.ToUpper(hex.EncodeToString(b[:]))
	return h, nil
}

// jsonNames returns the JSON member names of a struct type.
func jsonNames(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "-" {
			if name == "" {
				name = f.Name
			}
			out[name] = true
		}
	}
	return out
}

// Reset forgets the per-minute limits' counts (the fake's reset: its clock
// may go back).
func (h *Handler) Reset() { h.limits.reset() }

// maxBody bounds a JSON body; maxUpload a multipart upload (an image of at
// most 2,000,000 bytes, its meta and the form's framing).
const (
	maxBody   = 1 << 20
	maxUpload = 4 << 20
)

// call is one request being served.
type call struct {
	r      *http.Request
	ep     *endpoint
	id     string // the complaint or media id of the path, unescaped
	target string // the request-target as received
	now    time.Time
	body   []byte // as received
	signed []byte // what the signature covers: the body, or an upload's meta
	file   []byte // an upload's file part
	mchid  string
	fault  string // the plan of the fault it took, if any
	rec    Call
}

// endpoint is one method on one path.
type endpoint struct {
	name   complaints.Endpoint
	method string
	// upload: multipart, signed over its meta, Accept not required.
	upload bool
	serve  func(h *Handler, c *call) answer
}

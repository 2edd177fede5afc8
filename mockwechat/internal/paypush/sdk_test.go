package paypush

// The official SDK, github.com/wechatpay-apiv3/wechatpay-go v0.2.21 (a test
// dependency only), and the kit's own callback middleware are the
// merchants here: what the engine sends must open with both, and what a
// fault breaks must be refused by both.

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/middleware/callback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
)

// sdkMerchant answers callbacks with the SDK's notify handler: 204 when
// it opens one, 401 {"code":"FAIL"} when it refuses; it records what it
// opened by notification id.
type sdkMerchant struct {
	h      *notify.Handler
	mu     sync.Mutex
	opened map[string][]*notify.Request // by notification id
	plain  map[string][]string          // the plaintexts opened, by id
	serial map[string]bool              // Wechatpay-Serial of the callbacks opened
	errs   []error
}

func newSDKMerchant(t *testing.T, v auth.Verifier) *sdkMerchant {
	h, err := notify.NewRSANotifyHandler(testIdentity(t).Merchant().APIv3Key, v)
	if err != nil {
		t.Fatal(err)
	}
	return &sdkMerchant{h: h, opened: map[string][]*notify.Request{}, plain: map[string][]string{}, serial: map[string]bool{}}
}

func (m *sdkMerchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var content map[string]any
	req, err := m.h.ParseNotifyRequest(r.Context(), r, &content)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.errs = append(m.errs, err)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":"FAIL","message":"验签失败"}`)
		return
	}
	m.opened[req.ID] = append(m.opened[req.ID], req)
	m.plain[req.ID] = append(m.plain[req.ID], req.Resource.Plaintext)
	m.serial[r.Header.Get(apiv3.HeaderSerial)] = true
	w.WriteHeader(http.StatusNoContent)
}

// sdkVerifiers are the verifiers a merchant builds with the SDK in each of
// WeChat's modes, and when the switch began (in its 6th day: half the
// callbacks signed by each key).
func sdkModes(t *testing.T, now time.Time) []struct {
	name  string
	mode  paykeys.Mode
	began time.Time
	v     auth.Verifier
} {
	id := testIdentity(t)
	certs := core.NewCertificateMapWithList([]*x509.Certificate{id.PlatformCertificate()})
	return []struct {
		name  string
		mode  paykeys.Mode
		began time.Time
		v     auth.Verifier
	}{
		{"public key", paykeys.ModePublicKey, time.Time{}, verifiers.NewSHA256WithRSAPubkeyVerifier(id.PublicKeyID(), *id.PublicKey())},
		{"platform certificate", paykeys.ModePlatformCertificate, time.Time{}, verifiers.NewSHA256WithRSAVerifier(certs)},
		{"switch", paykeys.ModeSwitch, now.Add(-5*24*time.Hour - time.Hour), verifiers.NewSHA256WithRSACombinedVerifier(certs, id.PublicKeyID(), *id.PublicKey())},
	}
}

// TestSDKOpensEveryCallback: the SDK's notify handler opens every callback
// the engine sends, of every action type, in public-key, certificate and
// switch modes (both keys seen during the switch), and reads the
// notification id, event type and plaintext the engine recorded.
func TestSDKOpensEveryCallback(t *testing.T) {
	now := time.Now() // the SDK judges timestamps on the wall clock
	for _, m := range sdkModes(t, now) {
		t.Run(m.name, func(t *testing.T) {
			merchant := newSDKMerchant(t, m.v)
			rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				r.Body = io.NopCloser(strings.NewReader(string(body)))
				merchant.ServeHTTP(w, r)
			})
			r := newRig(t, now, func(o *Options) {
				o.Now = time.Now
				o.Signing = signing(t, m.mode, m.began)
			})
			r.host.setURL(rcv.URL)
			var ids []string
			for i := range 3 {
				for _, a := range complaints.ActionTypes() {
					ids = append(ids, r.e.Send(cb("20020250301"+string(rune('0'+i))+"00000000000"+string(a[:1]), a)))
				}
			}
			r.e.WaitIdle()
			for _, id := range ids {
				d := r.delivery(t, id)
				if !d.Delivered || len(d.Attempts) != 1 || d.Attempts[0].Verdict != VerdictAcknowledged || d.Attempts[0].Wrong {
					t.Errorf("%s: delivered %v, attempts %+v", id, d.Delivered, d.Attempts)
					continue
				}
				merchant.mu.Lock()
				got := merchant.opened[id]
				merchant.mu.Unlock()
				if len(got) != 1 {
					t.Errorf("%s: the SDK opened it %d times", id, len(got))
					continue
				}
				if got[0].Resource.Plaintext != d.Plaintext || got[0].EventType != string(d.EventType) ||
					got[0].ResourceType != apiv3.ResourceTypeEncrypted || got[0].Resource.Algorithm != apiv3.AlgorithmAEADAES256GCM {
					t.Errorf("%s: the SDK opened %+v (plaintext %s), the engine recorded %+v", id, got[0], got[0].Resource.Plaintext, d)
				}
				var ev complaints.Event
				if err := json.Unmarshal([]byte(d.Plaintext), &ev); err != nil || ev.ComplaintID != d.ComplaintID || ev.ActionType != d.ActionType {
					t.Errorf("%s: plaintext %s for %s %s", id, d.Plaintext, d.ComplaintID, d.ActionType)
				}
			}
			id := testIdentity(t)
			want := map[paykeys.Mode][]string{
				paykeys.ModePublicKey:           {id.PublicKeyID()},
				paykeys.ModePlatformCertificate: {id.PlatformSerial()},
				paykeys.ModeSwitch:              {id.PublicKeyID(), id.PlatformSerial()},
			}[m.mode]
			merchant.mu.Lock()
			defer merchant.mu.Unlock()
			if len(merchant.serial) != len(want) {
				t.Errorf("serials seen %v, want %v", merchant.serial, want)
			}
			for _, s := range want {
				if !merchant.serial[s] {
					t.Errorf("serials seen %v, want %v", merchant.serial, want)
				}
			}
		})
	}
}

// faultCases are faults and whether a verifying merchant must refuse the
// attempt that carries them.
var faultCases = []struct {
	name   string
	plan   Plan
	refuse bool
	fault  string
}{
	{"tampered signature", Plan{TamperSignature: true}, true, "tamper-signature"},
	{"tampered body", Plan{TamperBody: true}, true, "tamper-body"},
	{"other key", Plan{OtherKey: true}, true, "other-key"},
	{"stale", Plan{Stale: 6 * time.Minute}, true, "stale 6m0s"},
	{"unknown members", Plan{UnknownMembers: true}, false, "unknown-members"},
	{"action type drift", Plan{ActionType: complaints.ActionUserApplyPlatformSerivce}, false, "action-type USER_APPLY_PLATFORM_SERIVCE"},
	{"unknown action type", Plan{ActionType: "USER_SENT_A_POSTCARD"}, false, "action-type USER_SENT_A_POSTCARD"},
	{"duplicate", Plan{Duplicate: true}, false, "duplicate"},
}

// TestSDKJudgesFaults: in each mode, the SDK refuses the callbacks a fault
// breaks (tampered signature or body, another key, 6 minutes old) and the
// probes, and opens those a fault only changes (unknown members, another
// action_type, a duplicate). A refused attempt is retried 5 s later on the
// fake's clock, genuine, and opened.
func TestSDKJudgesFaults(t *testing.T) {
	now := time.Now()
	for _, m := range sdkModes(t, now) {
		t.Run(m.name, func(t *testing.T) {
			for _, fc := range faultCases {
				t.Run(fc.name, func(t *testing.T) {
					merchant := newSDKMerchant(t, m.v)
					rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
						r.Body = io.NopCloser(strings.NewReader(string(body)))
						merchant.ServeHTTP(w, r)
					})
					r := newRig(t, now, func(o *Options) {
						o.Now = time.Now
						o.Signing = signing(t, m.mode, m.began)
					})
					r.host.setURL(rcv.URL)
					r.host.fault(fc.plan)
					id := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
					r.e.WaitIdle()
					d := r.delivery(t, id)
					merchant.mu.Lock()
					opened, errs := len(merchant.opened[id]), len(merchant.errs)
					plain := merchant.plain[id]
					merchant.mu.Unlock()
					if fc.refuse {
						if d.Delivered || len(d.Attempts) != 1 || d.Attempts[0].Verdict != VerdictRefused || d.Attempts[0].Status != 401 || opened != 0 || errs != 1 {
							t.Fatalf("the SDK opened %d, refused %d; delivery %+v", opened, errs, d)
						}
						if d.Attempts[0].Fault != fc.fault || d.Next != r.clk.Now().Add(5*time.Second) {
							t.Errorf("fault %q, next %v", d.Attempts[0].Fault, d.Next)
						}
						r.clk.Advance(5 * time.Second)
						d = r.delivery(t, id)
						merchant.mu.Lock()
						opened = len(merchant.opened[id])
						merchant.mu.Unlock()
						if !d.Delivered || len(d.Attempts) != 2 || d.Attempts[1].Fault != "" || opened != 1 {
							t.Fatalf("the retry: opened %d; delivery %+v", opened, d)
						}
						return
					}
					want := 1
					if fc.plan.Duplicate {
						want = 2
					}
					if !d.Delivered || len(d.Attempts) != want || opened != want || errs != 0 {
						t.Fatalf("the SDK opened %d, refused %d; delivery %+v", opened, errs, d)
					}
					for _, a := range d.Attempts {
						if a.Fault != fc.fault || a.Verdict != VerdictAcknowledged || a.Wrong {
							t.Errorf("attempt %+v", a)
						}
					}
					if fc.plan.Duplicate && (!d.Attempts[1].Copy || d.Attempts[0].Copy) {
						t.Errorf("the second request is not marked a copy: %+v", d.Attempts)
					}
					for _, p := range plain {
						want := d.Plaintext
						if d.Attempts[0].Plaintext != "" {
							want = d.Attempts[0].Plaintext
						}
						if p != want {
							t.Errorf("the SDK opened %s, the engine recorded %s", p, want)
						}
					}
					if fc.plan.ActionType != "" && !strings.Contains(plain[0], `"action_type":"`+string(fc.plan.ActionType)+`"`) {
						t.Errorf("plaintext %s does not carry %s", plain[0], fc.plan.ActionType)
					}
					if fc.plan.UnknownMembers && !strings.Contains(plain[0], `"out_trade_no"`) {
						t.Errorf("plaintext %s has no unknown member", plain[0])
					}
				})
			}
			t.Run("probe", func(t *testing.T) {
				merchant := newSDKMerchant(t, m.v)
				rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
					r.Body = io.NopCloser(strings.NewReader(string(body)))
					merchant.ServeHTTP(w, r)
				})
				r := newRig(t, now, func(o *Options) { o.Now = time.Now; o.Signing = signing(t, m.mode, m.began) })
				r.host.setURL(rcv.URL)
				id := r.e.Probe(paykeys.DefaultMchID)
				r.e.WaitIdle()
				d := r.delivery(t, id)
				merchant.mu.Lock()
				opened, errs := len(merchant.opened), len(merchant.errs)
				merchant.mu.Unlock()
				if opened != 0 || errs != 1 || !d.Probe || !d.Failed || len(d.Attempts) != 1 || d.Attempts[0].Verdict != VerdictRefused || d.Attempts[0].Wrong {
					t.Fatalf("the SDK opened %d, refused %d; probe %+v", opened, errs, d)
				}
				if !d.Next.IsZero() || r.clk.Pending() != 0 {
					t.Errorf("a probe is retried: next %v, %d events on the clock", d.Next, r.clk.Pending())
				}
			})
		})
	}
}

// TestMiddlewareJudgesCallbacks: the kit's callback middleware, with the
// Dispatcher behind it, acknowledges (204) the genuine callbacks and those
// a fault only changes, and refuses with 401, as it documents, those a
// fault breaks and the probes; each refused one is delivered by its retry.
func TestMiddlewareJudgesCallbacks(t *testing.T) {
	id := testIdentity(t)
	for _, m := range []paykeys.Mode{paykeys.ModePublicKey, paykeys.ModePlatformCertificate, paykeys.ModeSwitch} {
		t.Run(string(m), func(t *testing.T) {
			r := newRig(t, t0, func(o *Options) { o.Signing = signing(t, m, t0.Add(-5*24*time.Hour)) })
			v, err := id.Verifier(m, r.clk.Now)
			if err != nil {
				t.Fatal(err)
			}
			opener, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: v, APIv3Key: id.Merchant().APIv3Key})
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			handled := map[string][]complaints.ActionType{}
			var refusals []error
			mw := callback.New(callback.Config{Opener: opener, Now: r.clk.Now, Logger: slog.New(slog.DiscardHandler),
				ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
					mu.Lock()
					refusals = append(refusals, err)
					mu.Unlock()
					callback.DefaultErrorHandler(w, req, err)
				}})
			rcv := httptest.NewServer(mw(&callback.Dispatcher{Logger: slog.New(slog.DiscardHandler),
				Default: func(_ context.Context, e *callback.Event) error {
					mu.Lock()
					handled[e.Notification.ID] = append(handled[e.Notification.ID], e.ActionType)
					mu.Unlock()
					return nil
				}}))
			defer rcv.Close()
			r.host.setURL(rcv.URL)

			for i, fc := range faultCases {
				r.host.fault(fc.plan)
				nid := r.e.Send(cb("2002025030100000000000000"+string(rune('a'+i)), complaints.ActionUserResponse))
				r.e.WaitIdle()
				d := r.delivery(t, nid)
				if fc.refuse {
					if len(d.Attempts) != 1 || d.Attempts[0].Status != http.StatusUnauthorized || d.Delivered {
						t.Errorf("%s: %+v, want refused 401", fc.name, d.Attempts)
					}
					r.clk.Advance(5 * time.Second)
					d = r.delivery(t, nid)
				}
				if !d.Delivered || d.Attempts[len(d.Attempts)-1].Status != http.StatusNoContent {
					t.Errorf("%s: not delivered: %+v", fc.name, d.Attempts)
				}
				mu.Lock()
				h := handled[nid]
				mu.Unlock()
				want := complaints.ActionUserResponse
				if fc.plan.ActionType != "" {
					want = fc.plan.ActionType
				}
				if len(h) != 1 || h[0] != want { // a duplicate's copy is acknowledged, not handled again
					t.Errorf("%s: handled %v, want once %s", fc.name, h, want)
				}
			}
			pid := r.e.Probe(paykeys.DefaultMchID)
			r.e.WaitIdle()
			if d := r.delivery(t, pid); len(d.Attempts) != 1 || d.Attempts[0].Status != http.StatusUnauthorized || d.Attempts[0].Verdict != VerdictRefused {
				t.Errorf("probe: %+v, want refused 401", d.Attempts)
			}
			mu.Lock()
			defer mu.Unlock()
			var probes, bad, old, unknown int
			for _, err := range refusals {
				switch {
				case errors.Is(err, apiv3.ErrSignatureProbe):
					probes++
				case errors.Is(err, apiv3.ErrUnknownSerial):
					unknown++
				case errors.Is(err, apiv3.ErrTooOld):
					old++
				case errors.Is(err, apiv3.ErrBadSignature):
					bad++
				}
			}
			if probes != 1 || unknown != 1 || old != 1 || bad != 2 {
				t.Errorf("refusals: %d probes, %d unknown serials, %d too old, %d bad signatures; want 1, 1, 1, 2: %v", probes, unknown, old, bad, refusals)
			}
		})
	}
}

package mockwechat

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payapi"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// PayPrefix is where the fake serves Complaints 2.0 (WeChat Pay APIv3):
// the complaint endpoints under /v3/merchant-service/, image upload and
// download, and GET /v3/certificates.
const PayPrefix = "/v3/"

// ErrPayOff: the server does not play Complaints 2.0 (Options.Pay is nil).
var ErrPayOff = admin.ErrPayOff

// payPart is the fake's Complaints 2.0: its identity, its world, the /v3/
// endpoints and the callbacks; nil on a server whose Options.Pay is nil.
type payPart struct {
	keysDir   string
	now       func() time.Time // the signatures' clock (payNow)
	id        *paykeys.Identity
	signing   *paykeys.Signing
	world     *payworld.World
	api       *payapi.Handler
	callbacks *paypush.Engine
	probes    probeSchedule  // SIGNTEST probes on the fake's clock (pay_probes.go)
	signFails signFailureLog // for the console (console_pay.go)
}

// payHost is what the callback engine asks of the fake, at each attempt.
type payHost struct{ s *Server }

// Target returns the merchant's callback URL and APIv3 key now.
func (h payHost) Target(mchid string) (string, string) {
	m, ok := h.s.pay.world.Merchant(mchid)
	if !ok {
		return "", ""
	}
	return m.NotifyURL, m.APIv3Key
}

// Fault takes one use of a pay-callback fault matching the callback.
func (h payHost) Fault(mchid string, a complaints.ActionType) (paypush.Plan, bool) {
	return h.s.faults.TakePayCallback(mchid, a)
}

// payCallbackReported tells the feed about a callback's progress.
func (s *Server) payCallbackReported(r paypush.Report) {
	s.feed.Publish(events.KindPayCallback, func(e *events.Event) {
		if r.Attempt != nil {
			a := *r.Attempt
			r.Attempt = &a
		}
		e.PayCallback = &r
	})
}

// newPay builds Complaints 2.0 from Options.Pay: the identity (loaded
// from, or made and written to, the keys directory), the signing mode, the
// world with the identity's merchant, and the /v3/ handler recording into
// the fake's call log.
func (s *Server) newPay() (*payPart, error) {
	o := *s.set.Pay
	mode := paykeys.ModePublicKey
	if o.Mode != "" {
		m, err := paykeys.ParseMode(string(o.Mode))
		if err != nil {
			return nil, fmt.Errorf("mockwechat: Options.Pay.Mode: %w", err)
		}
		mode = m
	}
	if err := checkProbeEvery(o.ProbeEvery); err != nil {
		return nil, fmt.Errorf("mockwechat: Options.Pay.ProbeEvery: %w", err)
	}
	now := s.payNow()
	id, err := paykeys.Open(paykeys.Options{Dir: o.KeysDir, Now: now, MchID: o.MchID})
	if err != nil {
		return nil, fmt.Errorf("mockwechat: Options.Pay: %w", err)
	}
	seed := o.Seed
	if seed == 0 {
		seed = s.set.Seed
	}
	so := paykeys.SigningOptions{Identity: id, Mode: mode, Seed: seed}
	if mode == paykeys.ModeSwitch {
		so.SwitchBegan = s.sched.Now()
	}
	signing, err := paykeys.NewSigning(so)
	if err != nil {
		return nil, fmt.Errorf("mockwechat: Options.Pay: %w", err)
	}
	w := payworld.New(payworld.Config{Rules: payRulesToWorld(o.Rules), Seed: seed}, s.sched.Now)
	m := id.Merchant()
	if _, err := w.AddMerchant(payworld.Merchant{MchID: m.MchID, SerialNo: m.SerialNo, PublicKey: m.PublicKey, APIv3Key: m.APIv3Key}); err != nil {
		return nil, fmt.Errorf("mockwechat: Options.Pay: %w", err)
	}
	p := &payPart{keysDir: o.KeysDir, now: now, id: id, signing: signing, world: w}
	p.probes.set(o.ProbeEvery)
	p.callbacks, err = paypush.New(paypush.Options{Host: payHost{s}, Sched: s.sched, Signing: signing, Targets: &s.set.targets,
		Context: s.ctx, Timeout: s.set.PushTimeout, Concurrency: s.set.PushConcurrency, Observe: s.payCallbackReported,
		Done: s.feed.Wake, Logger: s.log, Seed: seed, Now: now})
	if err != nil {
		return nil, fmt.Errorf("mockwechat: Options.Pay: %w", err)
	}
	p.api, err = payapi.New(payapi.Options{World: w, Signing: signing, Now: now, Recorder: payRecorder{s},
		Effects: s.applyPay, PerMinute: o.PerMinute, Faults: s.faults})
	if err != nil {
		return nil, fmt.Errorf("mockwechat: Options.Pay: %w", err)
	}
	return p, nil
}

// payNow is the clock of the APIv3 signatures, the fake's and the
// merchant's: the one pushes stamp (Options.PushTimestamps), so that a
// merchant in another process, signing on real time, is not refused as
// stale by a virtual clock.
func (s *Server) payNow() func() time.Time {
	if s.set.PushTimestamps == PushTimestampsWall {
		return time.Now
	}
	return s.sched.Now
}

// payRecorder writes the /v3/ calls to the fake's call log and feed.
type payRecorder struct{ s *Server }

// Record logs one answered /v3/ call: its path as Endpoint, its query,
// the merchant, the status and WeChat's error code (ErrCode -1 when it
// answered an error).
func (r payRecorder) Record(c payapi.Call) {
	r.s.pay.signFails.add(c)
	path, rawQuery, _ := strings.Cut(c.Target, "?")
	rec := calllog.Call{Time: c.Time, Endpoint: path, Method: c.Method, MchID: c.MchID, Body: c.Body, Answer: c.Answer,
		Status: c.Status, Code: string(c.Code), Latency: c.Latency, Warnings: c.Warnings, Fault: c.Fault}
	if c.Status >= http.StatusBadRequest || c.Code != "" {
		rec.ErrCode = -1
	}
	r.s.recordCall(rec, rawQuery)
}

// recordCall logs a call and tells the feed.
func (s *Server) recordCall(rec calllog.Call, rawQuery string) {
	logged := s.calls.Add(rec, rawQuery)
	if s.feed.Listening() {
		s.feed.Publish(events.KindCall, func(e *events.Event) {
			c := logged.Call()
			e.Call = &c
		})
	}
}

// applyPay carries out a Complaints 2.0 transition's effects: its changes
// to the feed, then its callbacks to the engine.
func (s *Server) applyPay(fx payworld.Effects) {
	if s.feed.Listening() {
		for _, c := range fx.Changes {
			s.feed.Publish(events.KindPay, func(e *events.Event) { e.Pay = &c })
		}
	}
	for _, cb := range fx.Callbacks {
		s.pay.callbacks.Send(cb)
	}
}

// payOn returns the Complaints 2.0 part, or ErrPayOff.
func (s *Server) payOn() (*payPart, error) {
	if s.pay == nil {
		return nil, ErrPayOff
	}
	return s.pay, nil
}

// PayMerchant returns what the demo (or brought) merchant configures to
// talk to the fake's Complaints 2.0, without any private key; false when
// Complaints 2.0 is off.
func (s *Server) PayMerchant() (PayMerchant, bool) {
	p, err := s.payOn()
	if err != nil {
		return PayMerchant{}, false
	}
	return p.merchant(p.id.Merchant().MchID)
}

func (p *payPart) merchant(mchid string) (PayMerchant, bool) {
	m, ok := p.world.Merchant(mchid)
	if !ok {
		return PayMerchant{}, false
	}
	mode, began := p.signing.Mode()
	out := PayMerchant{MchID: m.MchID, SerialNo: m.SerialNo, APIv3Key: m.APIv3Key, PublicKeyID: p.id.PublicKeyID(),
		PlatformSerial: p.id.PlatformSerial(), Mode: PayMode(mode), NotifyURL: m.NotifyURL, KeysDir: p.keysDir,
		ProbeEvery: p.probes.interval(), PlatformCertificates: p.certificates()}
	if mode == paykeys.ModeSwitch {
		out.SwitchBegan = began
	}
	return out, true
}

// certificates returns the platform certificates listed now.
func (p *payPart) certificates() []PayCertificate {
	signing := p.id.PlatformSerial()
	var out []PayCertificate
	for _, c := range p.id.PlatformCertificates(p.now()) {
		serial := apiv3.SerialOf(c.Cert)
		out = append(out, PayCertificate{SerialNo: serial, EffectiveTime: c.Cert.NotBefore, ExpireTime: c.Cert.NotAfter, Signing: serial == signing})
	}
	return out
}

// RotatePayCertificate replaces the fake's platform certificate, as
// WeChat does when one nears its expiry: a new certificate (a new serial,
// valid five years from now on the fake's clock) signs every answer and
// callback signed by a platform certificate from now on, and the old one,
// reissued to expire PayRotationOverlap from now, is listed by GET
// /v3/certificates until then. A merchant that downloaded the old one
// meets a Wechatpay-Serial it does not know, and must download the
// certificates again. With a keys directory the new certificate is
// written there (platform_key.pem, platform_cert.pem, and the old one as
// platform_cert_previous.pem), so the fake is the same after a restart.
// It returns the demo merchant's settings after the rotation.
func (s *Server) RotatePayCertificate() (PayMerchant, error) {
	p, err := s.payOn()
	if err != nil {
		return PayMerchant{}, err
	}
	if _, err := p.id.RotatePlatform(PayRotationOverlap); err != nil {
		return PayMerchant{}, fmt.Errorf("mockwechat: rotate the platform certificate: %w", err)
	}
	mchid := p.id.Merchant().MchID
	s.applyPay(payworld.Effects{Changes: []payworld.Change{{What: payworld.MerchantChanged, MchID: mchid}}})
	m, _ := p.merchant(mchid)
	return m, nil
}

// PayMerchantKeys returns the keys the demo merchant signs and verifies
// with in the current mode (its API private key; the fake's public key
// and its id, but in platform-certificate mode, where the merchant
// downloads the certificate from GET /v3/certificates), as apiv3 reads a
// keys directory: for a Go test's client of the fake.
func (s *Server) PayMerchantKeys() (*apiv3.MerchantKeys, error) {
	p, err := s.payOn()
	if err != nil {
		return nil, err
	}
	mode, _ := p.signing.Mode()
	return p.id.MerchantKeys(mode), nil
}

// SetPayMode changes which of WeChat's keys sign answers and callbacks;
// entering PayModeSwitch begins the switch now, on the fake's clock.
func (s *Server) SetPayMode(m PayMode) error {
	p, err := s.payOn()
	if err != nil {
		return err
	}
	if err := p.signing.SetMode(paykeys.Mode(m), s.sched.Now()); err != nil {
		return fmt.Errorf("mockwechat: %w", err)
	}
	s.applyPay(payworld.Effects{Changes: []payworld.Change{{What: payworld.MerchantChanged, MchID: p.id.Merchant().MchID}}})
	return nil
}

// SetPayNotifyURL sets the merchant's Complaints 2.0 callback URL as POST
// complaint-notifications would ("" removes it, as DELETE would); mchid
// "" is the demo merchant. WeChat requires https; the fake also takes a
// plain http URL, for merchants on this machine.
func (s *Server) SetPayNotifyURL(mchid, url string) error {
	p, err := s.payOn()
	if err != nil {
		return err
	}
	if mchid == "" {
		mchid = p.id.Merchant().MchID
	}
	var fx payworld.Effects
	if url == "" {
		fx, err = p.world.DeleteNotifyURL(mchid)
	} else {
		_, fx, err = p.world.CreateNotifyURL(mchid, url)
	}
	if err != nil {
		return err
	}
	s.applyPay(fx)
	return nil
}

// reset empties the Complaints 2.0 world for the fake's Reset: the
// complaints and images go, callbacks queued or scheduled are forgotten;
// the identity, the mode, the probes' interval, the merchants and their
// callback URLs stay (the merchant's set-up, as V1.5's accounts stay), and
// ids go on.
func (p *payPart) reset() error {
	p.signFails.clear()
	p.callbacks.Reset()
	p.api.Reset()
	st := p.world.Snapshot()
	st.Complaints, st.Images = nil, nil
	_, err := p.world.Restore(st)
	return err
}

package paykeys

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// Mode is which of WeChat's keys sign for a merchant (docs/apiv3.md,
// "Keys: the public key, certificates, and the switch").
type Mode string

// The modes.
const (
	// ModePublicKey: the WeChat Pay public key signs everything (merchants
	// opened since 2024 have only this). GET /v3/certificates answers that
	// there is no platform certificate.
	ModePublicKey Mode = "public-key"
	// ModePlatformCertificate: the platform certificate signs everything
	// (the older way); the merchant downloads it from GET /v3/certificates.
	ModePlatformCertificate Mode = "platform-certificate"
	// ModeSwitch: WeChat moves the merchant from the certificate to the
	// public key. Callbacks are signed by either at random, the public
	// key's share rising day by day (PublicKeyShare); answers by the key
	// the request's Wechatpay-Serial names, the certificate by default.
	ModeSwitch Mode = "switch"
)

// MerchantKeys returns what the merchant configures to talk to the fake in
// mode m, as apiv3 reads a keys directory: its mchid, serial, APIv3 key
// and API private key (nil for a merchant that brought only its
// certificate), and the WeChat Pay public key and its id except in
// platform-certificate mode, where the merchant downloads the platform
// certificate instead (GET /v3/certificates).
func (id *Identity) MerchantKeys(m Mode) *apiv3.MerchantKeys {
	k := &apiv3.MerchantKeys{
		MchID:      id.merchant.MchID,
		SerialNo:   id.merchant.SerialNo,
		APIv3Key:   id.merchant.APIv3Key,
		PrivateKey: id.merchant.PrivateKey,
	}
	if m != ModePlatformCertificate {
		k.PublicKeyID, k.PublicKey = id.publicKeyID, id.PublicKey()
	}
	return k
}

// Verifier returns the verifier a merchant in mode m builds to check the
// fake's answers and callbacks on the clock now: the public key in
// public-key mode, the platform certificates listed at now (the one that
// signs, and one a rotation replaced, until it expires) in
// platform-certificate mode, both during the switch.
func (id *Identity) Verifier(m Mode, now func() time.Time) (*apiv3.Verifier, error) {
	o := apiv3.VerifierOptions{Now: now}
	if m != ModePlatformCertificate {
		o.PublicKeyID, o.PublicKey = id.publicKeyID, id.PublicKey()
	}
	if m != ModePublicKey {
		at := time.Now
		if now != nil {
			at = now
		}
		for _, c := range id.PlatformCertificates(at()) {
			o.Certificates = append(o.Certificates, c.Cert)
		}
	}
	return apiv3.NewVerifier(o)
}

// Modes returns the modes.
func Modes() []Mode { return []Mode{ModePublicKey, ModePlatformCertificate, ModeSwitch} }

// ParseMode returns the mode named s.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("paykeys: mode %q: want %s, %s or %s", s, ModePublicKey, ModePlatformCertificate, ModeSwitch)
}

// switchShares are the public key's shares of callbacks on the 1st to the
// 7th day of the switch, as WeChat's staff gave them: 0.1 %, 1 %, 5 %,
// 10 %, 20 %, 50 %, then 100 % from the 7th day on.
var switchShares = [...]float64{0.001, 0.01, 0.05, 0.10, 0.20, 0.50, 1}

// PublicKeyShare returns the share of callbacks the public key signs at now
// during a switch that began at began: 0 before it began, then that of the
// day (the first 24 hours are the 1st day), 1 from the 7th day on.
func PublicKeyShare(began, now time.Time) float64 {
	if now.Before(began) {
		return 0
	}
	day := now.Sub(began) / (24 * time.Hour)
	if day >= time.Duration(len(switchShares)) {
		return 1
	}
	return switchShares[day]
}

// SigningOptions configures NewSigning.
type SigningOptions struct {
	// Identity holds the keys. Required.
	Identity *Identity
	// Mode is the mode to start in ("": ModePublicKey).
	Mode Mode
	// SwitchBegan is when the switch began, for ModeSwitch (the zero time:
	// required with ModeSwitch; SetMode stamps it later).
	SwitchBegan time.Time
	// Seed seeds the draws choosing a callback's key (0: random), so a run
	// can be replayed.
	Seed uint64
}

// Signing chooses the key that signs an answer or a callback, in the
// current mode. It is safe for concurrent use; the mode may change while
// it serves (SetMode).
type Signing struct {
	id *Identity

	mu    sync.Mutex // guards the fields below; a leaf
	mode  Mode
	began time.Time
	rng   *rand.Rand
}

// NewSigning returns a Signing, or an error saying what to give.
func NewSigning(o SigningOptions) (*Signing, error) {
	if o.Identity == nil {
		return nil, errors.New("paykeys: SigningOptions.Identity is nil: make one with Open")
	}
	if o.Mode == "" {
		o.Mode = ModePublicKey
	}
	if _, err := ParseMode(string(o.Mode)); err != nil {
		return nil, err
	}
	if o.Mode == ModeSwitch && o.SwitchBegan.IsZero() {
		return nil, errors.New("paykeys: SigningOptions.SwitchBegan is zero: say when the switch began (the public key's share of callbacks grows from that day)")
	}
	seed := o.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Signing{id: o.Identity, mode: o.Mode, began: o.SwitchBegan, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, nil
}

// Identity returns the keys.
func (s *Signing) Identity() *Identity { return s.id }

// Mode returns the mode and, in ModeSwitch, when the switch began.
func (s *Signing) Mode() (Mode, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode, s.began
}

// SetMode changes the mode at now; entering ModeSwitch begins the switch at
// now (staying in it keeps its start).
func (s *Signing) SetMode(m Mode, now time.Time) error {
	if _, err := ParseMode(string(m)); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m == ModeSwitch && s.mode != ModeSwitch {
		s.began = now
	}
	s.mode = m
	return nil
}

// Callback returns the signer of a callback sent at now: the mode's key,
// or during the switch the public key with PublicKeyShare's probability
// (drawn from the seeded generator) and the certificate otherwise.
func (s *Signing) Callback(now time.Time) *apiv3.Signer {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.mode {
	case ModePlatformCertificate:
		return s.id.PlatformSigner()
	case ModeSwitch:
		if s.rng.Float64() < PublicKeyShare(s.began, now) {
			return s.id.pubSigner
		}
		return s.id.PlatformSigner()
	}
	return s.id.pubSigner
}

// Answer returns the signer of the answer to a request whose
// Wechatpay-Serial header is requestSerial ("" when absent). Outside the
// switch the mode's key signs, whatever the request asks ("ignored unless
// the merchant has started the switch"); during it, the key the request
// names, the certificate by default ("不指定则默认平台证书").
func (s *Signing) Answer(requestSerial string) *apiv3.Signer {
	s.mu.Lock()
	mode := s.mode
	s.mu.Unlock()
	switch mode {
	case ModePlatformCertificate:
		return s.id.PlatformSigner()
	case ModeSwitch:
		if requestSerial == s.id.publicKeyID {
			return s.id.pubSigner
		}
		return s.id.PlatformSigner()
	}
	return s.id.pubSigner
}

package conformance

import "fmt"

// Plan names a suite of cases: which of WeChat's complaint systems the
// endpoint under test speaks.
type Plan string

// The plans.
const (
	// PlanV15 certifies an endpoint of the 2014 complaint system (V1.5):
	// signed XML notifications. It is the default ("" means it too).
	PlanV15 Plan = "v1.5"
	// PlanComplaints certifies a Complaints 2.0 callback endpoint (APIv3:
	// signed, encrypted JSON callbacks) and, with Options.API, the merchant's
	// use of the Complaints 2.0 API: docs/conformance.md, "The Complaints
	// 2.0 plan", lists its cases.
	PlanComplaints Plan = "complaints"
)

// Plans lists the plans.
func Plans() []Plan { return []Plan{PlanV15, PlanComplaints} }

// ParsePlan returns the plan named s ("" is PlanV15).
func ParsePlan(s string) (Plan, error) {
	if s == "" {
		return PlanV15, nil
	}
	for _, p := range Plans() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("conformance: plan %q: want %s (the 2014 notifications) or %s (Complaints 2.0)", s, PlanV15, PlanComplaints)
}

// orDefault is p, PlanV15 when p is "".
func (p Plan) orDefault() Plan {
	if p == "" {
		return PlanV15
	}
	return p
}

// KeyMode says which of WeChat's keys sign the merchant's Complaints 2.0
// callbacks (docs/apiv3.md, "Keys: the public key, certificates, and the
// switch"): the merchant's situation, which the suite plays.
type KeyMode string

// The key modes; their names are those of the fake WeChat's.
const (
	// KeyModePublicKey: the WeChat Pay public key signs every callback
	// (merchants opened recently have only this key).
	KeyModePublicKey KeyMode = "public-key"
	// KeyModePlatformCertificate: a platform certificate signs every
	// callback (the older way).
	KeyModePlatformCertificate KeyMode = "platform-certificate"
	// KeyModeSwitch: WeChat moves the merchant from the certificate to the
	// public key, and signs callbacks with either, the public key's share
	// rising day by day. The certificate signs by default. The default
	// mode: it needs the merchant to trust both keys, and the suite checks
	// both, and the mix.
	KeyModeSwitch KeyMode = "switch"
)

// KeyModes lists the key modes.
func KeyModes() []KeyMode {
	return []KeyMode{KeyModePublicKey, KeyModePlatformCertificate, KeyModeSwitch}
}

// ParseKeyMode returns the key mode named s ("" is KeyModeSwitch).
func ParseKeyMode(s string) (KeyMode, error) {
	if s == "" {
		return KeyModeSwitch, nil
	}
	for _, m := range KeyModes() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("conformance: key mode %q: want %s, %s or %s", s, KeyModePublicKey, KeyModePlatformCertificate, KeyModeSwitch)
}

// usesPublicKey and usesPlatform report whether WeChat signs with that
// key in mode m.
func (m KeyMode) usesPublicKey() bool { return m != KeyModePlatformCertificate }
func (m KeyMode) usesPlatform() bool  { return m != KeyModePublicKey }

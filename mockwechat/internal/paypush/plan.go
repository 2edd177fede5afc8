package paypush

import (
	"fmt"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// Plan is what a fault does to one attempt (the zero Plan: nothing). Its
// parts combine; Drop and OutOfOrder hold the attempt back, and the rest
// then waits for the attempt that is sent.
type Plan struct {
	Drop            bool          // the attempt is not sent; counted failed
	Delay           time.Duration // sent after this much real time
	HTTPStatus      int           // not used for callbacks (the merchant answers); reserved
	Duplicate       bool          // sent twice (two identical requests, concurrently)
	OutOfOrder      bool          // held back until the next callback of the complaint is sent
	TamperSignature bool          // signature bytes changed: the merchant must refuse it
	TamperBody      bool          // a byte of the ciphertext changed after signing
	Stale           time.Duration // Wechatpay-Timestamp this far in the past (e.g. 6m)
	UnknownMembers  bool          // extra unknown members in the envelope and the plaintext
	// ActionType overrides the plaintext's action_type (schema drift:
	// an unknown type, or USER_APPLY_PLATFORM_SERIVCE).
	ActionType complaints.ActionType
	OtherKey   bool // signed by a key the merchant does not know (unknown serial)
}

// String names the plan in the delivery log, its parts joined by "+":
// "drop", "delay 2s", "duplicate", "out-of-order", "tamper-signature",
// "tamper-body", "stale 6m0s", "unknown-members",
// "action-type USER_APPLY_PLATFORM_SERIVCE", "other-key"; "" for the zero
// Plan.
func (p Plan) String() string {
	var parts []string
	add := func(on bool, name string) {
		if on {
			parts = append(parts, name)
		}
	}
	add(p.Drop, "drop")
	add(p.Delay > 0, "delay "+p.Delay.String())
	add(p.Duplicate, "duplicate")
	add(p.OutOfOrder, "out-of-order")
	add(p.TamperSignature, "tamper-signature")
	add(p.TamperBody, "tamper-body")
	add(p.Stale > 0, "stale "+p.Stale.String())
	add(p.UnknownMembers, "unknown-members")
	add(p.ActionType != "", "action-type "+string(p.ActionType))
	add(p.OtherKey, "other-key")
	return strings.Join(parts, "+")
}

// mustRefuse reports whether a verifying merchant must refuse an attempt
// carrying the plan: its signature cannot verify, or its timestamp is
// outside the 5 minutes the SDKs allow.
func (p Plan) mustRefuse() bool {
	return p.TamperSignature || p.TamperBody || p.OtherKey || p.Stale >= 5*time.Minute
}

// Ladder returns the Complaints 2.0 retry ladder (docs/complaints-v3.md,
// "Retries and duplicates"): the delay before each retry of a failed
// callback, 5 s once, 1 minute ten times, then every 5 minutes, 1000
// retries in all (about 82 hours: within the week WeChat states).
func Ladder() []time.Duration {
	const retries = 1000
	l := make([]time.Duration, 0, retries)
	l = append(l, 5*time.Second)
	for range 10 {
		l = append(l, time.Minute)
	}
	for len(l) < retries {
		l = append(l, 5*time.Minute)
	}
	return l
}

// MinProbeEvery is the shortest interval of scheduled SIGNTEST probes: a
// shorter one would flood a virtual clock's Advance with probes.
const MinProbeEvery = time.Minute

// CheckProbeEvery refuses an interval of scheduled probes other than 0
// (none) or at least MinProbeEvery.
func CheckProbeEvery(d time.Duration) error {
	if d < 0 || (d > 0 && d < MinProbeEvery) {
		return fmt.Errorf("SIGNTEST probes every %s: want 0 (none) or at least %s", d, MinProbeEvery)
	}
	return nil
}

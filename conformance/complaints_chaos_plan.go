package conformance

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// The Complaints 2.0 chaos campaign's plan: for each genuine complaint,
// what the network and WeChat's retries do to its callbacks, and which
// hostile copies an attacker or WeChat's probes mix in. The plan is drawn
// from the seed alone, in complaint order, so one seed always plays one
// campaign; only the interleaving of complaints played at once, and the
// nonces of the signatures, vary.

// payChaosComplaint is the plan of one complaint.
type payChaosComplaint struct {
	// millis writes create_time with milliseconds.
	millis bool
	// dupFirst: an exact copy of the CREATE_COMPLAINT (the same bytes and
	// headers) arrives before the delivery WeChat tracks, as a network
	// duplicate would. dupAlong: WeChat's copy, signed and encrypted anew
	// under the same notification id, arrives at the same time. dupAfter:
	// WeChat's retry of it arrives after the acknowledgement, as when the
	// answer was lost on the way back.
	dupFirst, dupAlong, dupAfter bool
	// probe sends a WECHATPAY/SIGNTEST/ copy of the CREATE_COMPLAINT (under
	// its notification id), before it when probeFirst.
	probe, probeFirst bool
	// forged lists forgeries (payForgeries) of the CREATE_COMPLAINT, under
	// its notification id, each sent before it (an attacker who got there
	// first) or after it, as forgedFirst says.
	forged      []int
	forgedFirst bool
	// stale sends the CREATE_COMPLAINT stamped Options.StaleAge ago
	// (validly signed, under its notification id), before it when
	// staleFirst.
	stale, staleFirst bool
	// userResponse follows the complaint with a USER_RESPONSE, which
	// arrives before the CREATE_COMPLAINT when reordered.
	userResponse, reordered bool
	// resolved: once the CREATE_COMPLAINT is acknowledged, the complaint
	// becomes PROCESSED at WeChat (with an Observer), its REFUND_SUCCESS is
	// delivered, then a USER_RESPONSE created a minute before it.
	resolved bool
	// pause is a real pause before the complaint starts, so that
	// complaints played at once interleave differently.
	pause time.Duration
}

// payForgeries are the forged copies of a callback, each kept under the
// genuine callback's notification id.
var payForgeries = []struct {
	what string
	spec func(payCallbackSpec) payCallbackSpec
	// tamper alters the genuine callback's body after it was signed.
	tamper bool
}{
	{what: "a copy whose body was altered after it was signed", tamper: true},
	{what: "a copy signed with another key", spec: func(s payCallbackSpec) payCallbackSpec { s.signer = signByOther; return s }},
	{what: "a copy under a serial that names no key", spec: func(s payCallbackSpec) payCallbackSpec { s.serial = unknownSerialOf(s.id); return s }},
}

// unknownSerialOf is a platform certificate's serial that no key of the
// run has, made from a notification id.
func unknownSerialOf(id string) string {
	var sum uint64
	for _, b := range []byte(id) {
		sum = sum*131 + uint64(b)
	}
	return fmt.Sprintf("5E%038X", sum)
}

// payChaosPlan draws the plan of n complaints from seed.
func payChaosPlan(seed uint64, n int) []payChaosComplaint {
	rng := rand.New(rand.NewPCG(seed, seed^0xbb67ae8584caa73b))
	chance := func(p float64) bool { return rng.Float64() < p }
	plan := make([]payChaosComplaint, n)
	for i := range plan {
		c := &plan[i]
		c.millis = chance(0.3)
		c.dupFirst = chance(0.1)
		c.dupAlong = chance(0.2)
		c.dupAfter = chance(0.2)
		if c.probe = chance(0.1); c.probe {
			c.probeFirst = chance(0.5)
		}
		if chance(0.25) {
			for range 1 + rng.IntN(2) {
				c.forged = append(c.forged, rng.IntN(len(payForgeries)))
			}
			c.forgedFirst = chance(0.3)
		}
		if c.stale = chance(0.15); c.stale {
			c.staleFirst = chance(0.5)
		}
		switch r := rng.Float64(); {
		case r < 0.25:
			c.userResponse = true
			c.reordered = chance(0.4)
		case r < 0.4:
			c.resolved = true
		}
		if chance(0.05) {
			c.pause = time.Duration(rng.IntN(2000)) * time.Microsecond
		}
	}
	return plan
}

// payRetryLadder is the delays between the deliveries of a refused
// callback, as the Complaints 2.0 page (2023-06-06) gives them: 5 s once,
// every minute ten times, then every 5 minutes, up to 1000 tries
// (docs/complaints-v3.md, "Retries and duplicates"); a week would come
// later, so the tries end it.
func payRetryLadder() []time.Duration {
	const tries = 1000
	ladder := make([]time.Duration, 0, tries-1)
	ladder = append(ladder, 5*time.Second)
	for range 10 {
		ladder = append(ladder, time.Minute)
	}
	for len(ladder) < tries-1 {
		ladder = append(ladder, 5*time.Minute)
	}
	return ladder
}

// payChaosCounts counts the deliveries of a campaign, by kind, and the
// refusals of genuine ones that asked to come back later (pushedBack).
type payChaosCounts struct {
	genuine, stateChanges, reordered, retries, pushedBack int
	duplicates, concurrent, probes, forged, stale         int
	signatures                                            int64
}

func (c payChaosCounts) String() string {
	return fmt.Sprintf("%d deliveries: %d genuine callbacks (%d state changes, %d reordered), %d retries (%d after back-pressure), %d duplicates (%d concurrent), %d probes, %d forged, %d stale; %d RSA signatures",
		c.genuine+c.retries+c.duplicates+c.probes+c.forged+c.stale, c.genuine, c.stateChanges, c.reordered, c.retries, c.pushedBack,
		c.duplicates, c.concurrent, c.probes, c.forged, c.stale, c.signatures)
}

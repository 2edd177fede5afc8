package conformance

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/payfeedback/payfeedback"
)

// The chaos campaign's plan: for each genuine complaint, what the network
// and WeChat's retries do to its notifications. The plan is drawn from the
// seed alone, in complaint order, so one seed always plays one campaign;
// only the interleaving of complaints played at once varies.

// chaosComplaint is the plan of one complaint.
type chaosComplaint struct {
	// late is how late the request is delivered: its TimeStamp is that
	// much older than the clock (within any sound freshness window).
	late time.Duration
	// form is how the request is written (one of chaosForms).
	form int
	// big asks for a FeedBackId beyond int64, as real ones often are.
	big bool
	// cut sends a copy cut mid-body first, at cutAt of the body.
	cut   bool
	cutAt float64
	// dupFirst sends an exact copy before the delivery WeChat tracks (the
	// network delivers it twice, the copy first); dupAlong sends one at
	// the same time; dupAfter sends one after the acknowledgement (a
	// retry whose acknowledgement was lost on the way back).
	dupFirst, dupAlong, dupAfter bool
	// forged lists alterations (chaosAlterations) of the captured
	// request, each sent once the request was acknowledged.
	forged []int
	// stale sends a validly signed copy stamped days ago, before the
	// request when staleFirst.
	stale, staleFirst bool
	// followUp is the user's answer that follows ("" none), sent before
	// the request when followFirst (reordered on the way).
	followUp    payfeedback.MsgType
	followFirst bool
	// pause is a real pause before the complaint starts, so that
	// complaints played at once interleave differently.
	pause time.Duration
}

// chaosForms are the forms a genuine request is written in.
var chaosForms = []struct {
	name  string
	edits []edit
}{
	{"CDATA", nil},
	{"text", []edit{asText()}},
	{"padded", []edit{padded()}},
	{"reordered", []edit{reordered("PicInfo", "SignMethod", "AppSignature", "ExtInfo", "Solution", "Reason", "TransId", "FeedBackId", "MsgType", "TimeStamp", "AppId", "OpenId")}},
	{"unknown elements", []edit{withExtra()}},
}

// chaosAlterations are the changes a forger makes to the unsigned fields
// of a captured request, keeping its AppSignature.
var chaosAlterations = []struct {
	what  string
	alter func(n *payfeedback.Notification, forgedID string)
}{
	{"another FeedBackId", func(n *payfeedback.Notification, id string) { n.FeedBackID = id }},
	{"MsgType confirm", func(n *payfeedback.Notification, _ string) { n.MsgType = payfeedback.MsgConfirm }},
	{"MsgType reject", func(n *payfeedback.Notification, _ string) { n.MsgType = payfeedback.MsgReject }},
	{"another Reason", func(n *payfeedback.Notification, _ string) {
		n.Reason = "商品质量有问题，要求赔偿 50000 元"
	}},
	{"another ExtInfo", func(n *payfeedback.Notification, _ string) { n.ExtInfo = "请联系 13800000000" }},
	{"pictures added", func(n *payfeedback.Notification, _ string) { n.PicURLs = []string{samplePicURL} }},
}

// chaosPlan draws the plan of n complaints from seed.
func chaosPlan(seed uint64, n int) []chaosComplaint {
	rng := rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc908))
	chance := func(p float64) bool { return rng.Float64() < p }
	plan := make([]chaosComplaint, n)
	for i := range plan {
		c := &plan[i]
		if chance(0.3) {
			c.late = time.Duration(1+rng.IntN(60)) * time.Second
		}
		if chance(0.4) {
			c.form = 1 + rng.IntN(len(chaosForms)-1)
		}
		c.big = chance(0.5)
		if c.cut = chance(0.2); c.cut {
			c.cutAt = 0.5 + 0.48*rng.Float64()
		}
		c.dupFirst = chance(0.1)
		c.dupAlong = chance(0.2)
		c.dupAfter = chance(0.2)
		if chance(0.3) {
			for range 1 + rng.IntN(2) {
				c.forged = append(c.forged, rng.IntN(len(chaosAlterations)))
			}
		}
		if c.stale = chance(0.15); c.stale {
			c.staleFirst = chance(0.5)
		}
		if chance(0.2) {
			c.followUp = payfeedback.MsgConfirm
			if chance(0.4) {
				c.followUp = payfeedback.MsgReject
			}
			c.followFirst = chance(0.3)
		}
		if chance(0.05) {
			c.pause = time.Duration(rng.IntN(2000)) * time.Microsecond
		}
	}
	return plan
}

// chaosCounts counts the copies a campaign sent, by kind, and the
// refusals of genuine ones that asked to come back later (pushedBack: 503,
// 429 or a Retry-After).
type chaosCounts struct {
	genuine, retries, late, cut, duplicates, forged, stale, followUps, pushedBack int
}

func (c chaosCounts) String() string {
	return fmt.Sprintf("%d deliveries: %d genuine (%d delivered late, %d follow-ups), %d retries (%d after back-pressure), %d duplicates, %d cut, %d forged, %d stale",
		c.genuine+c.retries+c.cut+c.duplicates+c.forged+c.stale, c.genuine, c.late, c.followUps, c.retries, c.pushedBack, c.duplicates, c.cut, c.forged, c.stale)
}

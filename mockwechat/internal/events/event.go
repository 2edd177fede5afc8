package events

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// Event is one thing that happened in the fake: a change of the world, a
// push attempt, an API call, a move of the clock or a change of the
// Complaints 2.0 world. Exactly one of Change, Push, Call, Clock and Pay is
// set, as Kind says. An event's slices and maps
// are shared by every subscriber: read them, don't change them.
type Event struct {
	// Seq numbers the events published while someone subscribes, from 1;
	// a gap in what a subscription receives means it dropped events.
	Seq uint64 `json:"seq"`
	// Time is when it happened, on the fake's clock.
	Time time.Time `json:"time"`
	Kind Kind      `json:"kind"`

	Change *Change       `json:"change,omitempty"`
	Push   *push.Report  `json:"push,omitempty"`
	Call   *calllog.Call `json:"call,omitempty"`
	Clock  *ClockMove    `json:"clock,omitempty"`
	// Pay is a change of the Complaints 2.0 world (KindPay).
	Pay *payworld.Change `json:"pay,omitempty"`
	// PayCallback is a Complaints 2.0 callback queued, attempted,
	// delivered or failed (KindPayCallback).
	PayCallback *paypush.Report `json:"pay_callback,omitempty"`
}

// Kind says what an event is about.
type Kind string

// The kinds of events.
const (
	// KindComplaint: a complaint was filed or changed (Change).
	KindComplaint Kind = "complaint"
	// KindWorld: an account, user, order, message or media changed
	// (Change).
	KindWorld Kind = "world"
	// KindPush: a push attempt is sent, answered or held back (Push).
	KindPush Kind = "push"
	// KindCall: an API call was answered (Call).
	KindCall Kind = "call"
	// KindClock: the virtual clock moved (Clock).
	KindClock Kind = "clock"
	// KindPay: a Complaints 2.0 complaint, merchant or callback URL
	// changed (Pay).
	KindPay Kind = "pay"
	// KindPayCallback: a Complaints 2.0 callback or probe was queued,
	// attempted, delivered or failed (PayCallback).
	KindPayCallback Kind = "pay-callback"
)

// numKinds is how many kinds there are; allKinds has the bit of each.
const (
	numKinds = 7
	allKinds = 1<<numKinds - 1
)

// index numbers the kinds from 0; -1 for an unknown one.
func (k Kind) index() int {
	switch k {
	case KindComplaint:
		return 0
	case KindWorld:
		return 1
	case KindPush:
		return 2
	case KindCall:
		return 3
	case KindClock:
		return 4
	case KindPay:
		return 5
	case KindPayCallback:
		return 6
	}
	return -1
}

// bit is the kind's bit in a set of kinds; 0 for an unknown one.
func (k Kind) bit() uint32 {
	if i := k.index(); i >= 0 {
		return 1 << i
	}
	return 0
}

// kindsMask is the set of kinds; empty means every kind.
func kindsMask(kinds []Kind) uint32 {
	if len(kinds) == 0 {
		return allKinds
	}
	var m uint32
	for _, k := range kinds {
		m |= k.bit()
	}
	return m
}

// ClockMove is a move of the virtual clock.
type ClockMove struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// String renders the event as one line of a live log:
//
//	--> push request 1086… to http://127.0.0.1:8000/payfeedback (attempt 1/16)
//	<-- 401 "AppSignature does not match" in 2 ms; next attempt in 15s
//	API GET /payfeedback/update errcode=0 openid=o-demo feedbackid=1086… 1 ms
func (e Event) String() string {
	switch {
	case e.Change != nil:
		return e.Change.String()
	case e.Push != nil:
		return pushLine(e.Push)
	case e.Call != nil:
		return callLine(e.Call)
	case e.Clock != nil:
		return fmt.Sprintf("clock %s → %s (+%s)", e.Clock.From.UTC().Format(time.RFC3339),
			e.Clock.To.UTC().Format(time.RFC3339), e.Clock.To.Sub(e.Clock.From))
	case e.Pay != nil:
		return payLine(e.Pay)
	case e.PayCallback != nil:
		return payCallbackLine(e.PayCallback)
	}
	return fmt.Sprintf("event %d (%s)", e.Seq, e.Kind)
}

// String renders the change for a live log.
func (c Change) String() string {
	if c.Complaint() {
		s := "complaint " + short(c.FeedBackID) + " " + strings.TrimPrefix(string(c.What), "complaint-")
		if c.What == ComplaintFiled {
			s += " by " + c.OpenID
		}
		return s + " (" + c.State + ")"
	}
	switch c.What {
	case AccountAdded, AccountChanged:
		return "account " + c.AppID + " " + strings.TrimPrefix(string(c.What), "account-")
	case UserInteracted:
		return "user " + c.OpenID + " interacted with " + c.AppID
	case OrderAdded:
		return "order " + short(c.TransID) + " paid by " + c.OpenID
	case OrderShipped:
		return "order " + short(c.TransID) + " delivery reported"
	case MessageDelivered:
		return "message delivered to " + c.OpenID
	case WorldReset:
		return "world reset to its start state"
	}
	return string(c.What) + " " + c.AppID
}

func pushLine(r *push.Report) string {
	extra := ""
	if r.Fault != "" {
		extra = ", " + r.Fault
	}
	switch r.Phase {
	case push.Sending:
		return fmt.Sprintf("--> push %s %s to %s (attempt %d/%d%s)", r.MsgType, short(r.FeedBackID), r.URL, r.Number, r.Of, extra)
	case push.Held:
		return fmt.Sprintf("--- push %s %s held back: %s", r.MsgType, short(r.FeedBackID), r.Fault)
	}
	var b strings.Builder
	a := r.Attempt
	switch {
	case a == nil:
		b.WriteString("<-- ?")
	case a.Status == 0:
		// the URL is on the --> line: keep the error's own words, whole
		// (a refused target's says what to set)
		msg := strings.TrimPrefix(a.Err, "Post "+strconv.Quote(r.URL)+": ")
		fmt.Fprintf(&b, "<-- error %q in %d ms", msg, a.Latency.Milliseconds())
	default:
		fmt.Fprintf(&b, "<-- %d %q in %d ms", a.Status, text.Clip(strings.TrimSpace(a.Response), 80), a.Latency.Milliseconds())
		if a.Err != "" { // what the fake made of the answer: a strict ack, a TimeStamp refused
			b.WriteString("; " + a.Err)
		}
	}
	if a != nil && a.Fault != "" {
		b.WriteString(" (" + a.Fault + ")")
	}
	switch {
	case r.Delivered:
		b.WriteString("; delivered")
	case r.Failed:
		fmt.Fprintf(&b, "; failed after %d attempts", r.Number)
	case !r.NextAttempt.IsZero() && a != nil:
		fmt.Fprintf(&b, "; next attempt in %s", r.NextAttempt.Sub(a.Time))
	}
	return b.String()
}

// payLine renders a Complaints 2.0 change:
//
//	2.0 complaint 2005… filed (PENDING)
//	2.0 complaint 2005… USER_RESPONSE (PROCESSING)
//	2.0 merchant 1900000109 callback URL changed
func payLine(c *payworld.Change) string {
	switch c.What {
	case payworld.ComplaintFiled:
		return "2.0 complaint " + short(c.ComplaintID) + " filed (" + string(c.State) + ")"
	case payworld.ComplaintChanged:
		return "2.0 complaint " + short(c.ComplaintID) + " " + string(c.Operate) + " (" + string(c.State) + ")"
	case payworld.NotifyURLChanged:
		return "2.0 merchant " + c.MchID + " callback URL changed"
	case payworld.MerchantAdded, payworld.MerchantChanged:
		return "2.0 merchant " + c.MchID + " " + strings.TrimPrefix(string(c.What), "pay-merchant-")
	case payworld.ImageUploaded:
		return "2.0 merchant " + c.MchID + " uploaded an image"
	case payworld.WorldRestored:
		return "2.0 world restored"
	}
	return "2.0 " + string(c.What) + " " + c.MchID
}

// payCallbackLine renders a Complaints 2.0 callback's progress:
//
//	==> 2.0 callback USER_RESPONSE 2005… to https://m.example/cb (attempt 1/1001)
//	<== 2.0 callback 204 acknowledged in 3 ms
func payCallbackLine(r *paypush.Report) string {
	what := "callback " + string(r.Delivery.ActionType) + " " + short(r.Delivery.ComplaintID)
	if r.Delivery.Probe {
		what = "probe (SIGNTEST) to " + r.Delivery.MchID
	}
	switch r.Phase {
	case paypush.PhaseQueued:
		return fmt.Sprintf("... 2.0 %s queued (attempt %d/%d)", what, r.Delivery.N, r.Delivery.Of)
	case paypush.PhaseHeld:
		return "--- 2.0 " + what + " held back (out of order)"
	case paypush.PhaseDelivered:
		return "<== 2.0 " + what + " delivered"
	case paypush.PhaseFailed:
		return "<== 2.0 " + what + " failed"
	}
	a := r.Attempt
	if a == nil {
		return "==> 2.0 " + what
	}
	var b strings.Builder
	fmt.Fprintf(&b, "==> 2.0 %s to %s (attempt %d/%d", what, a.URL, r.Delivery.N, r.Delivery.Of)
	if a.Fault != "" {
		b.WriteString(", " + a.Fault)
	}
	b.WriteString("): ")
	if a.Status != 0 {
		fmt.Fprintf(&b, "%d ", a.Status)
	}
	b.WriteString(a.Verdict)
	if a.Err != "" {
		fmt.Fprintf(&b, " %q", text.Clip(a.Err, 120))
	}
	if a.Wrong {
		b.WriteString(" (wrong: a verifying merchant refuses it)")
	}
	fmt.Fprintf(&b, " in %d ms", a.Latency.Milliseconds())
	return b.String()
}

func callLine(c *calllog.Call) string {
	var b strings.Builder
	if c.MchID != "" || strings.HasPrefix(c.Endpoint, "/v3/") {
		fmt.Fprintf(&b, "API %s %s %d", c.Method, c.Endpoint, c.Status)
		if c.MchID != "" {
			b.WriteString(" mchid=" + text.Clip(c.MchID, 32))
		}
		if c.Code != "" {
			b.WriteString(" code=" + text.Clip(c.Code, 32))
		}
		for _, w := range c.Warnings {
			b.WriteString(" warning: " + w)
		}
		fmt.Fprintf(&b, " %d ms", c.Latency.Milliseconds())
		return b.String()
	}
	fmt.Fprintf(&b, "API %s %s errcode=%d", c.Method, c.Endpoint, c.ErrCode)
	for _, k := range []string{"appid", "openid", "feedbackid", "type"} {
		if v := c.Query.Get(k); v != "" {
			if k == "feedbackid" {
				v = short(v)
			}
			fmt.Fprintf(&b, " %s=%s", k, text.Clip(v, 32))
		}
	}
	if c.Fault != "" {
		b.WriteString(" fault=" + c.Fault)
	}
	fmt.Fprintf(&b, " %d ms", c.Latency.Milliseconds())
	return b.String()
}

// short shows the start of a long id.
func short(id string) string {
	if len(id) <= 6 {
		return id
	}
	return id[:4] + "…"
}

package mockwechat

import (
	"slices"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payapi"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// consolePay is the Server as the console reads its Complaints 2.0 (given
// only when the fake plays it: s.pay is set).
type consolePay struct{ s *Server }

func (b consolePay) PayComplaintsPage(after string, limit int, match func(*payworld.Complaint) bool) ([]payworld.Complaint, error) {
	return b.s.pay.world.Complaints(after, limit, match)
}

func (b consolePay) PayComplaint(id string) (payworld.Complaint, bool) {
	return b.s.pay.world.Complaint(id)
}

func (b consolePay) PayMerchants() []payworld.Merchant { return b.s.pay.world.Merchants() }

func (b consolePay) PaySigning() *paykeys.Signing { return b.s.pay.signing }

func (b consolePay) PayProbeEvery() time.Duration { return b.s.pay.probes.interval() }

func (b consolePay) PayKeysDir() string { return b.s.pay.keysDir }

func (b consolePay) PayDeliveriesOf(match func(*paypush.Delivery) bool) []paypush.Delivery {
	return b.s.pay.callbacks.DeliveriesOf(match)
}

func (b consolePay) PayPendingCallbacks() int { return b.s.pay.callbacks.Pending() }

func (b consolePay) PaySignFailures(limit int) []payapi.Call { return b.s.pay.signFails.latest(limit) }

// signFailureLog keeps the newest /v3/ calls refused for their
// Authorization, with WeChat's reconstruction of the string to sign, for
// the console's signature failures page (the call log keeps the answer,
// not the Authorization received nor the string rebuilt). Bounded in
// count and, per call, in bytes. The zero value is ready.
type signFailureLog struct {
	mu    sync.Mutex
	calls []payapi.Call // oldest first
}

const (
	// signFailuresKept is how many failures the log keeps.
	signFailuresKept = 50
	// signFailureExcerpt bounds each text a failure keeps (body, answer,
	// the string to sign, the header).
	signFailureExcerpt = 8 << 10
)

// add keeps c when its Authorization was refused.
func (l *signFailureLog) add(c payapi.Call) {
	if c.SignFailure == nil {
		return
	}
	f := *c.SignFailure
	f.Expected, f.Authorization = text.Clip(f.Expected, signFailureExcerpt), text.Clip(f.Authorization, signFailureExcerpt)
	c.SignFailure = &f
	c.Body = []byte(text.Clip(string(c.Body), signFailureExcerpt))
	c.Answer = []byte(text.Clip(string(c.Answer), signFailureExcerpt))
	c.Warnings = slices.Clone(c.Warnings)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.calls) == signFailuresKept {
		l.calls = slices.Delete(l.calls, 0, 1)
	}
	l.calls = append(l.calls, c)
}

// latest returns copies of the newest failures, at most limit, oldest
// first.
func (l *signFailureLog) latest(limit int) []payapi.Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.calls[max(0, len(l.calls)-limit):])
	for i := range out {
		f := *out[i].SignFailure
		out[i].SignFailure = &f
		out[i].Body, out[i].Answer, out[i].Warnings = slices.Clone(out[i].Body), slices.Clone(out[i].Answer), slices.Clone(out[i].Warnings)
	}
	return out
}

// clear forgets every failure (the fake's Reset).
func (l *signFailureLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = nil
}

package mockwechat

import (
	"context"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// adminBackend is the Server as the admin API drives it, in the types of
// the fake's parts (the admin API writes them as JSON): its Go API, and
// the paged listings only the admin API offers.
type adminBackend struct{ s *Server }

func (b adminBackend) Now() time.Time { return b.s.Now() }

func (b adminBackend) VirtualClock() *clock.Virtual { return b.s.sched.Virtual() }

func (b adminBackend) Accounts() []world.Account { return b.s.world.Accounts() }

func (b adminBackend) AddAccount(a world.Account) error { return b.s.addAccount(a) }

func (b adminBackend) PatchAccount(appID string, p world.AccountPatch) (world.Account, error) {
	return b.s.patchAccount(appID, p)
}

func (b adminBackend) RecordInteraction(in world.Interaction) (world.User, error) {
	return b.s.recordInteraction(in)
}

func (b adminBackend) AppID(appID string) (string, error) {
	a, err := b.s.world.Account(appID)
	return a.AppID, err
}

func (b adminBackend) User(appID, openID string) (world.User, bool) {
	return b.s.world.User(appID, openID)
}

func (b adminBackend) Inbox(openID string) []world.Message { return b.s.world.Inbox(openID) }

func (b adminBackend) InboxOf(appID, openID string) []world.Message {
	return b.s.world.InboxOf(appID, openID)
}

func (b adminBackend) AddOrder(o world.Order) (world.Order, error) { return b.s.addOrder(o) }

func (b adminBackend) Order(transID string) (world.Order, bool) { return b.s.world.Order(transID) }

func (b adminBackend) AddMedia(appID, kind string) (world.Media, error) {
	return b.s.addMedia(appID, kind)
}

func (b adminBackend) FileComplaint(ctx context.Context, spec world.ComplaintSpec) (world.Complaint, error) {
	return b.s.fileComplaint(ctx, spec)
}

func (b adminBackend) ResolveComplaint(id string) (string, error) {
	return b.s.world.ResolveComplaint(id)
}

func (b adminBackend) Complaint(feedbackID string) (world.Complaint, bool) {
	return b.s.world.Complaint(feedbackID)
}

func (b adminBackend) ComplaintsPage(after string, limit int, match func(*world.Complaint) bool) ([]world.Complaint, error) {
	return b.s.world.Complaints(after, limit, match)
}

func (b adminBackend) WaitForComplaint(ctx context.Context, feedbackID string, match func(world.Complaint) bool) (world.Complaint, error) {
	return b.s.waitForComplaint(ctx, feedbackID, match)
}

func (b adminBackend) Confirm(ctx context.Context, feedbackID string) error {
	return b.s.Confirm(ctx, feedbackID)
}

func (b adminBackend) RejectWithReason(ctx context.Context, feedbackID, reason string) error {
	return b.s.RejectWithReason(ctx, feedbackID, reason)
}

func (b adminBackend) RequestArbitration(ctx context.Context, feedbackID string) error {
	return b.s.RequestArbitration(ctx, feedbackID)
}

func (b adminBackend) SubmitEvidence(ctx context.Context, feedbackID, note string, picURLs []string) error {
	return b.s.SubmitEvidence(ctx, feedbackID, note, picURLs)
}

func (b adminBackend) Arbitrate(ctx context.Context, feedbackID string, forUser bool) error {
	return b.s.Arbitrate(ctx, feedbackID, forUser)
}

func (b adminBackend) AddFault(f fault.Fault) error {
	return b.s.addFault(f)
}

func (b adminBackend) Faults() []fault.Fault { return b.s.faults.List() }

func (b adminBackend) RemoveFault(id uint64) error { return b.s.RemoveFault(id) }

func (b adminBackend) ClearFaults() { b.s.ClearFaults() }

func (b adminBackend) CallsPage(since uint64, limit int) ([]calllog.Call, uint64) {
	return b.s.calls.Since(since, limit)
}

func (b adminBackend) CallStats(match func(calllog.Call) bool) map[payfeedback.ErrorCode]int {
	return b.s.calls.Stats(match)
}

func (b adminBackend) ClearCalls() { b.s.ClearCalls() }

func (b adminBackend) WaitForCallSince(ctx context.Context, since uint64, match func(calllog.Call) bool) (calllog.Call, error) {
	return b.s.waitForCallSince(ctx, since, match)
}

func (b adminBackend) Deliveries() []push.Delivery { return b.s.push.Deliveries() }

func (b adminBackend) WaitForDelivery(ctx context.Context, match func(push.Delivery) bool) (push.Delivery, error) {
	return b.s.waitForDelivery(ctx, match)
}

func (b adminBackend) WaitIdle(ctx context.Context) error { return b.s.waitIdle(ctx) }

func (b adminBackend) PendingDeliveries() int { return b.s.push.Pending() }

func (b adminBackend) Reset(ctx context.Context) error { return b.s.Reset(ctx) }

func (b adminBackend) Snapshot(format string, omitSecrets bool) ([]byte, error) {
	if omitSecrets {
		return MarshalScenario(b.s.SnapshotWithoutSecrets(), format)
	}
	return MarshalScenario(b.s.Snapshot(), format)
}

// consoleBackend is the Server as the web console reads it.
type consoleBackend struct{ adminBackend }

func (b consoleBackend) MessageWindow() time.Duration { return b.s.set.MessageWindow }

func (b consoleBackend) DeliveriesOf(match func(*push.Delivery) bool) []push.Delivery {
	return b.s.push.DeliveriesOf(match)
}

func (b consoleBackend) LatestCalls(f calllog.Filter, limit int) []calllog.Call {
	return b.s.calls.Latest(f, limit)
}

// payBackend is the Server as the admin API drives its Complaints 2.0.
type payBackend struct{ s *Server }

func (b payBackend) PayMerchants() ([]admin.PayMerchant, error) {
	p, err := b.s.payOn()
	if err != nil {
		return nil, err
	}
	var out []admin.PayMerchant
	for _, m := range p.world.Merchants() {
		if pm, ok := p.merchant(m.MchID); ok {
			out = append(out, payMerchantToAdmin(pm))
		}
	}
	return out, nil
}

func (b payBackend) SetPayMode(mode string) error { return b.s.SetPayMode(PayMode(mode)) }

func (b payBackend) SetPayProbeEvery(d time.Duration) error { return b.s.SetPayProbeEvery(d) }

func (b payBackend) SetPayNotifyURL(mchid, url string) error { return b.s.SetPayNotifyURL(mchid, url) }

func (b payBackend) FilePayComplaint(ctx context.Context, spec payworld.FileSpec) (payworld.Complaint, error) {
	return b.s.filePay(ctx, spec)
}

func (b payBackend) PayComplaintsPage(after string, limit int, match func(*payworld.Complaint) bool) ([]payworld.Complaint, error) {
	p, err := b.s.payOn()
	if err != nil {
		return nil, err
	}
	return p.world.Complaints(after, limit, match)
}

func (b payBackend) PayComplaint(id string) (payworld.Complaint, bool) {
	p, err := b.s.payOn()
	if err != nil {
		return payworld.Complaint{}, false
	}
	return p.world.Complaint(id)
}

func (b payBackend) PayAct(ctx context.Context, id, act, text, reason string) (payworld.Complaint, error) {
	return b.s.payAct(ctx, id, PayAct(act), PayActInput{Text: text, Reason: reason})
}

func (b payBackend) PayDeliveries() ([]paypush.Delivery, error) {
	p, err := b.s.payOn()
	if err != nil {
		return nil, err
	}
	return p.callbacks.Deliveries(), nil
}

func (b payBackend) WaitForPayDelivery(ctx context.Context, match func(paypush.Delivery) bool) (paypush.Delivery, error) {
	p, err := b.s.payOn()
	if err != nil {
		return paypush.Delivery{}, err
	}
	return events.Wait(ctx, b.s.feed, func() (paypush.Delivery, bool, error) {
		for _, d := range p.callbacks.Deliveries() {
			if match(d) {
				return d, true, nil
			}
		}
		return paypush.Delivery{}, false, nil
	})
}

func (b payBackend) PayResend(id string) (string, error) { return b.s.PayResend(id) }

func (b payBackend) PayProbe(mchid string) (string, error) { return b.s.PayProbe(mchid) }

func (b payBackend) RotatePayCertificate() (admin.PayMerchant, error) {
	m, err := b.s.RotatePayCertificate()
	return payMerchantToAdmin(m), err
}

func (b payBackend) PayTrigger(ctx context.Context, t admin.PayTrigger) (string, complaints.ActionType, payworld.Complaint, error) {
	return b.s.payTrigger(ctx, t.ComplaintID, PayAct(t.Act), PayActInput{Text: t.Text, Reason: t.Reason}, t.ActionType, t.Plan)
}

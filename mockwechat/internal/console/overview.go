package console

import (
	"net/http"
	"slices"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"

	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// overviewData is the overview: the accounts, the counts of complaints,
// the deliveries that fail.
type overviewData struct {
	Accounts []world.Account
	Counts   counts
	Failing  []push.Delivery
	// FailingMore is how many failing deliveries are not shown.
	FailingMore int
	Pending     int
	Faults      int
	// Pay is the Complaints 2.0 card, nil when the fake does not play it.
	Pay *payOverview
}

// payOverview is the overview's Complaints 2.0 card.
type payOverview struct {
	Total, Pending, Processing, Processed, PlatformService, UserWaits int
	// Callbacks pending delivery, and those whose last attempt failed.
	CallbacksPending, CallbacksFailing int
	SignFailures                       int
	Mode                               string
	// NoURL lists the merchants without a callback URL.
	NoURL []string
}

// counts are the complaints by state and mark.
type counts struct {
	Total, Filed, Handled, Rejected, Confirmed, Overdue, Arbitration, Open int
}

// maxFailing is how many failing deliveries the overview lists.
const maxFailing = 20

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	d := overviewData{Pending: h.b.PendingDeliveries(), Faults: len(h.b.Faults())}
	for _, a := range h.b.Accounts() {
		d.Accounts = append(d.Accounts, a.Masked())
	}
	d.Counts = h.count()
	if h.pay != nil {
		d.Pay = h.payOverview()
	}
	// failing: not delivered, and the last attempt did not succeed
	d.Failing = h.b.DeliveriesOf(func(d *push.Delivery) bool {
		return !d.Delivered && len(d.Attempts) > 0 && !d.Attempts[len(d.Attempts)-1].OK
	})
	slices.Reverse(d.Failing) // newest first
	if len(d.Failing) > maxFailing {
		d.FailingMore = len(d.Failing) - maxFailing
		d.Failing = d.Failing[:maxFailing]
	}
	events := "complaint,push,clock,world"
	if h.pay != nil {
		events += ",pay,pay-callback"
	}
	h.render(w, r, http.StatusOK, "overview", &page{Title: "Overview", Events: events, Data: d})
}

// count counts the complaints by state in one pass, copying none.
func (h *Handler) count() counts {
	var c counts
	h.b.ComplaintsPage("", 0, func(x *world.Complaint) bool {
		c.Total++
		switch x.State {
		case world.StateFiled:
			c.Filed++
		case world.StateHandled:
			c.Handled++
		case world.StateRejected:
			c.Rejected++
		case world.StateConfirmed:
			c.Confirmed++
		}
		if x.Overdue {
			c.Overdue++
		}
		if x.Arbitration != nil {
			c.Arbitration++
		}
		if x.Open() {
			c.Open++
		}
		return false
	})
	return c
}

// payOverview counts the Complaints 2.0 complaints by state and the
// callbacks that fail, in one pass each, copying nothing.
func (h *Handler) payOverview() *payOverview {
	o := &payOverview{SignFailures: len(h.pay.PaySignFailures(maxSignFailures)), CallbacksPending: h.pay.PayPendingCallbacks()}
	h.pay.PayComplaintsPage("", 0, func(c *payworld.Complaint) bool {
		o.Total++
		switch c.Wire.ComplaintState {
		case complaints.StatePending:
			o.Pending++
		case complaints.StateProcessing:
			o.Processing++
		case complaints.StateProcessed:
			o.Processed++
		}
		if c.Wire.InPlatformService {
			o.PlatformService++
		}
		if c.Wire.IncomingUserResponse {
			o.UserWaits++
		}
		return false
	})
	h.pay.PayDeliveriesOf(func(d *paypush.Delivery) bool {
		if !d.Probe && !d.Done() && len(d.Attempts) > 0 {
			o.CallbacksFailing++
		}
		return false
	})
	mode, _ := h.pay.PaySigning().Mode()
	o.Mode = string(mode)
	for _, m := range h.pay.PayMerchants() {
		if m.NotifyURL == "" {
			o.NoURL = append(o.NoURL, m.MchID)
		}
	}
	return o
}

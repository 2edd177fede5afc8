package console

import (
	"net/http"
	"slices"

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
	// failing: not delivered, and the last attempt did not succeed
	d.Failing = h.b.DeliveriesOf(func(d *push.Delivery) bool {
		return !d.Delivered && len(d.Attempts) > 0 && !d.Attempts[len(d.Attempts)-1].OK
	})
	slices.Reverse(d.Failing) // newest first
	if len(d.Failing) > maxFailing {
		d.FailingMore = len(d.Failing) - maxFailing
		d.Failing = d.Failing[:maxFailing]
	}
	h.render(w, r, http.StatusOK, "overview", &page{Title: "Overview", Events: "complaint,push,clock,world", Data: d})
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

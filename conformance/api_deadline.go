package conformance

import (
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// deadlineCell is one cell of the resolution-deadline table: the kind of
// goods and whether the shipping deadline had passed unshipped when the
// user complained.
type deadlineCell struct {
	id      string
	goods   payfeedback.GoodsKind
	overdue bool // not shipped, and the shipping deadline passed
	// days is the cell's deadline, counted from the complaint.
	days int
}

// deadlineCells are the four cells, in the order the scenario files them.
var deadlineCells = []deadlineCell{
	{"virtual-unshipped-overdue", payfeedback.GoodsVirtual, true, 1},
	{"physical-unshipped-overdue", payfeedback.GoodsPhysical, true, 2},
	{"virtual-shipped", payfeedback.GoodsVirtual, false, 3},
	{"physical-shipped", payfeedback.GoodsPhysical, false, 15},
}

func (c deadlineCell) phaseName() string { return "complaint of cell " + c.id }

// describe words the cell: "virtual goods or a service, not shipped within
// the 24 h shipping deadline".
func (c deadlineCell) describe() string {
	what := "physical goods"
	if c.goods == payfeedback.GoodsVirtual {
		what = "virtual goods or a service"
	}
	if c.overdue {
		return fmt.Sprintf("%s, not shipped within the %s shipping deadline", what, payfeedback.ShippingDeadline(c.goods))
	}
	return what + ", shipped"
}

// spec is the complaint the scenario files for the cell by openID, at now:
// an order paid an hour past its shipping deadline and not shipped, or
// paid an hour ago and shipped.
func (c deadlineCell) spec(appID, openID string, now time.Time) mockwechat.ComplaintSpec {
	s := mockwechat.ComplaintSpec{
		AppID: appID, OpenID: openID, Goods: c.goods,
		Reason: sampleReason, Solution: sampleSolution, ExtInfo: sampleExtInfo,
	}
	if c.overdue {
		s.PaidAt = now.Add(-payfeedback.ShippingDeadline(c.goods) - time.Hour)
	} else {
		s.PaidAt, s.Shipped = now.Add(-time.Hour), true
	}
	return s
}

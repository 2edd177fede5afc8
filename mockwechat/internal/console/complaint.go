package console

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// maxTimelineCalls is how many of the merchant's update calls of one
// complaint the timeline shows (the newest).
const maxTimelineCalls = 50

// kindOrder orders the marks of one instant.
var kindOrder = map[string]int{"filed": 0, "push": 1, "message": 2, "update": 3, "user": 4, "arbitration": 5, "deadline": 6}

// entry is one mark of a complaint's timeline.
type entry struct {
	Time time.Time
	// Kind names the mark for the page's style: filed, push, update,
	// message, user, arbitration, deadline.
	Kind   string
	Title  string
	Detail string
	// Future: a deadline not reached yet.
	Future   bool
	Delivery *push.Delivery
	Call     *calllog.Call
	Message  *message
}

type complaintData struct {
	C        world.Complaint
	Account  world.Account
	Timeline []entry
	Pushes   int
}

func (h *Handler) complaint(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, ok := h.b.Complaint(id)
	if !ok {
		// The start of an id, as a log shows it: the page of the one
		// complaint it names.
		whole, err := h.b.ResolveComplaint(id)
		switch {
		case errors.Is(err, world.ErrAmbiguous):
			h.render(w, r, http.StatusBadRequest, "notfound", &page{Title: "Ambiguous id", Data: notFound{Why: err.Error()}})
		case err != nil:
			h.notFound(w, r, "complaint "+text.Clip(id, 64))
		default:
			http.Redirect(w, r, "./"+url.PathEscape(whole), http.StatusFound)
		}
		return
	}
	d := complaintData{C: c}
	for _, a := range h.b.Accounts() {
		if a.AppID == c.AppID {
			d.Account = a.Masked()
		}
	}
	d.Timeline, d.Pushes = h.timeline(c)
	h.render(w, r, http.StatusOK, "complaint", &page{Title: "Complaint " + c.FeedBackID, Nav: "complaints",
		Events: "complaint,push,call,clock", Feedback: c.FeedBackID, Data: d})
}

// timeline gathers what happened to a complaint, in time order: filing,
// pushes with their attempts, the merchant's update calls and messages,
// the user's acts, arbitration, and the deadline marks.
func (h *Handler) timeline(c world.Complaint) ([]entry, int) {
	now := h.b.Now()
	var t []entry
	add := func(e entry) { t = append(t, e) }

	add(entry{Time: c.FiledAt, Kind: "filed", Title: "Filed by the user", Detail: c.Reason})
	deliveries := h.b.DeliveriesOf(func(d *push.Delivery) bool { return d.FeedBackID == c.FeedBackID })
	for i := range deliveries {
		d := &deliveries[i]
		add(entry{Time: d.Created, Kind: "push", Title: "Push " + string(d.MsgType) + " to the merchant", Delivery: d})
	}
	calls := h.b.LatestCalls(calllog.Filter{Endpoint: payfeedback.PathUpdateFeedback, Param: "feedbackid", Value: c.FeedBackID}, maxTimelineCalls)
	for i := range calls {
		cl := &calls[i]
		title := "The merchant marked it handled (/payfeedback/update)"
		if cl.ErrCode != 0 {
			title = "The merchant's update was refused (/payfeedback/update)"
		}
		add(entry{Time: cl.Time, Kind: "update", Title: title, Call: cl})
	}
	for _, m := range h.b.InboxOf(c.AppID, c.OpenID) {
		if m.Time.Before(c.FiledAt) || !c.ClosedAt.IsZero() && m.Time.After(c.ClosedAt) {
			continue
		}
		mv := newMessage(m)
		add(entry{Time: m.Time, Kind: "message", Title: "The merchant messaged the user (" + string(m.MsgType) + ")", Message: &mv})
	}
	if !c.RejectedAt.IsZero() {
		add(entry{Time: c.RejectedAt, Kind: "user", Title: "The user rejected the handling", Detail: c.RejectReason})
	}
	if c.State == world.StateConfirmed && !c.ClosedAt.IsZero() {
		add(entry{Time: c.ClosedAt, Kind: "user", Title: "The user confirmed it resolved"})
	}
	if a := c.Arbitration; a != nil {
		add(entry{Time: a.RequestedAt, Kind: "arbitration", Title: "The user asked WeChat to arbitrate"})
		switch {
		case !a.EvidenceAt.IsZero():
			add(entry{Time: a.EvidenceAt, Kind: "arbitration", Title: "The merchant submitted evidence", Detail: a.Note})
		case a.State == world.ArbitrationEvidenceMissed:
			add(entry{Time: a.EvidenceDeadline, Kind: "deadline", Title: "Evidence deadline missed"})
		default:
			add(entry{Time: a.EvidenceDeadline, Kind: "deadline", Title: "Evidence deadline", Future: a.EvidenceDeadline.After(now)})
		}
		if !a.DecidedAt.IsZero() {
			add(entry{Time: a.DecidedAt, Kind: "arbitration", Title: "WeChat decided: " + a.State.String()})
		}
	}
	switch {
	case c.Overdue:
		add(entry{Time: c.Deadline, Kind: "deadline", Title: "Went overdue: the merchant did not resolve it in time"})
	case c.Open() && (c.State == world.StateFiled || c.State == world.StateRejected):
		add(entry{Time: c.Deadline, Kind: "deadline", Title: "Resolution deadline", Future: c.Deadline.After(now)})
	default:
		add(entry{Time: c.Deadline, Kind: "deadline", Title: "Resolution deadline (met)"})
	}
	// At one instant (a virtual clock stands still), the usual order: the
	// push, the merchant's message, its update, the user's answer.
	slices.SortStableFunc(t, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()), cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]))
	})
	return t, len(deliveries)
}

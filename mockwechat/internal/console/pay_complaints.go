package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// payFilter is the Complaints 2.0 list's filter, read from the query.
type payFilter struct {
	State, MchID string
}

func (f payFilter) match(c *payworld.Complaint) bool {
	return (f.State == "" || string(c.Wire.ComplaintState) == f.State) &&
		(f.MchID == "" || c.Wire.ComplaintedMchID == f.MchID)
}

// query returns the filter as a query string (without paging).
func (f payFilter) query() url.Values {
	q := url.Values{}
	if f.State != "" {
		q.Set("state", f.State)
	}
	if f.MchID != "" {
		q.Set("mchid", f.MchID)
	}
	return q
}

// stateTab is a state of the list's tabs, with its count and link.
type stateTab struct {
	State   string
	Count   int
	Href    string
	Current bool
}

// payRow is a complaint of the list and how its callbacks fare.
type payRow struct {
	C payworld.Complaint
	// Callbacks, Delivered and Failing count its callbacks: every one,
	// those acknowledged, those whose last attempt failed.
	Callbacks, Delivered, Failing int
}

type payComplaintsData struct {
	Tab       payTab
	Filter    payFilter
	States    []stateTab
	Merchants []string
	Rows      []payRow
	// Matching counts the complaints the filter matches; From is the
	// position of the first row shown (1-based).
	Matching, From int
	Next, First    string
	Error          string
	ProblemTypes   []complaints.ProblemType
}

func (h *Handler) payComplaints(w http.ResponseWriter, r *http.Request) {
	if h.payOff(w, r) {
		return
	}
	q := r.URL.Query()
	f := payFilter{State: q.Get("state"), MchID: q.Get("mchid")}
	d := payComplaintsData{Tab: h.payTab("complaints"), Filter: f, ProblemTypes: complaints.ProblemTypes()}
	for _, m := range h.pay.PayMerchants() {
		d.Merchants = append(d.Merchants, m.MchID)
	}
	// one pass counts the states, the matches and where the page starts
	after := q.Get("after")
	passed := after == ""
	byState := map[complaints.ComplaintState]int{}
	total := 0
	h.pay.PayComplaintsPage("", 0, func(c *payworld.Complaint) bool {
		if f.MchID == "" || c.Wire.ComplaintedMchID == f.MchID {
			total++
			byState[c.Wire.ComplaintState]++
		}
		if f.match(c) {
			d.Matching++
			if !passed {
				d.From++
			}
		}
		if c.Wire.ComplaintID == after {
			passed = true
		}
		return false
	})
	d.From++
	tab := func(state string, n int) {
		tq := payFilter{State: state, MchID: f.MchID}.query()
		href := "pay-complaints"
		if len(tq) > 0 {
			href += "?" + tq.Encode()
		}
		d.States = append(d.States, stateTab{State: state, Count: n, Href: href, Current: f.State == state})
	}
	tab("", total)
	for _, s := range complaints.ComplaintStates() {
		tab(string(s), byState[s])
	}
	rows, err := h.pay.PayComplaintsPage(after, pageSize+1, f.match)
	if errors.Is(err, payworld.ErrNotFound) {
		d.Error = "no complaint " + text.Clip(after, 64) + " to start after: showing the first page"
		d.From = 1
		rows, err = h.pay.PayComplaintsPage("", pageSize+1, f.match)
	}
	if err != nil {
		d.Error = err.Error()
	}
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		nq := f.query()
		nq.Set("after", rows[len(rows)-1].ID())
		d.Next = "?" + nq.Encode()
	}
	if after != "" {
		d.First = "?" + f.query().Encode()
	}
	d.Rows = h.payRows(rows)
	title := "Complaints 2.0"
	if d.Matching > 0 {
		title += " (" + strconv.Itoa(d.Matching) + ")"
	}
	h.render(w, r, http.StatusOK, "pay_complaints", &page{Title: title, Nav: "pay", Events: payEvents, Data: d})
}

// payRows counts the callbacks of the complaints shown, in one pass over
// the deliveries (the engine copies none: match only counts).
func (h *Handler) payRows(cs []payworld.Complaint) []payRow {
	rows := make([]payRow, len(cs))
	at := make(map[string]int, len(cs))
	for i, c := range cs {
		rows[i].C = c
		at[c.ID()] = i
	}
	h.pay.PayDeliveriesOf(func(d *paypush.Delivery) bool {
		i, ok := at[d.ComplaintID]
		if !ok || d.Probe {
			return false
		}
		rows[i].Callbacks++
		switch {
		case d.Delivered:
			rows[i].Delivered++
		case len(d.Attempts) > 0:
			rows[i].Failing++
		}
		return false
	})
	return rows
}

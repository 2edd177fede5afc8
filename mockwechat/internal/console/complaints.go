package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// pageSize is how many complaints a page of the list shows.
const pageSize = 50

// complaintFilter is the list's filter, read from the query.
type complaintFilter struct {
	AppID, OpenID, State, Overdue, Arbitration string
}

func readFilter(q url.Values) complaintFilter {
	return complaintFilter{AppID: q.Get("appid"), OpenID: q.Get("openid"), State: q.Get("state"),
		Overdue: q.Get("overdue"), Arbitration: q.Get("arbitration")}
}

func (f complaintFilter) match(c *world.Complaint) bool {
	switch {
	case f.AppID != "" && c.AppID != f.AppID,
		f.OpenID != "" && c.OpenID != f.OpenID,
		f.State != "" && string(c.State) != f.State,
		f.Overdue == "yes" && !c.Overdue, f.Overdue == "no" && c.Overdue,
		f.Arbitration == "yes" && c.Arbitration == nil, f.Arbitration == "no" && c.Arbitration != nil:
		return false
	}
	return true
}

// query returns the filter as a query string (without paging).
func (f complaintFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"appid": f.AppID, "openid": f.OpenID, "state": f.State, "overdue": f.Overdue, "arbitration": f.Arbitration} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

type complaintsData struct {
	Filter   complaintFilter
	Accounts []world.Account
	Rows     []world.Complaint
	// Matching counts every complaint the filter matches; From is the
	// position of the first row shown (1-based).
	Matching, From int
	// Next is the link to the next page ("" on the last); First to the
	// first page ("" on it).
	Next, First string
	Error       string
}

func (h *Handler) complaints(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := readFilter(q)
	d := complaintsData{Filter: f}
	for _, a := range h.b.Accounts() {
		d.Accounts = append(d.Accounts, a.Masked())
	}
	after := q.Get("after")
	// one pass counts the matches and where the page starts
	passed := after == ""
	h.b.ComplaintsPage("", 0, func(c *world.Complaint) bool {
		if f.match(c) {
			d.Matching++
			if !passed {
				d.From++
			}
		}
		if c.FeedBackID == after {
			passed = true
		}
		return false
	})
	d.From++
	rows, err := h.b.ComplaintsPage(after, pageSize+1, f.match)
	if errors.Is(err, world.ErrNotFound) {
		d.Error = "no complaint " + text.Clip(after, 64) + " to start after: showing the first page"
		d.From = 1
		rows, err = h.b.ComplaintsPage("", pageSize+1, f.match)
	}
	if err != nil {
		d.Error = err.Error()
	}
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		nq := f.query()
		nq.Set("after", rows[len(rows)-1].FeedBackID)
		d.Next = "?" + nq.Encode()
	}
	if after != "" {
		d.First = "?" + f.query().Encode()
	}
	d.Rows = rows
	title := "Complaints"
	if d.Matching > 0 {
		title += " (" + strconv.Itoa(d.Matching) + ")"
	}
	h.render(w, r, http.StatusOK, "complaints", &page{Title: title, Events: "complaint,clock", Data: d})
}

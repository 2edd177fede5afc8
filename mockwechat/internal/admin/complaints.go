package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// Complaints: filing, listing, waiting, the user's and WeChat's acts.
func (h *Handler) complaintRoutes(route routeFunc) {
	route("POST /_mock/complaints", h.file)
	route("GET /_mock/complaints", h.complaints)
	route("GET /_mock/complaints/{id}", h.complaint)
	route("GET /_mock/complaints/{id}/wait", h.waitComplaint)
	route("POST /_mock/complaints/{id}/confirm", h.confirm)
	route("POST /_mock/complaints/{id}/reject", h.reject)
	route("POST /_mock/complaints/{id}/arbitration", h.requestArbitration)
	route("POST /_mock/complaints/{id}/evidence", h.evidence)
	route("POST /_mock/complaints/{id}/arbitrate", h.arbitrate)
}

func (h *Handler) file(r *http.Request) (int, any, error) {
	var spec world.ComplaintSpec
	if err := decodeBody(r, &spec); err != nil {
		return 0, nil, err
	}
	c, err := h.b.FileComplaint(r.Context(), spec)
	return http.StatusCreated, c, err
}

// complaintFilter matches ?appid=, ?openid=, ?state=, ?overdue= and, for
// waits, ?updates=N (at least N updates).
func complaintFilter(q url.Values) (func(*world.Complaint) bool, error) {
	minUpdates := 0
	if v := q.Get("updates"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, badRequestf("updates %q is not a number", text.Clip(v, 16))
		}
		minUpdates = n
	}
	return func(c *world.Complaint) bool {
		return matches(q, "appid", c.AppID) && matches(q, "openid", c.OpenID) && matches(q, "state", string(c.State)) &&
			matches(q, "overdue", strconv.FormatBool(c.Overdue)) && c.Updates >= minUpdates
	}, nil
}

// DefaultComplaintsPage is how many complaints GET /_mock/complaints
// answers when no ?limit= is given (?limit=0 answers every one).
const DefaultComplaintsPage = 100

// complaints lists complaints in filing order: filtered, and paged by
// ?limit=N (DefaultComplaintsPage when absent, 0: all) and
// ?after=<feedback_id of the last one seen>; a page that more follow
// carries a Link header to the next.
func (h *Handler) complaints(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	match, err := complaintFilter(q)
	if err != nil {
		return 0, nil, err
	}
	limit, err := pageLimit(q, DefaultComplaintsPage)
	if err != nil {
		return 0, nil, err
	}
	after := q.Get("after")
	if after != "" {
		if after, err = h.b.ResolveComplaint(after); err != nil {
			return 0, nil, err
		}
	}
	ask := limit
	if limit > 0 {
		ask = limit + 1 // one more tells whether a next page exists
	}
	cs, err := h.b.ComplaintsPage(after, ask, match)
	if err != nil {
		return 0, nil, err
	}
	p := page[world.Complaint]{items: cs}
	if limit > 0 && len(cs) > limit {
		p.items = cs[:limit]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("limit", strconv.Itoa(limit))
		next.Set("after", cs[limit-1].FeedBackID)
		p.next = r.URL.Path + "?" + next.Encode()
	}
	return 200, p, nil
}

// complaintID is the feedback id the path's {id} names: the whole id, or
// an unambiguous start of one (world.ResolveComplaint).
func (h *Handler) complaintID(r *http.Request) (string, error) {
	return h.b.ResolveComplaint(r.PathValue("id"))
}

func (h *Handler) complaint(r *http.Request) (int, any, error) {
	id, err := h.complaintID(r)
	if err != nil {
		return 0, nil, err
	}
	return h.show(id)
}

// show answers the complaint as it stands.
func (h *Handler) show(id string) (int, any, error) {
	c, ok := h.b.Complaint(id)
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: complaint %s: %w", text.Clip(id, 64), world.ErrNotFound)
	}
	return 200, c, nil
}

// act resolves the path's {id}, does what act says to the complaint, and
// answers the complaint as it then stands.
func (h *Handler) act(r *http.Request, act func(id string) error) (int, any, error) {
	id, err := h.complaintID(r)
	if err != nil {
		return 0, nil, err
	}
	if err := act(id); err != nil {
		return 0, nil, err
	}
	return h.show(id)
}

// waitComplaint waits until the complaint matches ?state= (and, with
// ?overdue=true, is overdue; with ?updates=N, has N updates or more).
func (h *Handler) waitComplaint(r *http.Request) (int, any, error) {
	match, err := complaintFilter(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	id, err := h.complaintID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := h.b.WaitForComplaint(ctx, id, func(c world.Complaint) bool { return match(&c) })
	return 200, c, timeoutError(r, err)
}

func (h *Handler) confirm(r *http.Request) (int, any, error) {
	return h.act(r, func(id string) error { return h.b.Confirm(r.Context(), id) })
}

func (h *Handler) reject(r *http.Request) (int, any, error) {
	var p struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	return h.act(r, func(id string) error { return h.b.RejectWithReason(r.Context(), id, p.Reason) })
}

func (h *Handler) requestArbitration(r *http.Request) (int, any, error) {
	return h.act(r, func(id string) error { return h.b.RequestArbitration(r.Context(), id) })
}

func (h *Handler) evidence(r *http.Request) (int, any, error) {
	var p struct {
		Note    string   `json:"note"`
		PicURLs []string `json:"pic_urls"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	return h.act(r, func(id string) error { return h.b.SubmitEvidence(r.Context(), id, p.Note, p.PicURLs) })
}

func (h *Handler) arbitrate(r *http.Request) (int, any, error) {
	var p struct {
		For string `json:"for"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if p.For != "user" && p.For != "merchant" {
		return 0, nil, badRequest{errors.New(`mockwechat: admin: arbitrate needs {"for":"user"} or {"for":"merchant"}`)}
	}
	return h.act(r, func(id string) error { return h.b.Arbitrate(r.Context(), id, p.For == "user") })
}

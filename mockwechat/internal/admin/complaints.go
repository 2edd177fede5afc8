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

// complaints lists complaints in filing order: filtered, and paged by
// ?limit=N&after=<feedback_id of the last one seen>.
func (h *Handler) complaints(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	match, err := complaintFilter(q)
	if err != nil {
		return 0, nil, err
	}
	limit, err := limitParam(q)
	if err != nil {
		return 0, nil, err
	}
	cs, err := h.b.ComplaintsPage(q.Get("after"), limit, match)
	return 200, jsonList[world.Complaint](cs), err
}

func (h *Handler) complaint(r *http.Request) (int, any, error) {
	c, ok := h.b.Complaint(r.PathValue("id"))
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: complaint %s: %w", text.Clip(r.PathValue("id"), 64), world.ErrNotFound)
	}
	return 200, c, nil
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
	c, err := h.b.WaitForComplaint(ctx, r.PathValue("id"), func(c world.Complaint) bool { return match(&c) })
	return 200, c, timeoutError(r, err)
}

func (h *Handler) confirm(r *http.Request) (int, any, error) {
	if err := h.b.Confirm(r.Context(), r.PathValue("id")); err != nil {
		return 0, nil, err
	}
	return h.complaint(r)
}

func (h *Handler) reject(r *http.Request) (int, any, error) {
	var p struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if err := h.b.RejectWithReason(r.Context(), r.PathValue("id"), p.Reason); err != nil {
		return 0, nil, err
	}
	return h.complaint(r)
}

func (h *Handler) requestArbitration(r *http.Request) (int, any, error) {
	if err := h.b.RequestArbitration(r.Context(), r.PathValue("id")); err != nil {
		return 0, nil, err
	}
	return h.complaint(r)
}

func (h *Handler) evidence(r *http.Request) (int, any, error) {
	var p struct {
		Note    string   `json:"note"`
		PicURLs []string `json:"pic_urls"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if err := h.b.SubmitEvidence(r.Context(), r.PathValue("id"), p.Note, p.PicURLs); err != nil {
		return 0, nil, err
	}
	return h.complaint(r)
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
	if err := h.b.Arbitrate(r.Context(), r.PathValue("id"), p.For == "user"); err != nil {
		return 0, nil, err
	}
	return h.complaint(r)
}

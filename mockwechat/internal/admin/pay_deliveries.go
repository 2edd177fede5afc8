package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
)

// The callbacks through /_mock/pay/deliveries, /_mock/pay/probes and
// /_mock/pay/trigger: the delivery log, its wait, resends, probes and
// triggers.

// payDeliveryFilter matches ?id=, ?complaint_id=, ?action_type=,
// ?mchid=, ?probe=, ?delivered=, ?failed= and ?done=.
func payDeliveryFilter(q url.Values) func(paypush.Delivery) bool {
	return func(d paypush.Delivery) bool {
		return matches(q, "id", d.ID) && matches(q, "complaint_id", d.ComplaintID) && matches(q, "action_type", string(d.ActionType)) &&
			matches(q, "mchid", d.MchID) && matches(q, "probe", strconv.FormatBool(d.Probe)) &&
			matches(q, "delivered", strconv.FormatBool(d.Delivered)) && matches(q, "failed", strconv.FormatBool(d.Failed)) &&
			matches(q, "done", strconv.FormatBool(d.Done()))
	}
}

// payDeliveries lists the callbacks and probes, oldest first, filtered,
// at most ?limit=.
func (h *Handler) payDeliveries(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	limit, err := limitParam(q)
	if err != nil {
		return 0, nil, err
	}
	ds, err := b.PayDeliveries()
	if err != nil {
		return 0, nil, err
	}
	match := payDeliveryFilter(q)
	out := []paypush.Delivery{}
	for _, d := range ds {
		if limit > 0 && len(out) == limit {
			break
		}
		if match(d) {
			out = append(out, d)
		}
	}
	return 200, jsonList[paypush.Delivery](out), nil
}

// payWaitDelivery long-polls for the first past or future delivery that
// matches.
func (h *Handler) payWaitDelivery(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	d, err := b.WaitForPayDelivery(ctx, payDeliveryFilter(r.URL.Query()))
	return 200, d, timeoutError(r, err)
}

// payResend sends a past notification again under its id.
func (h *Handler) payResend(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	id, err := b.PayResend(r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]string{"id": id}, nil
}

// payProbe sends a SIGNTEST probe now: {"mchid"} (optional).
func (h *Handler) payProbe(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	var p struct {
		MchID string `json:"mchid"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	id, err := b.PayProbe(p.MchID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]string{"id": id}, nil
}

// payTriggered is POST /_mock/pay/trigger's answer.
type payTriggered struct {
	// ID is the callback's notification id.
	ID          string                `json:"id"`
	ComplaintID string                `json:"complaint_id"`
	Act         string                `json:"act,omitempty"`
	ActionType  complaints.ActionType `json:"action_type"`
	// Overrides name the first attempt's plan, as the delivery log and
	// the live log show it ("unknown-members+tamper-signature").
	Overrides string           `json:"overrides,omitempty"`
	Complaint payComplaintJSON `json:"complaint"`
}

// payTrigger plays an act with overrides on its callback, as Stripe's
// `stripe trigger` does, or sends a callback alone for an existing
// complaint: {"complaint_id", "act", "text", "reason", "action_type",
// "unknown_members", "tamper_signature", "tamper_body", "other_key",
// "duplicate", "stale"}.
func (h *Handler) payTrigger(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		ComplaintID     string                `json:"complaint_id"`
		Act             string                `json:"act"`
		Text            string                `json:"text"`
		Reason          string                `json:"reason"`
		ActionType      complaints.ActionType `json:"action_type"`
		UnknownMembers  bool                  `json:"unknown_members"`
		TamperSignature bool                  `json:"tamper_signature"`
		TamperBody      bool                  `json:"tamper_body"`
		OtherKey        bool                  `json:"other_key"`
		Duplicate       bool                  `json:"duplicate"`
		Stale           string                `json:"stale"`
	}
	if err := decodeBody(r, &in); err != nil {
		return 0, nil, err
	}
	if in.ComplaintID == "" {
		return 0, nil, badRequestf(`trigger needs {"complaint_id"} (POST /_mock/pay/complaints files one), and "act" or "action_type"`)
	}
	t := PayTrigger{ComplaintID: in.ComplaintID, Act: in.Act, Text: in.Text, Reason: in.Reason, ActionType: in.ActionType,
		Plan: paypush.Plan{UnknownMembers: in.UnknownMembers, TamperSignature: in.TamperSignature, TamperBody: in.TamperBody,
			OtherKey: in.OtherKey, Duplicate: in.Duplicate}}
	if in.Stale != "" {
		d, err := time.ParseDuration(in.Stale)
		if err != nil || d < 0 {
			return 0, nil, badRequestf("trigger stale %q: want a Go duration such as 6m", text.Clip(in.Stale, 32))
		}
		t.Plan.Stale = d
	}
	id, action, c, err := b.PayTrigger(r.Context(), t)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, payTriggered{ID: id, ComplaintID: c.ID(), Act: in.Act, ActionType: action, Overrides: t.Plan.String(), Complaint: payView(c)}, nil
}

package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// ErrPayOff: the fake does not play Complaints 2.0; the /_mock/pay/
// endpoints answer 404.
var ErrPayOff = errors.New("mockwechat: Complaints 2.0 is off: give Options.Pay (payfeedback mock plays it by default)")

// PayBackend is the fake's Complaints 2.0 as the admin API drives it. Its
// methods fail with ErrPayOff when the fake does not play it.
type PayBackend interface {
	PayMerchants() ([]PayMerchant, error)
	SetPayMode(mode string) error
	// SetPayProbeEvery sets the interval of scheduled SIGNTEST probes (0:
	// none).
	SetPayProbeEvery(d time.Duration) error
	// SetPayNotifyURL sets a merchant's callback URL; "" removes it.
	SetPayNotifyURL(mchid, url string) error
	FilePayComplaint(ctx context.Context, spec payworld.FileSpec) (payworld.Complaint, error)
	PayComplaintsPage(after string, limit int, match func(*payworld.Complaint) bool) ([]payworld.Complaint, error)
	PayComplaint(id string) (payworld.Complaint, bool)
	// PayAct plays an act of the user or the platform (see PayActs).
	PayAct(ctx context.Context, id, act, text, reason string) (payworld.Complaint, error)
	PayDeliveries() ([]paypush.Delivery, error)
	WaitForPayDelivery(ctx context.Context, match func(paypush.Delivery) bool) (paypush.Delivery, error)
	PayResend(id string) (string, error)
	PayProbe(mchid string) (string, error)
	// RotatePayCertificate replaces the platform certificate and returns
	// the demo merchant's settings after.
	RotatePayCertificate() (PayMerchant, error)
	// PayTrigger plays a trigger: the act with its callback's overrides,
	// or a callback alone; it returns the notification id, the
	// action_type announced and the complaint.
	PayTrigger(ctx context.Context, t PayTrigger) (string, complaints.ActionType, payworld.Complaint, error)
}

// ErrBadTrigger: a trigger cannot be played as asked (no act and no
// action_type, an unknown act); answered 400.
var ErrBadTrigger = errors.New("mockwechat: bad trigger")

// PayTrigger is POST /_mock/pay/trigger's request, read: the complaint,
// the act (with its text and reason; "" for a callback alone), the
// action_type the callback announces instead of the act's ("" keeps it),
// and the plan of the callback's first attempt.
type PayTrigger struct {
	ComplaintID, Act, Text, Reason string
	ActionType                     complaints.ActionType
	Plan                           paypush.Plan
}

// PayMerchant is what a merchant configures to talk to the fake's
// Complaints 2.0, without any private key.
type PayMerchant struct {
	MchID          string `json:"mchid"`
	SerialNo       string `json:"serial_no"`
	APIv3Key       string `json:"apiv3_key"`
	PublicKeyID    string `json:"public_key_id"`
	PlatformSerial string `json:"platform_serial"`
	// PlatformCertificates are those GET /v3/certificates lists now.
	PlatformCertificates []PayCertificate `json:"platform_certificates"`
	Mode                 string           `json:"mode"`
	SwitchBegan          time.Time        `json:"switch_began,omitzero"`
	NotifyURL            string           `json:"notify_url,omitempty"`
	KeysDir              string           `json:"keys_dir,omitempty"`
	// ProbeEvery is the interval of the scheduled SIGNTEST probes, in
	// nanoseconds as Go's time.Duration (0: none).
	ProbeEvery time.Duration `json:"probe_every,omitempty"`
}

// PayCertificate is a platform certificate GET /v3/certificates lists.
type PayCertificate struct {
	SerialNo      string    `json:"serial_no"`
	EffectiveTime time.Time `json:"effective_time"`
	ExpireTime    time.Time `json:"expire_time"`
	// Signing: it signs now.
	Signing bool `json:"signing"`
}

// PayActs are the acts of the user and of the platform, each served at
// POST /_mock/pay/complaints/{id}/{act}.
func PayActs() []string {
	return []string{"continue", "message", "apply-platform", "cancel-platform", "platform-message", "platform-finish",
		"refund-arrived", "seller-refund"}
}

// Complaints 2.0: its complaints, the user's and the platform's acts, the
// merchants' keys, mode and callback URL.
func (h *Handler) payRoutes(route routeFunc) {
	route("POST /_mock/pay/complaints", h.payFile)
	route("GET /_mock/pay/complaints", h.payComplaints)
	route("GET /_mock/pay/complaints/{id}", h.payComplaint)
	for _, act := range PayActs() {
		route("POST /_mock/pay/complaints/{id}/"+act, func(r *http.Request) (int, any, error) { return h.payAct(r, act) })
	}
	route("GET /_mock/pay/merchants", h.payMerchants)
	route("PATCH /_mock/pay/merchants/{mchid}", h.payPatchMerchant)
	route("GET /_mock/pay/merchants/{mchid}/notify-url", h.payNotifyURL)
	route("PUT /_mock/pay/merchants/{mchid}/notify-url", h.paySetNotifyURL)
	route("DELETE /_mock/pay/merchants/{mchid}/notify-url", h.payDeleteNotifyURL)
	route("GET /_mock/pay/deliveries", h.payDeliveries)
	route("GET /_mock/pay/deliveries/wait", h.payWaitDelivery)
	route("POST /_mock/pay/deliveries/{id}/resend", h.payResend)
	route("POST /_mock/pay/probes", h.payProbe)
	route("POST /_mock/pay/certificates/rotate", h.payRotate)
	route("POST /_mock/pay/trigger", h.payTrigger)
}

// payBackend returns the Complaints 2.0 backend, or ErrPayOff.
func (h *Handler) payBackend() (PayBackend, error) {
	if h.pay == nil {
		return nil, ErrPayOff
	}
	return h.pay, nil
}

// payComplaintJSON is a complaint as the admin API writes it: its id and
// state first, then the complaint as the detail endpoint answers it, the
// phone in clear and the negotiation history.
type payComplaintJSON struct {
	ComplaintID string                    `json:"complaint_id"`
	State       complaints.ComplaintState `json:"state"`
	payworld.Complaint
}

func payView(c payworld.Complaint) payComplaintJSON {
	return payComplaintJSON{ComplaintID: c.ID(), State: c.State(), Complaint: c}
}

// payFile files a complaint; every field of the spec is optional.
func (h *Handler) payFile(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	var spec payworld.FileSpec
	if err := decodeBody(r, &spec); err != nil {
		return 0, nil, err
	}
	c, err := b.FilePayComplaint(r.Context(), spec)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, payView(c), nil
}

// payComplaints lists complaints in filing order, filtered by ?state=
// and ?mchid=, paged by ?limit= (DefaultComplaintsPage when absent, 0:
// all) and ?after=<complaint_id of the last one seen>, a Link header to
// the next page.
func (h *Handler) payComplaints(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	limit, err := pageLimit(q, DefaultComplaintsPage)
	if err != nil {
		return 0, nil, err
	}
	match := func(c *payworld.Complaint) bool {
		return matches(q, "state", string(c.Wire.ComplaintState)) && matches(q, "mchid", c.Wire.ComplaintedMchID)
	}
	ask := limit
	if limit > 0 {
		ask = limit + 1
	}
	cs, err := b.PayComplaintsPage(q.Get("after"), ask, match)
	if err != nil {
		return 0, nil, err
	}
	p := page[payComplaintJSON]{}
	for _, c := range cs {
		p.items = append(p.items, payView(c))
	}
	if p.items == nil {
		p.items = jsonList[payComplaintJSON]{}
	}
	if limit > 0 && len(cs) > limit {
		p.items = p.items[:limit]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("limit", strconv.Itoa(limit))
		next.Set("after", cs[limit-1].ID())
		p.next = r.URL.Path + "?" + next.Encode()
	}
	return 200, p, nil
}

func (h *Handler) payComplaint(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	id := r.PathValue("id")
	c, ok := b.PayComplaint(id)
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: admin: no Complaints 2.0 complaint %s (GET /_mock/pay/complaints lists them): %w", text.Clip(id, 64), payworld.ErrNotFound)
	}
	return 200, payView(c), nil
}

// payAct plays an act on a complaint: {"text","reason"}, both optional.
func (h *Handler) payAct(r *http.Request, act string) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Text   string `json:"text"`
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := b.PayAct(r.Context(), r.PathValue("id"), act, in.Text, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	return 200, payView(c), nil
}

func (h *Handler) payMerchants(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	ms, err := b.PayMerchants()
	return 200, ms, err
}

// payMerchant finds the merchant of the path's {mchid}.
func (h *Handler) payMerchant(b PayBackend, r *http.Request) (PayMerchant, error) {
	ms, err := b.PayMerchants()
	if err != nil {
		return PayMerchant{}, err
	}
	id := r.PathValue("mchid")
	for _, m := range ms {
		if m.MchID == id {
			return m, nil
		}
	}
	return PayMerchant{}, fmt.Errorf("mockwechat: admin: no merchant %s (GET /_mock/pay/merchants lists them): %w", text.Clip(id, 64), payworld.ErrNotFound)
}

// payPatchMerchant changes the fake's settings shown with the merchant:
// the signing mode {"mode":"switch"} and the interval of scheduled
// SIGNTEST probes {"probe_every":"6h"} ("0": none), each optional.
func (h *Handler) payPatchMerchant(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	if _, err := h.payMerchant(b, r); err != nil {
		return 0, nil, err
	}
	var p struct {
		Mode       string  `json:"mode"`
		ProbeEvery *string `json:"probe_every"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	var every time.Duration
	if p.ProbeEvery != nil {
		if every, err = time.ParseDuration(*p.ProbeEvery); err != nil {
			return 0, nil, badRequestf("probe_every %q: want a Go duration such as 6h, or 0 for none", text.Clip(*p.ProbeEvery, 32))
		}
	}
	if p.Mode != "" {
		if err := b.SetPayMode(p.Mode); err != nil {
			return 0, nil, badRequest{err}
		}
	}
	if p.ProbeEvery != nil {
		if err := b.SetPayProbeEvery(every); err != nil {
			return 0, nil, badRequest{err}
		}
	}
	m, err := h.payMerchant(b, r)
	return 200, m, err
}

// notifyURLJSON is a callback URL, as WeChat's complaint-notifications
// answers it.
type notifyURLJSON struct {
	MchID string `json:"mchid"`
	URL   string `json:"url"`
}

func (h *Handler) payNotifyURL(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	m, err := h.payMerchant(b, r)
	if err != nil {
		return 0, nil, err
	}
	if m.NotifyURL == "" {
		return 0, nil, fmt.Errorf("mockwechat: admin: merchant %s has no callback URL: PUT one, or let the merchant create it (POST /v3/merchant-service/complaint-notifications): %w", m.MchID, payworld.ErrNotFound)
	}
	return 200, notifyURLJSON{MchID: m.MchID, URL: m.NotifyURL}, nil
}

// paySetNotifyURL sets the callback URL: {"url":"https://…"} (a plain
// http URL is taken too, for a merchant on this machine).
func (h *Handler) paySetNotifyURL(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	m, err := h.payMerchant(b, r)
	if err != nil {
		return 0, nil, err
	}
	var p notifyURLJSON
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if p.URL == "" {
		return 0, nil, badRequestf(`PUT notify-url needs {"url":"https://…"}; DELETE removes it`)
	}
	if err := b.SetPayNotifyURL(m.MchID, p.URL); err != nil {
		return 0, nil, badRequest{err}
	}
	return 200, notifyURLJSON{MchID: m.MchID, URL: p.URL}, nil
}

func (h *Handler) payDeleteNotifyURL(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	m, err := h.payMerchant(b, r)
	if err != nil {
		return 0, nil, err
	}
	if err := b.SetPayNotifyURL(m.MchID, ""); err != nil {
		return 0, nil, err
	}
	return 200, notifyURLJSON{MchID: m.MchID}, nil
}

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

// payRotate replaces the platform certificate: the new one signs from now
// on, the old one stays listed until the end of the overlap.
func (h *Handler) payRotate(r *http.Request) (int, any, error) {
	b, err := h.payBackend()
	if err != nil {
		return 0, nil, err
	}
	m, err := b.RotatePayCertificate()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m, nil
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

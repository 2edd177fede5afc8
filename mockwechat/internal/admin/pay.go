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

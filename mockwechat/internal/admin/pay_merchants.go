package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// The merchants' set-up through /_mock/pay/merchants: keys, mode, probes,
// callback URL, and the platform certificate's rotation.

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

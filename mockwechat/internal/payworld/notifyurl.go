package payworld

import (
	"net/http"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// NotifyURL returns a merchant's callback URL (GET
// complaint-notifications); none yet is refused as WeChat does: 400
// RESOURCE_NOT_EXISTS "查询的通知回调不存在".
func (w *World) NotifyURL(mchid string) (complaints.NotificationURL, error) {
	if err := w.lock(); err != nil {
		return complaints.NotificationURL{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return complaints.NotificationURL{}, err
	}
	if m.NotifyURL == "" {
		return complaints.NotificationURL{}, noNotifyURL(mchid)
	}
	return complaints.NotificationURL{MchID: m.MchID, URL: m.NotifyURL}, nil
}

func noNotifyURL(mchid string) *Refusal {
	return &Refusal{Err: ErrNotFound, Status: http.StatusBadRequest, Code: apiv3.CodeResourceNotExists, Message: MsgNoNotifyURL,
		Reason: "merchant " + clip(mchid, 64) + " has no callback URL: create it first (POST complaint-notifications)"}
}

// CreateNotifyURL sets a merchant's callback URL (POST
// complaint-notifications); when it has one, the Rules say whether the new
// one replaces it. The URL must pass complaints.NotificationURLRequest's
// Validate (the caller checked it and answered its own error).
func (w *World) CreateNotifyURL(mchid, url string) (complaints.NotificationURL, Effects, error) {
	return w.setNotifyURL(mchid, url, true)
}

// UpdateNotifyURL changes a merchant's callback URL (PUT); none yet is
// refused as GET is.
func (w *World) UpdateNotifyURL(mchid, url string) (complaints.NotificationURL, Effects, error) {
	return w.setNotifyURL(mchid, url, false)
}

func (w *World) setNotifyURL(mchid, url string, create bool) (complaints.NotificationURL, Effects, error) {
	if err := (complaints.NotificationURLRequest{URL: url}).Validate(); err != nil {
		return complaints.NotificationURL{}, Effects{}, err
	}
	if err := w.lock(); err != nil {
		return complaints.NotificationURL{}, Effects{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return complaints.NotificationURL{}, Effects{}, err
	}
	switch {
	case create && m.NotifyURL != "" && w.rules.RefuseCreateWhenURLExists:
		return complaints.NotificationURL{}, Effects{}, &Refusal{Err: ErrState, Status: http.StatusBadRequest, Code: apiv3.CodeInvalidRequest,
			Message: MsgWrongState, Reason: "merchant " + m.MchID + " has a callback URL already: change it with PUT (Rules.RefuseCreateWhenURLExists)"}
	case !create && m.NotifyURL == "":
		return complaints.NotificationURL{}, Effects{}, noNotifyURL(mchid)
	}
	m.NotifyURL = url
	return complaints.NotificationURL{MchID: m.MchID, URL: url}, Effects{Changes: []Change{{What: NotifyURLChanged, MchID: m.MchID}}}, nil
}

// DeleteNotifyURL removes a merchant's callback URL (DELETE); none yet is
// refused as GET is. Callbacks then have nowhere to go.
func (w *World) DeleteNotifyURL(mchid string) (Effects, error) {
	if err := w.lock(); err != nil {
		return Effects{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return Effects{}, err
	}
	if m.NotifyURL == "" {
		return Effects{}, noNotifyURL(mchid)
	}
	m.NotifyURL = ""
	return Effects{Changes: []Change{{What: NotifyURLChanged, MchID: m.MchID}}}, nil
}

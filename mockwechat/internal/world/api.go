package world

import (
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// The operations behind the API endpoints. Each answers the endpoint's
// checks in the documented order with a *Refused (an errcode and a hint),
// and returns the appid of the call's token whenever it is known, for the
// call log.

// Update marks a complaint handled as /payfeedback/update does. Checks, in
// order: the token (41001, 40001, 42001), pay permission (48001), openid
// (40003 missing or unknown to the account), feedbackid (47001 missing or
// no such complaint of this account), openid against the complaint
// (40003), and the complaint's state (47001 when confirmed or in
// arbitration). A filed or rejected complaint becomes handled; updating a
// handled one again answers ok and changes nothing but the count.
func (w *World) Update(token, openID, feedbackID string, now time.Time) (string, events.Effects, error) {
	if err := w.lock(); err != nil {
		return "", events.Effects{}, err
	}
	defer w.mu.Unlock()
	acc, appID, err := w.auth(token, now)
	if err != nil {
		return appID, events.Effects{}, err
	}
	refused := func(code payfeedback.ErrorCode, hint string) (string, events.Effects, error) {
		return appID, events.Effects{}, refuse(code, hint)
	}
	switch {
	case acc.NoPayPermission:
		return refused(payfeedback.CodeUnauthorized, "this account has no pay permission")
	case openID == "":
		return refused(payfeedback.CodeInvalidOpenID, "openid missing")
	}
	if _, ok := w.users[userKey{appID, openID}]; !ok {
		return refused(payfeedback.CodeInvalidOpenID, "no such user for this appid")
	}
	if feedbackID == "" {
		return refused(payfeedback.CodeDataFormat, "feedbackid missing")
	}
	c, ok := w.complaints[feedbackID]
	switch {
	case !ok || c.AppID != appID:
		return refused(payfeedback.CodeDataFormat, "invalid feedbackid: no such complaint for this appid")
	case c.OpenID != openID:
		return refused(payfeedback.CodeInvalidOpenID, "openid does not match the complaint")
	case c.Arbitration != nil:
		return refused(payfeedback.CodeDataFormat, "feedback closed: in arbitration")
	case c.State == StateConfirmed:
		return refused(payfeedback.CodeDataFormat, "feedback closed: confirmed by the user")
	}
	return appID, events.Effects{Changes: []events.Change{w.handle(c, now)}}, nil
}

// PayKey checks the token and the pay permission for /pay/delivernotify
// (41001, 40001, 42001, 48001) and returns the account's appid and
// paySignKey, to verify the body's signature outside the lock.
func (w *World) PayKey(token string, now time.Time) (appID, key string, err error) {
	if err := w.lock(); err != nil {
		return "", "", err
	}
	defer w.mu.Unlock()
	acc, appID, err := w.auth(token, now)
	if err != nil {
		return appID, "", err
	}
	if acc.NoPayPermission {
		return acc.AppID, "", refuse(payfeedback.CodeUnauthorized, "this account has no pay permission")
	}
	return acc.AppID, acc.PaySignKey, nil
}

// Shipment is a deliver-notify report, its signature checked.
type Shipment struct {
	TransID, OpenID, OutTradeNo, Status, Msg string
}

// Ship records a deliver-notify report of appID's account: 47001 for an
// unknown transid, 40003 for an openid that is not the payer. Status "1"
// marks the order shipped (the first time), "0" records the failure.
func (w *World) Ship(appID string, s Shipment, now time.Time) (events.Effects, error) {
	if err := w.lock(); err != nil {
		return events.Effects{}, err
	}
	defer w.mu.Unlock()
	o, ok := w.orders[s.TransID]
	switch {
	case !ok || o.AppID != appID:
		return events.Effects{}, refuse(payfeedback.CodeDataFormat, "invalid transid: no such order for this appid")
	case o.OpenID != s.OpenID:
		return events.Effects{}, refuse(payfeedback.CodeInvalidOpenID, "openid is not the order's payer")
	}
	o.DeliverStatus, o.DeliverMsg, o.OutTradeNo = s.Status, s.Msg, s.OutTradeNo
	if o.DeliverStatus == "1" && o.ShippedAt.IsZero() {
		o.ShippedAt = now
	}
	return events.Effects{Changes: []events.Change{{What: events.OrderShipped, AppID: appID, OpenID: o.OpenID, TransID: o.TransID}}}, nil
}

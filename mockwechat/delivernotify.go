package mockwechat

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/payfeedback/payfeedback"
)

// flexString accepts a JSON string or number (some clients send
// deliver_timestamp as a number).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("want a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// deliverBody is the deliver-notify request (PROTOCOL §9).
type deliverBody struct {
	AppID            flexString `json:"appid"`
	OpenID           flexString `json:"openid"`
	TransID          flexString `json:"transid"`
	OutTradeNo       flexString `json:"out_trade_no"`
	DeliverTimestamp flexString `json:"deliver_timestamp"`
	DeliverStatus    flexString `json:"deliver_status"`
	DeliverMsg       flexString `json:"deliver_msg"`
	AppSignature     flexString `json:"app_signature"`
	SignMethod       flexString `json:"sign_method"`
}

// params are the signed fields: every field but app_signature and
// sign_method (appkey is added by the signer).
func (d deliverBody) params() []payfeedback.Param {
	return []payfeedback.Param{
		{Key: "appid", Value: string(d.AppID)},
		{Key: "openid", Value: string(d.OpenID)},
		{Key: "transid", Value: string(d.TransID)},
		{Key: "out_trade_no", Value: string(d.OutTradeNo)},
		{Key: "deliver_timestamp", Value: string(d.DeliverTimestamp)},
		{Key: "deliver_status", Value: string(d.DeliverStatus)},
		{Key: "deliver_msg", Value: string(d.DeliverMsg)},
	}
}

// parseDeliver decodes a deliver-notify body and checks its shape.
func parseDeliver(body []byte) (deliverBody, response, bool) {
	var d deliverBody
	if len(bytes.TrimSpace(body)) == 0 {
		return d, fail(payfeedback.CodeEmptyPostData, "the body is empty"), false
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return d, fail(payfeedback.CodeDataFormat, "body is not a JSON object of the right shape"), false
	}
	for _, f := range []struct {
		name string
		v    flexString
	}{{"appid", d.AppID}, {"openid", d.OpenID}, {"transid", d.TransID}, {"out_trade_no", d.OutTradeNo},
		{"deliver_timestamp", d.DeliverTimestamp}, {"deliver_status", d.DeliverStatus}, {"app_signature", d.AppSignature}} {
		if strings.TrimSpace(string(f.v)) == "" {
			return d, fail(payfeedback.CodeDataFormat, "missing "+f.name), false
		}
	}
	if s := strings.TrimSpace(string(d.DeliverStatus)); s != "0" && s != "1" {
		return d, fail(payfeedback.CodeDataFormat, "deliver_status must be 1 (shipped) or 0 (failed)"), false
	}
	if m := string(d.SignMethod); m != "" && !strings.EqualFold(m, payfeedback.SignMethodSHA1) {
		return d, fail(payfeedback.CodeDataFormat, "sign_method must be sha1"), false
	}
	return d, response{}, true
}

// handleDeliverNotify serves POST /pay/delivernotify (PROTOCOL §9).
// Checks, in order: the token (41001, 40001, 42001), pay permission
// (48001), the body (44002, 47001 shape or missing field), appid against
// the token's account (40013), app_signature (47001 "invalid
// app_signature"), the order (47001 "invalid transid"), the openid against
// the order (40003). deliver_status 1 marks the order shipped (the first
// time), 0 records the failure and deliver_msg.
func (s *Server) handleDeliverNotify(c *apiCall) response {
	appID, resp, ok := c.auth()
	if !ok {
		return resp
	}
	s.mu.Lock()
	acc := s.accounts[appID]
	var key string
	var noPerm bool
	if acc != nil {
		key, noPerm = acc.PaySignKey, acc.NoPayPermission
	}
	s.mu.Unlock()
	if acc == nil {
		return fail(payfeedback.CodeInvalidCredential, "the token's account no longer exists")
	}
	if noPerm {
		return fail(payfeedback.CodeUnauthorized, "this account has no pay permission")
	}
	d, resp, ok := parseDeliver(c.body)
	if !ok {
		return resp
	}
	if strings.TrimSpace(string(d.AppID)) != appID {
		return fail(payfeedback.CodeInvalidAppID, "appid does not match the access_token's account")
	}
	if err := payfeedback.VerifySignature(d.params(), key, strings.TrimSpace(string(d.AppSignature))); err != nil {
		return fail(payfeedback.CodeDataFormat, "invalid app_signature: sign appid, appkey, openid, transid, out_trade_no, deliver_timestamp, deliver_status, deliver_msg")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[strings.TrimSpace(string(d.TransID))]
	if !ok || o.AppID != appID {
		return fail(payfeedback.CodeDataFormat, "invalid transid: no such order for this appid")
	}
	if o.OpenID != strings.TrimSpace(string(d.OpenID)) {
		return fail(payfeedback.CodeInvalidOpenID, "openid is not the order's payer")
	}
	o.DeliverStatus = strings.TrimSpace(string(d.DeliverStatus))
	o.DeliverMsg = string(d.DeliverMsg)
	o.OutTradeNo = string(d.OutTradeNo)
	if o.DeliverStatus == "1" && o.ShippedAt.IsZero() {
		o.ShippedAt = c.now
	}
	return response{}
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
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

// deliverBody is the deliver-notify request (docs/protocol.md).
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
func parseDeliver(body []byte) (deliverBody, error) {
	var d deliverBody
	refuse := func(code payfeedback.ErrorCode, hint string) (deliverBody, error) {
		return d, &world.Refused{Code: code, Hint: hint}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return refuse(payfeedback.CodeEmptyPostData, "the body is empty")
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return refuse(payfeedback.CodeDataFormat, "body is not a JSON object of the right shape")
	}
	for _, f := range []struct {
		name string
		v    flexString
	}{{"appid", d.AppID}, {"openid", d.OpenID}, {"transid", d.TransID}, {"out_trade_no", d.OutTradeNo},
		{"deliver_timestamp", d.DeliverTimestamp}, {"deliver_status", d.DeliverStatus}, {"app_signature", d.AppSignature}} {
		if strings.TrimSpace(string(f.v)) == "" {
			return refuse(payfeedback.CodeDataFormat, "missing "+f.name)
		}
	}
	if s := strings.TrimSpace(string(d.DeliverStatus)); s != "0" && s != "1" {
		return refuse(payfeedback.CodeDataFormat, "deliver_status must be 1 (shipped) or 0 (failed)")
	}
	if m := string(d.SignMethod); m != "" && !strings.EqualFold(m, payfeedback.SignMethodSHA1) {
		return refuse(payfeedback.CodeDataFormat, "sign_method must be sha1")
	}
	return d, nil
}

// deliver serves POST /pay/delivernotify. Checks, in order: the token
// (41001, 40001, 42001), pay permission (48001), the body (44002, 47001
// shape or missing field), appid against the token's account (40013),
// app_signature (47001 "invalid app_signature"), the order (47001
// "invalid transid"), the openid against the order (40003).
// deliver_status 1 marks the order shipped (the first time), 0 records the
// failure and deliver_msg.
func (h *Handler) deliver(c *call) response {
	appID, key, err := h.o.World.PayKey(c.param("access_token"), c.now)
	c.appID = appID
	if err != nil {
		return answer(err)
	}
	d, err := parseDeliver(c.body)
	if err != nil {
		return answer(err)
	}
	if strings.TrimSpace(string(d.AppID)) != appID {
		return fail(payfeedback.CodeInvalidAppID, "appid does not match the access_token's account")
	}
	if err := payfeedback.VerifySignature(d.params(), key, strings.TrimSpace(string(d.AppSignature))); err != nil {
		return fail(payfeedback.CodeDataFormat, "invalid app_signature: sign appid, appkey, openid, transid, out_trade_no, deliver_timestamp, deliver_status, deliver_msg")
	}
	fx, err := h.o.World.Ship(appID, world.Shipment{TransID: strings.TrimSpace(string(d.TransID)), OpenID: strings.TrimSpace(string(d.OpenID)),
		OutTradeNo: string(d.OutTradeNo), Status: strings.TrimSpace(string(d.DeliverStatus)), Msg: string(d.DeliverMsg)}, c.now)
	return h.apply(c, appID, fx, err)
}

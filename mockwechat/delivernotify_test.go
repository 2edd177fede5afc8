package mockwechat

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func deliverBodyFor(t *testing.T, key string, fields map[string]string) string {
	t.Helper()
	var ps []payfeedback.Param
	for _, k := range []string{"appid", "openid", "transid", "out_trade_no", "deliver_timestamp", "deliver_status", "deliver_msg"} {
		ps = append(ps, payfeedback.Param{Key: k, Value: fields[k]})
	}
	sig, err := payfeedback.Sign(ps, key)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{"app_signature": sig, "sign_method": "sha1"}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestDeliverNotify(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	demo := DemoAccount()
	o, err := s.AddOrder(Order{OpenID: "o1", Goods: payfeedback.GoodsPhysical})
	if err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, s, demo)
	base := func() map[string]string {
		return map[string]string{"appid": demo.AppID, "openid": "o1", "transid": o.TransID, "out_trade_no": "M-1",
			"deliver_timestamp": "1740823200", "deliver_status": "1", "deliver_msg": "ok"}
	}
	with := func(k, v string) map[string]string {
		m := base()
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	good := deliverBodyFor(t, demo.PaySignKey, base())
	tests := []struct {
		name, body string
		want       payfeedback.ErrorCode
	}{
		{"empty", "", payfeedback.CodeEmptyPostData},
		{"not JSON", "{", payfeedback.CodeDataFormat},
		{"missing transid", deliverBodyFor(t, demo.PaySignKey, with("transid", "")), payfeedback.CodeDataFormat},
		{"bad status", deliverBodyFor(t, demo.PaySignKey, with("deliver_status", "2")), payfeedback.CodeDataFormat},
		{"other appid", deliverBodyFor(t, demo.PaySignKey, with("appid", "wx9999999999999999")), payfeedback.CodeInvalidAppID},
		{"wrong key", deliverBodyFor(t, "not-the-key", base()), payfeedback.CodeDataFormat},
		{"tampered field", `{"appid":"` + demo.AppID + `","openid":"o1","transid":"` + o.TransID + `","out_trade_no":"M-2","deliver_timestamp":"1740823200","deliver_status":"1","deliver_msg":"ok","app_signature":"` + sigOf(t, good) + `","sign_method":"sha1"}`, payfeedback.CodeDataFormat},
		{"unknown order", deliverBodyFor(t, demo.PaySignKey, with("transid", "42")), payfeedback.CodeDataFormat},
		{"not the payer", deliverBodyFor(t, demo.PaySignKey, with("openid", "o2")), payfeedback.CodeInvalidOpenID},
		{"ok", good, 0},
	}
	for _, tt := range tests {
		got := do(t, s, "POST", payfeedback.PathDeliverNotify, url.Values{"access_token": {tok}}, tt.body)
		if got.ErrCode != tt.want {
			t.Errorf("%s: %s, want %d", tt.name, got.raw, tt.want)
		}
	}
	got, _ := s.Order(o.TransID)
	if !got.ShippedAt.Equal(t0) || got.DeliverStatus != "1" || got.OutTradeNo != "M-1" {
		t.Fatalf("order after deliver notify: %+v", got)
	}
	// A complaint filed after shipping gets the shipped deadline (15 days).
	clk.Advance(time.Hour)
	c, err := s.FileComplaint(testCtx(t), ComplaintSpec{TransID: o.TransID})
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(time.Hour + 15*24*time.Hour); !c.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v", c.Deadline, want)
	}

	failed, _ := s.AddOrder(Order{OpenID: "o3"})
	m := base()
	m["transid"], m["openid"], m["deliver_status"], m["deliver_msg"] = failed.TransID, "o3", "0", "out of stock"
	tok = getToken(t, s, demo)
	if got := do(t, s, "POST", payfeedback.PathDeliverNotify, url.Values{"access_token": {tok}}, deliverBodyFor(t, demo.PaySignKey, m)); got.ErrCode != 0 {
		t.Fatalf("failed delivery report: %s", got.raw)
	}
	if got, _ := s.Order(failed.TransID); !got.ShippedAt.IsZero() || got.DeliverStatus != "0" || got.DeliverMsg != "out of stock" {
		t.Fatalf("order after a failure report: %+v", got)
	}
	s.SetPayPermission(demo.AppID, false)
	if got := do(t, s, "POST", payfeedback.PathDeliverNotify, url.Values{"access_token": {tok}}, good); got.ErrCode != payfeedback.CodeUnauthorized {
		t.Fatalf("without pay permission: %s", got.raw)
	}
}

func sigOf(t *testing.T, body string) string {
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	return m["app_signature"]
}

package payfeedback_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestDeliverSignatureVectors: the deliver-notify signature of the
// vectors of docs/protocol.md, "Deliver notify" (computed independently with sha1sum; the same
// vectors as testdata/vectors/deliver_notify.json).
func TestDeliverSignatureVectors(t *testing.T) {
	const key = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"
	tests := []struct {
		name string
		s    payfeedback.Shipment
		want string
	}{
		{"shipped", payfeedback.Shipment{OpenID: "oDF3iY9P32sK_5GgYiRkjsCo45bk", TransID: "1219419901201307226235678915",
			OutTradeNo: "20131127000001", Status: payfeedback.DeliverShipped, Msg: "ok"}, "60dc99cc23221e0069adf1ab30b8068646eb7ecf"},
		{"failed, UTF-8 message", payfeedback.Shipment{OpenID: "oDF3iY9P32sK_5GgYiRkjsCo45bk", TransID: "1219419901201307226235678916",
			OutTradeNo: "20131127000002", Status: payfeedback.DeliverFailed, Msg: "库存不足"}, "702695dd284762ead4cd1298eea2ac5ea706ed64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := payfeedback.Sign(payfeedback.DeliverParams("wxf8b4f85f3a794e77", tt.s, 1385526000), key)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("app_signature %s, want %s", got, tt.want)
			}
		})
	}
}

// TestDeliverNotifyWire: the body is JSON with every field as a string,
// signed, sign_method sha1, and the paySignKey is not in it.
func TestDeliverNotifyWire(t *testing.T) {
	var body map[string]any
	var method string
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		method = r.Method
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	})
	c := s.client(t, payfeedback.ClientOptions{PaySignKey: stubKey})
	at := time.Unix(1385526000, 0)
	if err := c.DeliverNotify(context.Background(), payfeedback.Shipment{OpenID: " o1 ", TransID: "t1", OutTradeNo: "n1", Status: payfeedback.DeliverShipped, Time: at}); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"appid": stubAppID, "openid": "o1", "transid": "t1", "out_trade_no": "n1",
		"deliver_timestamp": "1385526000", "deliver_status": "1", "deliver_msg": "ok", "sign_method": "sha1"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %v, want %v", k, body[k], v)
		}
	}
	if len(body) != len(want)+1 {
		t.Errorf("body has %d fields, want %d: %v", len(body), len(want)+1, body)
	}
	params := payfeedback.DeliverParams(stubAppID, payfeedback.Shipment{OpenID: "o1", TransID: "t1", OutTradeNo: "n1", Status: "1", Msg: "ok"}, at.Unix())
	sig, _ := body["app_signature"].(string)
	if err := payfeedback.VerifySignature(params, stubKey, sig); err != nil {
		t.Errorf("app_signature %q does not verify: %v", sig, err)
	}
	if method != http.MethodPost {
		t.Errorf("method %s, want POST", method)
	}
}

func TestShipmentValidate(t *testing.T) {
	ok := payfeedback.Shipment{OpenID: "o", TransID: "t", OutTradeNo: "n", Status: payfeedback.DeliverShipped}
	with := func(f func(*payfeedback.Shipment)) payfeedback.Shipment { s := ok; f(&s); return s }
	tests := []struct {
		name      string
		s         payfeedback.Shipment
		wantField string
	}{
		{"shipped", ok, ""},
		{"failed with a reason", with(func(s *payfeedback.Shipment) { s.Status, s.Msg = payfeedback.DeliverFailed, "out of stock" }), ""},
		{"failed without a reason", with(func(s *payfeedback.Shipment) { s.Status = payfeedback.DeliverFailed }), "deliver_msg"},
		{"no status", with(func(s *payfeedback.Shipment) { s.Status = "" }), "deliver_status"},
		{"bad status", with(func(s *payfeedback.Shipment) { s.Status = "2" }), "deliver_status"},
		{"no openid", with(func(s *payfeedback.Shipment) { s.OpenID = "" }), "openid"},
		{"no transid", with(func(s *payfeedback.Shipment) { s.TransID = " " }), "transid"},
		{"no out_trade_no", with(func(s *payfeedback.Shipment) { s.OutTradeNo = "" }), "out_trade_no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *payfeedback.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.wantField || ve.Subject != "shipment" {
				t.Fatalf("Validate: %v, want a ValidationError on %s", err, tt.wantField)
			}
		})
	}
}

func TestDeliverNotifyAgainstFake(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		mod        func(*payfeedback.ClientOptions)
		shipment   func(o mockwechat.Order) payfeedback.Shipment
		setup      func(t *testing.T, f *fake)
		wantCode   payfeedback.ErrorCode
		wantField  string // ValidationError
		wantStatus string // the order's deliver_status afterwards
	}{
		{name: "shipped", wantStatus: "1"},
		{name: "failed", shipment: func(o mockwechat.Order) payfeedback.Shipment {
			return payfeedback.Shipment{OpenID: o.OpenID, TransID: o.TransID, OutTradeNo: "n1", Status: payfeedback.DeliverFailed, Msg: "库存不足"}
		}, wantStatus: "0"},
		{name: "47001 wrong paySignKey", mod: func(o *payfeedback.ClientOptions) { o.PaySignKey = "not-the-key" }, wantCode: payfeedback.CodeDataFormat},
		{name: "47001 unknown transid", shipment: func(o mockwechat.Order) payfeedback.Shipment {
			return payfeedback.Shipment{OpenID: o.OpenID, TransID: "999", OutTradeNo: "n1", Status: payfeedback.DeliverShipped}
		}, wantCode: payfeedback.CodeDataFormat},
		{name: "40003 not the payer", shipment: func(o mockwechat.Order) payfeedback.Shipment {
			return payfeedback.Shipment{OpenID: "o-someone-else", TransID: o.TransID, OutTradeNo: "n1", Status: payfeedback.DeliverShipped}
		}, wantCode: payfeedback.CodeInvalidOpenID},
		{name: "48001 no pay permission", setup: func(t *testing.T, f *fake) {
			if err := f.srv.SetPayPermission(f.acct.AppID, false); err != nil {
				t.Fatal(err)
			}
		}, wantCode: payfeedback.CodeUnauthorized},
		{name: "no paySignKey", mod: func(o *payfeedback.ClientOptions) { o.PaySignKey = "" }, wantField: "paySignKey"},
		{name: "invalid shipment", shipment: func(o mockwechat.Order) payfeedback.Shipment {
			return payfeedback.Shipment{OpenID: o.OpenID, TransID: o.TransID, OutTradeNo: "n1"}
		}, wantField: "deliver_status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, mockwechat.Options{})
			order, err := f.srv.AddOrder(mockwechat.Order{AppID: f.acct.AppID, Goods: payfeedback.GoodsPhysical})
			if err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, f)
			}
			s := payfeedback.Shipment{OpenID: order.OpenID, TransID: order.TransID, OutTradeNo: "n1", Status: payfeedback.DeliverShipped}
			if tt.shipment != nil {
				s = tt.shipment(order)
			}
			err = f.client(t, tt.mod).DeliverNotify(ctx, s)
			switch {
			case tt.wantField != "":
				var ve *payfeedback.ValidationError
				if !errors.As(err, &ve) || ve.Field != tt.wantField {
					t.Fatalf("DeliverNotify: %v, want a ValidationError on %s", err, tt.wantField)
				}
				if n := len(f.calls(payfeedback.PathDeliverNotify)); n != 0 {
					t.Errorf("%d calls reached the fake, want 0", n)
				}
			case tt.wantCode != 0:
				var ae *payfeedback.APIError
				if !errors.As(err, &ae) || ae.Code != tt.wantCode {
					t.Fatalf("DeliverNotify: %v, want APIError %d", err, tt.wantCode)
				}
			default:
				if err != nil {
					t.Fatalf("DeliverNotify: %v", err)
				}
			}
			if err != nil && strings.Contains(err.Error(), f.acct.PaySignKey) {
				t.Errorf("error leaks the paySignKey: %v", err)
			}
			got, _ := f.srv.Order(order.TransID)
			if got.DeliverStatus != tt.wantStatus {
				t.Errorf("order deliver_status %q, want %q", got.DeliverStatus, tt.wantStatus)
			}
			if tt.wantStatus == "1" && !got.ShippedAt.Equal(f.clock.Now()) {
				t.Errorf("order shipped at %v, want %v", got.ShippedAt, f.clock.Now())
			}
			if tt.wantStatus == "0" && got.DeliverMsg != s.Msg {
				t.Errorf("order deliver_msg %q, want %q", got.DeliverMsg, s.Msg)
			}
			for _, c := range f.calls(payfeedback.PathDeliverNotify) {
				if strings.Contains(string(c.Body), f.acct.PaySignKey) {
					t.Errorf("the paySignKey travelled on the network: %s", c.Body)
				}
			}
		})
	}
}

package payfeedback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DeliverStatus is the deliver_status of a deliver notify (docs/protocol.md, "Deliver notify").
type DeliverStatus string

// The two deliver statuses.
const (
	// DeliverShipped: the goods were shipped (deliver_status 1).
	DeliverShipped DeliverStatus = "1"
	// DeliverFailed: shipping failed (deliver_status 0); the Shipment's Msg
	// must say why.
	DeliverFailed DeliverStatus = "0"
)

// Shipment is what DeliverNotify reports: the goods of one order shipped,
// or failed to ship. Shipping deadlines are in ShippingDeadline.
type Shipment struct {
	// OpenID is the paying user; required.
	OpenID string
	// TransID is the WeChat transaction id; required.
	TransID string
	// OutTradeNo is the merchant's order number; required.
	OutTradeNo string
	// Status is DeliverShipped or DeliverFailed; required (there is no
	// default, so a forgotten field is not reported as a failure).
	Status DeliverStatus
	// Msg is the deliver_msg: why shipping failed (required then), or a
	// note ("ok" when empty on success).
	Msg string
	// Time is the deliver_timestamp; zero means the client's clock now.
	Time time.Time
}

// DeliverParams returns the fields of a deliver notify that app_signature
// signs, in protocol order: appid, openid, transid, out_trade_no,
// deliver_timestamp, deliver_status, deliver_msg (every field except
// sign_method; Sign adds appkey). Values are trimmed as Sign trims them.
func DeliverParams(appID string, s Shipment, timestamp int64) []Param {
	return []Param{
		{"appid", strings.TrimSpace(appID)},
		{"openid", strings.TrimSpace(s.OpenID)},
		{"transid", strings.TrimSpace(s.TransID)},
		{"out_trade_no", strings.TrimSpace(s.OutTradeNo)},
		{"deliver_timestamp", strconv.FormatInt(timestamp, 10)},
		{"deliver_status", string(s.Status)},
		{"deliver_msg", strings.TrimSpace(s.Msg)},
	}
}

// Validate checks the shipment before it is sent and returns a
// *ValidationError naming the broken rule.
func (s Shipment) Validate() error {
	for _, f := range [...]struct{ name, value string }{
		{"openid", s.OpenID}, {"transid", s.TransID}, {"out_trade_no", s.OutTradeNo},
	} {
		if strings.TrimSpace(f.value) == "" {
			return &ValidationError{Subject: "shipment", Field: f.name, Rule: "required"}
		}
	}
	switch s.Status {
	case DeliverShipped:
	case DeliverFailed:
		if strings.TrimSpace(s.Msg) == "" {
			return &ValidationError{Subject: "shipment", Field: "deliver_msg", Rule: "required when deliver_status is 0 (say why shipping failed)"}
		}
	case "":
		return &ValidationError{Subject: "shipment", Field: "deliver_status", Rule: "required (DeliverShipped or DeliverFailed)"}
	default:
		return &ValidationError{Subject: "shipment", Field: "deliver_status", Rule: fmt.Sprintf("%q is neither 1 (shipped) nor 0 (failed)", s.Status)}
	}
	return nil
}

// DeliverNotify tells WeChat the goods of an order were shipped (or failed
// to ship), docs/protocol.md, "Deliver notify": POST /pay/delivernotify with a JSON body signed with
// the paySignKey (app_signature over every field except sign_method, by
// Sign). It needs ClientOptions.PaySignKey.
func (c *Client) DeliverNotify(ctx context.Context, s Shipment) error {
	const op = "DeliverNotify"
	if c.paySignKey == "" {
		return &ValidationError{Subject: op, Field: "paySignKey", Rule: "required: set ClientOptions.PaySignKey to sign deliver notifies"}
	}
	if s.Msg == "" && s.Status == DeliverShipped {
		s.Msg = "ok"
	}
	if err := s.Validate(); err != nil {
		return err
	}
	at := s.Time
	if at.IsZero() {
		at = c.now()
	}
	params := DeliverParams(c.appID, s, at.Unix())
	sig, err := Sign(params, c.paySignKey)
	if err != nil {
		if errors.Is(err, ErrEmptyKey) {
			return fmt.Errorf("payfeedback: %s: %w", op, err)
		}
		return err
	}
	body := make(map[string]string, len(params)+2)
	for _, p := range params {
		body[p.Key] = p.Value
	}
	body["app_signature"] = sig
	body["sign_method"] = SignMethodSHA1
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("payfeedback: %s: encoding the body: %w", op, err)
	}
	return c.withToken(ctx, op, func(ctx context.Context, tok string) error {
		q := url.Values{"access_token": {tok}}
		return c.do(ctx, op, http.MethodPost, PathDeliverNotify, q, "application/json; charset=utf-8", data, nil)
	})
}

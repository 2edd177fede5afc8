package payapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/payfeedback/payfeedback/apiv3"
)

// The messages WeChat answers a refused Authorization with (the signature
// FAQ, "为什么请求返回 401 Unauthorized"), all with 401 SIGN_ERROR.
const (
	MsgBadSignature  = "错误的签名，验签失败"
	MsgTimestamp     = "Http 头 Authorization 中的 timestamp 与发起请求的时间不得超过 5 分钟"
	MsgSerial        = "商户证书序列号有误。"
	MsgNoCertificate = "商户未申请过证书。"
	MsgScheme        = "Http 头 Authorization 认证类型不正确"
	MsgFormat        = "Http 头 Authorization 值格式错误"
)

// SignWindow is how far a request's timestamp may be from the fake's clock,
// either way (WeChat: "不得超过 5 分钟"); a timestamp exactly 5 minutes off is
// refused, as the official SDK refuses one on answers.
const SignWindow = 5 * time.Minute

// TruncatedBodyBytes is how much of the body truncated_sign_message keeps:
// WeChat's observed answer cut a body after its first 8 bytes ({"appid").
const TruncatedBodyBytes = 8

// authenticate checks the request's Authorization as WeChat does, in this
// order: scheme, format, merchant, certificate serial, time, signature.
// Every refusal is 401 SIGN_ERROR and is recorded with what the fake
// reconstructed and what it received.
func (h *Handler) authenticate(c *call) *apiv3.Error {
	raw := c.r.Header.Get("Authorization")
	refuse := func(message, field, issue, expected string) *apiv3.Error {
		c.rec.SignFailure = &SignFailure{Reason: issue, Expected: expected, Authorization: raw}
		return &apiv3.Error{StatusCode: http.StatusUnauthorized, Code: apiv3.CodeSignError, Message: message,
			Detail: &apiv3.ErrorDetail{Field: field, Location: "authorization", Issue: issue}}
	}
	if raw == "" {
		return refuse(MsgFormat, "authorization", "the request has no Authorization header: sign it (WECHATPAY2-SHA256-RSA2048, docs/apiv3.md)", "")
	}
	a, err := apiv3.ParseAuthorization(raw)
	if err != nil {
		var ae *apiv3.AuthorizationError
		detail := err.Error()
		if errors.As(err, &ae) {
			detail = ae.Detail
		}
		if errors.Is(err, apiv3.ErrAuthorizationScheme) {
			return refuse(MsgScheme, "authorization", detail, "")
		}
		return refuse(MsgFormat, "authorization", detail, "")
	}
	c.mchid = a.MchID
	// expected is the string the fake reconstructs, for the record of a
	// refusal (not built when the request passes).
	expected := func() string {
		return string(apiv3.RequestMessage(c.r.Method, c.target, a.Timestamp, a.Nonce, c.signed))
	}
	serial, key, ok := h.o.World.MerchantKey(a.MchID)
	switch {
	case !ok:
		return refuse(MsgNoCertificate, "mchid", fmt.Sprintf("the fake has no merchant %s: use the mchid it printed (or add the merchant)", clip(a.MchID, 64)), expected())
	case a.SerialNo != serial:
		return refuse(MsgSerial, "serial_no", fmt.Sprintf("serial_no %s is not merchant %s's API certificate (%s)", clip(a.SerialNo, 64), a.MchID, serial), expected())
	}
	skew := c.now.Sub(time.Unix(a.Timestamp, 0))
	if skew >= SignWindow || -skew >= SignWindow || a.Timestamp > 1<<40 {
		return refuse(MsgTimestamp, "timestamp", fmt.Sprintf("timestamp %d is %s from the fake's clock (%d): sign with the current time, and check this machine's clock",
			a.Timestamp, skew.Abs().Round(time.Second), c.now.Unix()), expected())
	}
	if a.Verify(key, c.r.Method, c.target, c.signed) == nil {
		return nil
	}
	if t, ok := strings.CutSuffix(c.target, "?"); ok && !strings.Contains(t, "?") && a.Verify(key, c.r.Method, t, c.signed) == nil {
		c.rec.Warnings = append(c.rec.Warnings, fmt.Sprintf("the request-target %s ends in a lone '?' that the signature leaves out: accepted, but WeChat's handling of it is unknown: sign the target exactly as it is sent", clip(c.target, 200)))
		return nil
	}
	full := expected()
	c.rec.SignFailure = &SignFailure{Expected: full, Authorization: raw,
		Reason: "the signature does not verify over the string the fake reconstructed from the request (method, target, timestamp, nonce, body), with the merchant's API public key"}
	return &apiv3.Error{StatusCode: http.StatusUnauthorized, Code: apiv3.CodeSignError, Message: MsgBadSignature,
		Detail: &apiv3.ErrorDetail{Field: "signature", Location: "authorization",
			SignInformation: &apiv3.SignInformation{Method: c.r.Method, URL: c.target,
				TruncatedSignMessage: truncated(c.r.Method, c.target, a.Timestamp, a.Nonce, c.signed), SignMessageLength: len(full)},
			Detail: &apiv3.ErrorDetail{Issue: "sign not match"}}}
}

// truncated returns the string to sign with its body cut after
// TruncatedBodyBytes (at a character's start), as WeChat answers it.
func truncated(method, target string, ts int64, nonce string, body []byte) string {
	n := min(len(body), TruncatedBodyBytes)
	for n > 0 && n < len(body) && !utf8.RuneStart(body[n]) {
		n--
	}
	return string(apiv3.RequestMessage(method, target, ts, nonce, body[:n]))
}

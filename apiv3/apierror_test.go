package apiv3

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestParseError(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		code       Code
		issue      string
		sign       string
	}{
		{"FAQ SIGN_ERROR, flat issue", `{"code":"SIGN_ERROR","message":"错误的签名，验签失败","detail":{"field":"signature","issue":"sign not match","location":"authorization","sign_information":{"method":"GET","url":"/payscore/user-service-state?service_id=1","truncated_sign_message":"GET\n/payscore/user-service-state?service_id=1\n1559194069\n18a427e78d2344e1a71156a2690cc4d6\n\n","sign_message_length":157}}}`,
			401, CodeSignError, "sign not match", "GET\n/payscore/user-service-state?service_id=1\n1559194069\n18a427e78d2344e1a71156a2690cc4d6\n\n"},
		{"2024 SIGN_ERROR, nested issue", `{"code":"SIGN_ERROR","detail":{"detail":{"issue":"sign not match"},"field":"signature","location":"authorization","sign_information":{"method":"POST","sign_message_length":347,"truncated_sign_message":"POST\n/v3/profitsharing/orders\n1717411225\ncbqH\n{\"appid\"\n","url":"/v3/profitsharing/orders"}},"message":"错误的签名，验签失败"}`,
			401, CodeSignError, "sign not match", "POST\n/v3/profitsharing/orders\n1717411225\ncbqH\n{\"appid\"\n"},
		{"2020 SIGN_ERROR, no detail", `{"code":"SIGN_ERROR","message":" 签名信息错误,验签失败"}`, 401, CodeSignError, "", ""},
		{"PARAM_ERROR with a value", `{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/amount/currency","value":"XYZ","issue":"Currency code is invalid","location":"body"}}`, 400, CodeParamError, "Currency code is invalid", ""},
		{"numeric value", `{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"limit","value":51,"location":"query"}}`, 400, CodeParamError, "", ""},
		{"RESOURCE_NOT_EXISTS", `{"code":"RESOURCE_NOT_EXISTS","message":"查询的通知回调不存在"}`, 400, CodeResourceNotExists, "", ""},
		{"unknown code kept", `{"code":"NEW_CODE_2027","message":"新的错误"}`, 400, "NEW_CODE_2027", "", ""},
		{"extra fields", `{"code":"NO_AUTH","message":"您暂无权限查询该投诉单的信息","extra":{"x":[1,2]}}`, 403, CodeNoAuth, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ParseError(tc.status, http.Header{"Request-Id": {"08F5B8C2B5-0"}}, []byte(tc.body))
			if e.Code != tc.code || e.StatusCode != tc.status || e.Issue() != tc.issue || e.RequestID != "08F5B8C2B5-0" {
				t.Fatalf("%+v (issue %q)", e, e.Issue())
			}
			if si := e.SignInformation(); (si == nil) != (tc.sign == "") || (si != nil && si.TruncatedSignMessage != tc.sign) {
				t.Errorf("sign information %+v", si)
			}
			var as *Error
			if !errors.As(fmt.Errorf("wrapped: %w", e), &as) || as != e {
				t.Error("errors.As does not find the *Error")
			}
			if msg := e.Error(); !strings.Contains(msg, string(tc.code)) || strings.ContainsAny(msg, "\x00\x1b") {
				t.Errorf("Error() = %q", msg)
			}
		})
	}
}

func TestParseErrorNotJSON(t *testing.T) {
	e := ParseError(502, nil, []byte("<html><body>502 Bad Gateway\x1b[2J</body></html>"))
	if e.Code != "" || e.StatusCode != 502 || !strings.Contains(e.Message, "502 Bad Gateway") {
		t.Fatalf("%+v", e)
	}
	if strings.Contains(e.Error(), "\x1b") {
		t.Errorf("Error() passes an escape sequence: %q", e.Error())
	}
	if !e.Retryable() {
		t.Error("a 502 is not retryable")
	}
	if e := ParseError(503, nil, nil); e.Message != "Service Unavailable" {
		t.Errorf("empty body: %+v", e)
	}
	if e := ParseError(400, nil, []byte(`{"code":"PARAM_ERROR"}`)); e.Retryable() {
		t.Error("PARAM_ERROR is retryable")
	}
	if e := ParseError(429, nil, []byte(`{"code":"FREQUENCY_LIMITED","message":"频率超限"}`)); !e.Retryable() {
		t.Error("FREQUENCY_LIMITED is not retryable")
	}
}

func TestSignErrorComparesBothStrings(t *testing.T) {
	e := ParseError(401, nil, []byte(`{"code":"SIGN_ERROR","message":"错误的签名，验签失败","detail":{"sign_information":{"truncated_sign_message":"GET\n/v3/x\n1\nn\n\n","sign_message_length":16}}}`))
	e.SignedMessage = "GET\n/v3/x?\n1\nn\n\n"
	msg := e.Error()
	if !strings.Contains(msg, `"GET\n/v3/x\n1\nn\n\n"`) || !strings.Contains(msg, `"GET\n/v3/x?\n1\nn\n\n"`) {
		t.Errorf("Error() does not show both strings: %s", msg)
	}
}

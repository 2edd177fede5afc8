package payfeedback

import (
	"errors"
	"fmt"
	"testing"
)

// protocolCodes is the code table of docs/protocol.md: every code and the
// errmsg the live API wrote for it.
var protocolCodes = []struct {
	code ErrorCode
	num  int
	msg  string
}{
	{CodeSystemError, -1, "system error"},
	{CodeOK, 0, "ok"},
	{CodeInvalidCredential, 40001, "invalid credential"},
	{CodeInvalidGrantType, 40002, "invalid grant_type"},
	{CodeInvalidOpenID, 40003, "invalid openid"},
	{CodeInvalidMediaType, 40004, "invalid media type"},
	{CodeInvalidMediaSize, 40006, "invalid meida size"},
	{CodeInvalidMediaID, 40007, "invalid media_id"},
	{CodeInvalidMsgType, 40008, "invalid message type"},
	{CodeInvalidAppID, 40013, "invalid appid"},
	{CodeInvalidSecret, 40125, "invalid appsecret"},
	{CodeTokenMissing, 41001, "access_token missing"},
	{CodeAppIDMissing, 41002, "appid missing"},
	{CodeSecretMissing, 41004, "appsecret missing"},
	{CodeMediaMissing, 41005, "media data missing"},
	{CodeTokenExpired, 42001, "access_token expired"},
	{CodeEmptyPostData, 44002, "empty post data"},
	{CodeArticleLimit, 45008, "article size out of limit"},
	{CodeQuotaExceeded, 45009, "reach max api daily quota limit"},
	{CodeMinuteQuota, 45011, "api minute-quota reach limit"},
	{CodeOutOfWindow, 45015, "response out of time limit"},
	{CodeDataFormat, 47001, "data format error"},
	{CodeUnauthorized, 48001, "api unauthorized"},
}

func TestErrorCodeMessage(t *testing.T) {
	for _, tt := range protocolCodes {
		if int(tt.code) != tt.num {
			t.Errorf("code constant for %q is %d, want %d", tt.msg, int(tt.code), tt.num)
		}
		if got := tt.code.Message(); got != tt.msg {
			t.Errorf("ErrorCode(%d).Message() = %q, want %q", tt.num, got, tt.msg)
		}
	}
	for _, c := range []ErrorCode{1, -2, 40000, 40005, 45010, 99999} {
		if got := c.Message(); got != "" {
			t.Errorf("ErrorCode(%d).Message() = %q, want \"\" for a code outside the table", int(c), got)
		}
	}
}

// TestAPIErrorClasses: errors.As finds an *APIError through wrapping, and
// each code belongs to the classes it should (and no other).
func TestAPIErrorClasses(t *testing.T) {
	type class struct{ token, limit, input, temporary bool }
	want := map[ErrorCode]class{
		CodeSystemError:       {temporary: true},
		CodeOK:                {},
		CodeInvalidCredential: {token: true},
		CodeInvalidGrantType:  {input: true},
		CodeInvalidOpenID:     {input: true},
		CodeInvalidMediaType:  {input: true},
		CodeInvalidMediaSize:  {input: true},
		CodeInvalidMediaID:    {input: true},
		CodeInvalidMsgType:    {input: true},
		CodeInvalidAppID:      {input: true},
		CodeInvalidSecret:     {input: true},
		CodeTokenMissing:      {token: true},
		CodeAppIDMissing:      {input: true},
		CodeSecretMissing:     {input: true},
		CodeMediaMissing:      {input: true},
		CodeTokenExpired:      {token: true},
		CodeEmptyPostData:     {input: true},
		CodeArticleLimit:      {limit: true},
		CodeQuotaExceeded:     {limit: true},
		CodeMinuteQuota:       {limit: true},
		CodeOutOfWindow:       {limit: true},
		CodeDataFormat:        {input: true},
		CodeUnauthorized:      {},
	}
	if len(want) != len(protocolCodes) {
		t.Fatalf("class table has %d codes, the code table has %d", len(want), len(protocolCodes))
	}
	for _, pc := range protocolCodes {
		ae := &APIError{Code: pc.code, Msg: pc.msg}
		wrapped := fmt.Errorf("payfeedback: update feedback: %w", ae)
		var got *APIError
		if !errors.As(wrapped, &got) || got != ae {
			t.Errorf("errors.As did not find the *APIError %d through %%w", int(pc.code))
		}
		w := want[pc.code]
		g := class{IsTokenError(wrapped), IsLimitError(wrapped), IsInvalidInput(wrapped), ae.Temporary()}
		if g != w {
			t.Errorf("code %d: classes (token, limit, input, temporary) = %+v, want %+v", int(pc.code), g, w)
		}
		if msg := ae.Error(); msg != fmt.Sprintf("wechat: errcode %d: %s", pc.num, pc.msg) {
			t.Errorf("Error() = %q", msg)
		}
	}
	for _, err := range []error{nil, errors.New("io: timeout"), &DecodeError{Err: ErrMalformed}} {
		if IsTokenError(err) || IsLimitError(err) || IsInvalidInput(err) {
			t.Errorf("%v is classed as an API error", err)
		}
	}
}

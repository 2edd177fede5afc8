package payfeedback

import (
	"errors"
	"fmt"
)

// ErrorCode is a WeChat API errcode (the code table of docs/protocol.md).
// The API answers every error with HTTP 200 and a body
// {"errcode":N,"errmsg":"…"}.
type ErrorCode int

// The error codes of docs/protocol.md.
const (
	CodeSystemError       ErrorCode = -1    // system error: transient, retry later
	CodeOK                ErrorCode = 0     // ok
	CodeInvalidCredential ErrorCode = 40001 // an access_token not valid or not the latest
	CodeInvalidGrantType  ErrorCode = 40002 // grant_type is not client_credential
	CodeInvalidOpenID     ErrorCode = 40003 // unknown openid
	CodeInvalidMediaType  ErrorCode = 40004 // media upload: unknown media type
	CodeInvalidMediaSize  ErrorCode = 40006 // media upload: file too large for its type
	CodeInvalidMediaID    ErrorCode = 40007 // unknown media_id
	CodeInvalidMsgType    ErrorCode = 40008 // unknown customer message type
	CodeInvalidAppID      ErrorCode = 40013 // unknown appid
	CodeInvalidSecret     ErrorCode = 40125 // wrong appsecret (the 2014 table said 40001)
	CodeTokenMissing      ErrorCode = 41001 // access_token missing
	CodeAppIDMissing      ErrorCode = 41002 // appid missing
	CodeSecretMissing     ErrorCode = 41004 // appsecret missing
	CodeMediaMissing      ErrorCode = 41005 // media upload: no file
	CodeTokenExpired      ErrorCode = 42001 // access_token expired
	CodeEmptyPostData     ErrorCode = 44002 // empty post data
	CodeArticleLimit      ErrorCode = 45008 // news with too many articles
	CodeQuotaExceeded     ErrorCode = 45009 // api daily quota reached (reset at midnight, Beijing time)
	CodeMinuteQuota       ErrorCode = 45011 // calls too frequent: retry next minute
	CodeOutOfWindow       ErrorCode = 45015 // customer message outside the interaction window
	CodeDataFormat        ErrorCode = 47001 // body is not valid JSON or has the wrong shape
	CodeUnauthorized      ErrorCode = 48001 // no permission for this API
)

// Message returns the errmsg the live API wrote for the code, or "" for a
// code outside docs/protocol.md.
func (c ErrorCode) Message() string {
	switch c {
	case CodeSystemError:
		return "system error"
	case CodeOK:
		return "ok"
	case CodeInvalidCredential:
		return "invalid credential"
	case CodeInvalidGrantType:
		return "invalid grant_type"
	case CodeInvalidOpenID:
		return "invalid openid"
	case CodeInvalidMediaType:
		return "invalid media type"
	case CodeInvalidMediaSize:
		return "invalid meida size" // sic: the live API's spelling
	case CodeInvalidMediaID:
		return "invalid media_id"
	case CodeInvalidMsgType:
		return "invalid message type"
	case CodeInvalidAppID:
		return "invalid appid"
	case CodeInvalidSecret:
		return "invalid appsecret"
	case CodeTokenMissing:
		return "access_token missing"
	case CodeAppIDMissing:
		return "appid missing"
	case CodeSecretMissing:
		return "appsecret missing"
	case CodeMediaMissing:
		return "media data missing"
	case CodeTokenExpired:
		return "access_token expired"
	case CodeEmptyPostData:
		return "empty post data"
	case CodeArticleLimit:
		return "article size out of limit"
	case CodeQuotaExceeded:
		return "reach max api daily quota limit"
	case CodeMinuteQuota:
		return "api minute-quota reach limit"
	case CodeOutOfWindow:
		return "response out of time limit"
	case CodeDataFormat:
		return "data format error"
	case CodeUnauthorized:
		return "api unauthorized"
	}
	return ""
}

// APIError is an error answered by the WeChat API (errcode ≠ 0). Use
// errors.As to get at the code, or the Is* helpers for the common classes.
type APIError struct {
	Code ErrorCode `json:"errcode"`
	Msg  string    `json:"errmsg"`
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("wechat: errcode %d: %s", int(e.Code), e.Msg)
}

// Temporary reports whether retrying the same call later may succeed.
func (e *APIError) Temporary() bool {
	return e.Code == CodeSystemError
}

// IsTokenError reports whether err is an API error about the access_token
// (invalid, missing or expired): fetch a new token and retry.
func IsTokenError(err error) bool {
	return hasCode(err, CodeInvalidCredential, CodeTokenMissing, CodeTokenExpired)
}

// IsLimitError reports whether err is an API error about a limit (the daily
// quota, the per-minute frequency, the article count, the messaging
// window).
func IsLimitError(err error) bool {
	return hasCode(err, CodeQuotaExceeded, CodeMinuteQuota, CodeArticleLimit, CodeOutOfWindow)
}

// IsInvalidInput reports whether err is an API error about the request
// itself (unknown openid, media id, message type, wrong secret, bad JSON,
// …): retrying it unchanged will fail again.
func IsInvalidInput(err error) bool {
	return hasCode(err, CodeInvalidGrantType, CodeInvalidOpenID, CodeInvalidMediaType,
		CodeInvalidMediaSize, CodeInvalidMediaID, CodeInvalidMsgType, CodeInvalidAppID,
		CodeInvalidSecret, CodeAppIDMissing, CodeSecretMissing, CodeMediaMissing,
		CodeEmptyPostData, CodeDataFormat)
}

func hasCode(err error, codes ...ErrorCode) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.Code == c {
			return true
		}
	}
	return false
}

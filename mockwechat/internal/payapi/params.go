package payapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// decodeBody decodes a JSON body into a T: WeChat refuses what is not JSON
// of the request's shape, and (unless acceptUnknown) members other than the
// known ones (T's JSON names).
func decodeBody[T any](known map[string]bool, acceptUnknown bool, body []byte) (T, *apiv3.Error) {
	var v T
	if len(bytes.TrimSpace(body)) == 0 {
		return v, paramError("", "body", "请求体为空", "the request has no JSON body")
	}
	if err := json.Unmarshal(body, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			ptr := "/" + strings.ReplaceAll(te.Field, ".", "/")
			return v, paramError(ptr, "body", fmt.Sprintf("输入源“%s”映射到值字段“%s”类型不匹配", ptr, te.Field),
				fmt.Sprintf("a JSON %s where %s is expected", te.Value, te.Type))
		}
		return v, paramError("", "body", "请求体不是合法的JSON", "the body is not JSON: "+err.Error())
	}
	if acceptUnknown {
		return v, nil
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return v, paramError("", "body", "请求体不是合法的JSON", "the body is not a JSON object")
	}
	for name := range members {
		if !known[name] {
			return v, paramError("/"+name, "body", fmt.Sprintf("输入源“/%s”映射到值字段“%s”不存在", name, name),
				fmt.Sprintf("the body has a member %q the request does not take: leave it out (WeChat refuses, for one, a complaint_id in the body)", clip(name, 64)))
		}
	}
	return v, nil
}

// pointer turns a ValidationError's field ("message.blocks[1].text.text")
// into a JSON pointer ("/message/blocks/1/text/text").
func pointer(field string) string {
	var b strings.Builder
	b.Grow(len(field) + 1)
	b.WriteByte('/')
	for i := 0; i < len(field); i++ {
		switch c := field[i]; c {
		case '.', '[':
			b.WriteByte('/')
		case ']':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// maxLength is the documented length limit of a text member, by its name
// (0: none documented), for the message of a length refusal.
func maxLength(name string) int {
	switch name {
	case "response_content":
		return complaints.MaxResponseContentLength
	case "jump_url":
		return complaints.MaxJumpURLLength
	case "jump_url_text":
		return complaints.MaxJumpURLTextLength
	case "reject_reason":
		return complaints.MaxRejectReasonLength
	case "remark":
		return complaints.MaxRemarkLength
	case "custom_data":
		return complaints.MaxCustomDataLength
	case "idempotent_id":
		return complaints.MaxIdempotentIDLength
	case "url":
		return complaints.MaxNotifyURLLength
	case "complainted_mchid":
		return complaints.MaxMchIDLength
	}
	return 0
}

// validationAnswer answers a request the complaints package's Validate
// refused: 400 PARAM_ERROR, detail {field, location, issue}, and a message
// in WeChat's format ("输入源“…”映射到值字段“…”字符串规则校验失败,字符数 231,大于最大值
// 200。" for a text too long, the form WeChat's own answer had).
func validationAnswer(v *complaints.ValidationError, location string, body []byte) *apiv3.Error {
	field := v.Field
	if location == "body" {
		field = pointer(v.Field)
	}
	name := field[strings.LastIndexByte(field, '/')+1:]
	message := fmt.Sprintf("输入源“%s”映射到值字段“%s”规则校验失败,%s。", field, name, v.Reason)
	if max := maxLength(name); max > 0 && location == "body" {
		if s, ok := valueAt(body, field).(string); ok && utf8.RuneCountInString(s) > max {
			message = fmt.Sprintf("输入源“%s”映射到值字段“%s”字符串规则校验失败,字符数 %d,大于最大值 %d。", field, name, utf8.RuneCountInString(s), max)
		}
	}
	return paramError(field, location, message, v.Reason)
}

// valueAt returns the JSON value at pointer ptr in body (nil when absent).
func valueAt(body []byte, ptr string) any {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	for _, key := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		switch node := v.(type) {
		case map[string]any:
			v = node[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			v = node[i]
		default:
			return nil
		}
	}
	return v
}

// failure answers an error of the world or of a request's Validate.
func failure(err error, location string, body []byte) answer {
	var v *complaints.ValidationError
	var r *payworld.Refusal
	switch {
	case errors.As(err, &v):
		return fail(validationAnswer(v, location, body))
	case errors.As(err, &r):
		return fail(r.Answer())
	case errors.Is(err, payworld.ErrClosed):
		return fail(&apiv3.Error{StatusCode: http.StatusServiceUnavailable, Code: apiv3.CodeServiceUnavailable, Message: "服务暂时不可用",
			Detail: &apiv3.ErrorDetail{Issue: "the fake is shutting down"}})
	}
	return fail(&apiv3.Error{StatusCode: http.StatusInternalServerError, Code: apiv3.CodeSystemError, Message: "系统错误",
		Detail: &apiv3.ErrorDetail{Issue: err.Error()}})
}

// queryInt reads an integer parameter of the query ("" when absent: 0).
func queryInt(raw, name string) (int, *apiv3.Error) {
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, paramError(name, "query", fmt.Sprintf("输入源“%s”映射到值字段“%s”类型不匹配", name, name), fmt.Sprintf("%q is not an integer", clip(raw, 32)))
	}
	return n, nil
}

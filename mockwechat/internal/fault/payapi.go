package fault

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
)

// EndpointPayAPI names the Complaints 2.0 API (every /v3/ call) in faults
// and the admin API.
const EndpointPayAPI = "pay-api"

// PayAPI reports whether the fault is about Complaints 2.0 API calls.
func (f Fault) PayAPI() bool { return f.Endpoint == EndpointPayAPI }

// PayAPIPlan is what a fault does to a Complaints 2.0 API call: wait, then
// answer instead of the endpoint, or go on (Answer Proceed).
type PayAPIPlan struct {
	Delay time.Duration
	// Answer is AnswerErrCode (WeChat's error body with Code, signed, at
	// Status), AnswerHTTPStatus (Status with a plain-text body, unsigned,
	// as a failing gateway answers), AnswerDrop or Proceed.
	Answer Answer
	Code   apiv3.Code
	Status int
}

// codeStatus is the HTTP status WeChat answers each documented code with
// (docs/apiv3.md, "Errors"; the fake answers the same).
var codeStatus = map[apiv3.Code]int{
	apiv3.CodeParamError: http.StatusBadRequest, apiv3.CodeInvalidRequest: http.StatusBadRequest,
	apiv3.CodeSignError: http.StatusUnauthorized, apiv3.CodeNoAuth: http.StatusForbidden,
	apiv3.CodeOrderNotExist: http.StatusNotFound, apiv3.CodeResourceNotExists: http.StatusBadRequest,
	apiv3.CodeFrequencyLimited: http.StatusTooManyRequests, apiv3.CodeRateLimitExceeded: http.StatusTooManyRequests,
	apiv3.CodeRateLimited: http.StatusTooManyRequests, apiv3.CodeSystemError: http.StatusInternalServerError,
	apiv3.CodeServiceUnavailable: http.StatusServiceUnavailable,
}

// payAPIOperations are the Complaints 2.0 endpoints a fault may name.
var payAPIOperations = []complaints.Endpoint{complaints.EndpointList, complaints.EndpointDetail, complaints.EndpointHistory,
	complaints.EndpointResponse, complaints.EndpointComplete, complaints.EndpointRefundProgress, complaints.EndpointImmediateService,
	complaints.EndpointNotificationURL, complaints.EndpointImageUpload, complaints.EndpointImageDownload}

// payAPIPlan checks a Complaints 2.0 API fault and returns its plan.
func (f Fault) payAPIPlan() (PayAPIPlan, error) {
	k := f.Kinds()
	switch {
	case f.Count < 0:
		return PayAPIPlan{}, errors.New("mockwechat: fault Count must be 0 (once) or positive")
	case f.Delay < 0:
		return PayAPIPlan{}, errors.New("mockwechat: fault Delay must not be negative")
	case f.AppID != "" || f.MsgType != "" || f.ErrCode != 0:
		return PayAPIPlan{}, errors.New("mockwechat: a Complaints 2.0 API fault names a merchant (MchID), an operation and a code (Code: SYSTEM_ERROR…), not an AppID, a MsgType or an ErrCode (V1.5's)")
	case k&^apiKinds != 0 || f.callbackFields():
		return PayAPIPlan{}, fmt.Errorf("mockwechat: Complaints 2.0 API faults take Code, HTTPStatus, Drop and Delay; Duplicate, OutOfOrder, TamperSignature, TamperFields, ActionType, TamperBody, Stale, UnknownMembers, SendActionType and OtherKey are for callbacks (Endpoint %q) or pushes", EndpointPayCallback)
	case f.Operation != "" && !slices.Contains(payAPIOperations, f.Operation):
		return PayAPIPlan{}, fmt.Errorf("mockwechat: fault Operation %q: want one of %s, or \"\" for any", text.Clip(string(f.Operation), 40), operationNames())
	case f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 599):
		return PayAPIPlan{}, fmt.Errorf("mockwechat: fault HTTPStatus %d: want 400 to 599", f.HTTPStatus)
	case f.Drop && (f.Code != "" || f.HTTPStatus != 0):
		return PayAPIPlan{}, errors.New("mockwechat: fault: Drop answers nothing; leave Code and HTTPStatus out")
	case f.Code != "" && !validCode(f.Code):
		return PayAPIPlan{}, fmt.Errorf("mockwechat: fault Code %q: want an APIv3 code in capitals (SYSTEM_ERROR, FREQUENCY_LIMITED…)", text.Clip(string(f.Code), 40))
	case f.Code != "" && f.HTTPStatus == 0 && codeStatus[f.Code] == 0:
		return PayAPIPlan{}, fmt.Errorf("mockwechat: fault Code %s is not one the fake knows the status of: give HTTPStatus too", f.Code)
	case f.Code == "" && f.HTTPStatus == 0 && !f.Drop && f.Delay == 0:
		return PayAPIPlan{}, errors.New("mockwechat: Complaints 2.0 API fault does nothing: set Code, HTTPStatus, Drop or Delay")
	}
	p := PayAPIPlan{Delay: f.Delay, Code: f.Code, Status: f.HTTPStatus}
	switch {
	case f.Drop:
		p.Answer = AnswerDrop
	case f.Code != "":
		p.Answer = AnswerErrCode
		if p.Status == 0 {
			p.Status = codeStatus[f.Code]
		}
	case f.HTTPStatus != 0:
		p.Answer = AnswerHTTPStatus
	}
	return p, nil
}

// callbackFields reports whether f sets a field only Complaints 2.0
// callbacks take.
func (f Fault) callbackFields() bool {
	return f.ActionType != "" || f.TamperBody || f.Stale != 0 || f.UnknownMembers || f.SendActionType != "" || f.OtherKey
}

// payAPIFields reports whether f sets a field only Complaints 2.0 API
// faults take.
func (f Fault) payAPIFields() bool { return f.Code != "" || f.Operation != "" }

func operationNames() string {
	names := make([]string, len(payAPIOperations))
	for i, o := range payAPIOperations {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// validCode reports whether c looks like an APIv3 code: capitals, digits
// and underscores, at most 64.
func validCode(c apiv3.Code) bool {
	if len(c) == 0 || len(c) > 64 {
		return false
	}
	for _, r := range c {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// String names the plan in the call log: "code SYSTEM_ERROR", "http 502",
// "drop", "delay 2s+code FREQUENCY_LIMITED".
func (p PayAPIPlan) String() string {
	var parts []string
	if p.Delay > 0 {
		parts = append(parts, "delay "+p.Delay.String())
	}
	switch p.Answer {
	case AnswerErrCode:
		parts = append(parts, "code "+string(p.Code))
	case AnswerHTTPStatus:
		parts = append(parts, fmt.Sprintf("http %d", p.Status))
	case AnswerDrop:
		parts = append(parts, "drop")
	}
	return strings.Join(parts, "+")
}

// TakePayAPI returns the plan of a Complaints 2.0 API call of operation op
// by merchant mchid, using up one use of the fault; false when none
// matches.
func (s *Set) TakePayAPI(mchid string, op complaints.Endpoint) (PayAPIPlan, bool) {
	r, ok := s.take(func(r *rule) bool {
		return r.PayAPI() && (r.MchID == "" || r.MchID == mchid) && (r.Operation == "" || r.Operation == op)
	})
	if !ok {
		return PayAPIPlan{}, false
	}
	return r.payAPI, true
}

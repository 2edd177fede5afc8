package mockwechat

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Fault makes the fake misbehave on purpose for the next Count calls of an
// endpoint (or pushes), so a merchant can test retries, dedupe and
// verification. Faults are matched in the order they were added; each
// matching call or push attempt uses up one.
//
// On an API endpoint, set one of ErrCode (answer this errcode, HTTP 200),
// HTTPStatus (answer this status with a plain-text body, as a failing
// gateway would) or Drop (close the connection without answering); Delay
// waits that long (real time) first, and alone only slows the call down.
//
// On pushes (Endpoint EndpointPush), set Drop (the attempt is never sent
// and counts as failed, so the retry schedule runs), Delay (the attempt is
// sent that much later on the fake's clock), OutOfOrder (the notification
// is held back until another notification of the account has been
// attempted, or the first retry delay), or any of Duplicate (the same
// bytes are sent twice), TamperSignature (the AppSignature is altered: a
// correct receiver refuses it and the retry carries a good one) and
// TamperFields (after the genuine attempt, a forged copy with the same
// AppSignature and TimeStamp but another FeedBackId, TransId and Reason is
// sent; its answer never counts as an acknowledgement).
type Fault struct {
	// AppID limits the fault to one account; "" matches any.
	AppID string `json:"appid,omitempty"`
	// Endpoint is an API path (PathToken, …), EndpointPush, or "" for any
	// API endpoint.
	Endpoint string `json:"endpoint,omitempty"`
	// MsgType limits a push fault to one kind of notification; "" any.
	MsgType payfeedback.MsgType `json:"msgtype,omitempty"`
	// Count is how many calls or push attempts the fault affects; 0 is 1.
	Count int `json:"count,omitempty"`

	ErrCode    payfeedback.ErrorCode `json:"errcode,omitempty"`
	HTTPStatus int                   `json:"http_status,omitempty"`
	Delay      time.Duration         `json:"delay,omitempty"`
	Drop       bool                  `json:"drop,omitempty"`

	Duplicate       bool `json:"duplicate,omitempty"`
	OutOfOrder      bool `json:"out_of_order,omitempty"`
	TamperSignature bool `json:"tamper_signature,omitempty"`
	TamperFields    bool `json:"tamper_fields,omitempty"`
}

func (f Fault) push() bool { return f.Endpoint == EndpointPush }

func (f Fault) validate() error {
	if f.Count < 0 {
		return errors.New("mockwechat: fault Count must be 0 (once) or positive")
	}
	if f.Delay < 0 {
		return errors.New("mockwechat: fault Delay must not be negative")
	}
	if f.push() {
		if f.ErrCode != 0 || f.HTTPStatus != 0 {
			return errors.New("mockwechat: push faults take Drop, Delay, OutOfOrder, Duplicate, TamperSignature or TamperFields, not ErrCode or HTTPStatus")
		}
		if f.MsgType != "" && !f.MsgType.Valid() {
			return fmt.Errorf("mockwechat: fault MsgType %q: want request, confirm or reject", f.MsgType)
		}
		alone := 0
		for _, b := range []bool{f.Drop, f.Delay > 0, f.OutOfOrder} {
			if b {
				alone++
			}
		}
		combinable := f.Duplicate || f.TamperSignature || f.TamperFields
		if alone > 1 || (alone == 1 && combinable) {
			return errors.New("mockwechat: push fault: Drop, Delay and OutOfOrder each go alone (Duplicate, TamperSignature and TamperFields combine)")
		}
		if alone == 0 && !combinable {
			return errors.New("mockwechat: push fault does nothing: set Drop, Delay, OutOfOrder, Duplicate, TamperSignature or TamperFields")
		}
		return nil
	}
	if f.Endpoint != "" && !isAPIPath(f.Endpoint) {
		return fmt.Errorf("mockwechat: fault endpoint %q: want an API path (%s, %s, %s, %s, %s), %q or \"\"",
			clip(f.Endpoint, 64), PathToken, PathUpdate, PathCustomSend, PathDeliverNotify, PathMediaUpload, EndpointPush)
	}
	if f.MsgType != "" || f.Duplicate || f.OutOfOrder || f.TamperSignature || f.TamperFields {
		return errors.New("mockwechat: MsgType, Duplicate, OutOfOrder, TamperSignature and TamperFields apply to pushes only (Endpoint \"push\")")
	}
	if f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 599) {
		return fmt.Errorf("mockwechat: fault HTTPStatus %d: want 400 to 599", f.HTTPStatus)
	}
	n := 0
	for _, b := range []bool{f.ErrCode != 0, f.HTTPStatus != 0, f.Drop} {
		if b {
			n++
		}
	}
	if n > 1 {
		return errors.New("mockwechat: fault: set one of ErrCode, HTTPStatus and Drop")
	}
	if n == 0 && f.Delay == 0 {
		return errors.New("mockwechat: fault does nothing: set ErrCode, HTTPStatus, Drop or Delay")
	}
	return nil
}

// describe names the fault in call and delivery logs.
func (f Fault) describe() string {
	var parts []string
	if f.Delay > 0 {
		if f.push() {
			parts = append(parts, "late "+f.Delay.String())
		} else {
			parts = append(parts, "delay "+f.Delay.String())
		}
	}
	if f.ErrCode != 0 {
		parts = append(parts, fmt.Sprintf("errcode %d", f.ErrCode))
	}
	if f.HTTPStatus != 0 {
		parts = append(parts, fmt.Sprintf("http %d", f.HTTPStatus))
	}
	for _, p := range []struct {
		on   bool
		name string
	}{{f.Drop, "drop"}, {f.Duplicate, "duplicate"}, {f.OutOfOrder, "out-of-order"},
		{f.TamperSignature, "tamper-signature"}, {f.TamperFields, "tamper-fields"}} {
		if p.on {
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, "+")
}

// faultSet holds the active faults.
type faultSet struct {
	active atomic.Int32 // fast path: no lock when no fault is set
	mu     sync.Mutex
	list   []*Fault // Count is the remaining count
}

// AddFault adds a fault after checking it makes sense.
func (s *Server) AddFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	if f.Count == 0 {
		f.Count = 1
	}
	s.faults.mu.Lock()
	s.faults.list = append(s.faults.list, &f)
	s.faults.active.Store(int32(len(s.faults.list)))
	s.faults.mu.Unlock()
	return nil
}

// InjectFault is AddFault for tests: it panics when the fault makes no
// sense (the message says why).
func (s *Server) InjectFault(f Fault) {
	if err := s.AddFault(f); err != nil {
		panic(err)
	}
}

// Faults returns the active faults, Count being what remains.
func (s *Server) Faults() []Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make([]Fault, len(s.faults.list))
	for i, f := range s.faults.list {
		out[i] = *f
	}
	return out
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.list = nil
	s.faults.active.Store(0)
	s.faults.mu.Unlock()
}

func (fs *faultSet) take(match func(f *Fault) bool) (Fault, bool) {
	if fs.active.Load() == 0 {
		return Fault{}, false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if !match(f) {
			continue
		}
		out := *f
		f.Count--
		if f.Count <= 0 {
			fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
			fs.active.Store(int32(len(fs.list)))
		}
		return out, true
	}
	return Fault{}, false
}

func (fs *faultSet) takeAPI(endpoint, appID string) (Fault, bool) {
	return fs.take(func(f *Fault) bool {
		return !f.push() && (f.Endpoint == "" || f.Endpoint == endpoint) && (f.AppID == "" || f.AppID == appID)
	})
}

func (fs *faultSet) takePush(appID string, t payfeedback.MsgType) (Fault, bool) {
	return fs.take(func(f *Fault) bool {
		return f.push() && (f.AppID == "" || f.AppID == appID) && (f.MsgType == "" || f.MsgType == t)
	})
}

// applyAPIFault applies f to an API call; handled is false when the call
// should go on (a delay alone).
func (s *Server) applyAPIFault(c *apiCall, f Fault) (resp response, handled bool) {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case f.Drop:
		resp = response{code: codeSystemError, dropped: true}
		if hj, ok := c.w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return resp, true
			}
		}
		resp.abort = true
		return resp, true
	case f.HTTPStatus != 0:
		return response{code: codeSystemError, status: f.HTTPStatus, text: true,
			body: []byte(fmt.Sprintf("mockwechat: injected HTTP %d\n", f.HTTPStatus))}, true
	case f.ErrCode != 0:
		return fail(f.ErrCode, "mock: injected fault"), true
	}
	return response{}, false
}

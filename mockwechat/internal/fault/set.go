package fault

import (
	"sync"
	"sync/atomic"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// Set holds the active faults, in the order they were added. Safe for
// concurrent use; with no fault set, taking one costs an atomic load.
type Set struct {
	endpoints []string // the API paths a fault may name

	active atomic.Int32 // len(rules): the fast path reads it without mu
	mu     sync.Mutex   // guards rules and lastID; a leaf lock
	rules  []*rule
	lastID uint64
}

// rule is a checked fault: the Fault (its Count the uses left) and its
// plan.
type rule struct {
	Fault
	api    API
	push   push.Plan
	pay    paypush.Plan
	payAPI PayAPIPlan
}

// NewSet returns an empty set for a fake serving the API paths endpoints.
func NewSet(endpoints []string) *Set {
	return &Set{endpoints: endpoints}
}

// Add checks f against the rules of Fault and adds it, numbered.
func (s *Set) Add(f Fault) (Fault, error) {
	var a API
	var p push.Plan
	var pay paypush.Plan
	var payAPI PayAPIPlan
	var err error
	switch {
	case f.PayCallback():
		pay, err = f.payPlan()
	case f.PayAPI():
		payAPI, err = f.payAPIPlan()
	default:
		a, p, err = f.compile(s.endpoints)
	}
	if err != nil {
		return Fault{}, err
	}
	if f.Count == 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	f.ID = s.lastID
	s.rules = append(s.rules, &rule{Fault: f, api: a, push: p, pay: pay, payAPI: payAPI})
	s.active.Store(int32(len(s.rules)))
	return f, nil
}

// Remove removes the fault numbered id, and reports whether it was still
// active.
func (s *Set) Remove(id uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.ID == id {
			s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			s.active.Store(int32(len(s.rules)))
			return true
		}
	}
	return false
}

// List returns the active faults, Count being the uses left.
func (s *Set) List() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.Fault
	}
	return out
}

// Clear removes every fault.
func (s *Set) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
	s.active.Store(0)
}

// take uses up one use of the first rule that matches.
func (s *Set) take(match func(r *rule) bool) (*rule, bool) {
	if s.active.Load() == 0 {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if !match(r) {
			continue
		}
		out := *r
		r.Count--
		if r.Count <= 0 {
			s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			s.active.Store(int32(len(s.rules)))
		}
		return &out, true
	}
	return nil, false
}

// TakeAPI returns the plan of a call of endpoint by appID, using up one
// use of the fault; false when none matches.
func (s *Set) TakeAPI(endpoint, appID string) (API, bool) {
	r, ok := s.take(func(r *rule) bool {
		return !r.Push() && !r.PayCallback() && !r.PayAPI() && (r.Endpoint == "" || r.Endpoint == endpoint) && (r.AppID == "" || r.AppID == appID)
	})
	if !ok {
		return API{}, false
	}
	return r.api, true
}

// TakePush returns the plan of a push attempt of a notification of type t
// to appID's account, using up one use of the fault; false when none
// matches.
func (s *Set) TakePush(appID string, t payfeedback.MsgType) (push.Plan, bool) {
	r, ok := s.take(func(r *rule) bool {
		return r.Push() && (r.AppID == "" || r.AppID == appID) && (r.MsgType == "" || r.MsgType == t)
	})
	if !ok {
		return push.Plan{}, false
	}
	return r.push, true
}

// Active reports whether any fault is set (an atomic load).
func (s *Set) Active() bool { return s.active.Load() > 0 }

package mockwechat

import (
	"fmt"

	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
)

// Injecting faults: the Server's Go API over its set of active faults.

// AddFault adds a fault after checking it makes sense (see Fault for the
// rules). Faults lists it with the ID it was given.
func (s *Server) AddFault(f Fault) error { return s.addFault(faultToSet(f)) }

// addFault adds f for the Go and the admin APIs; a Complaints 2.0 fault is
// refused when Complaints 2.0 is off, as it would never fire.
func (s *Server) addFault(f fault.Fault) error {
	if s.pay == nil && (f.PayAPI() || f.PayCallback()) {
		return fmt.Errorf("mockwechat: a %s fault needs Complaints 2.0, which is off here (Options.Pay nil, or payfeedback mock --pay=false)", f.Endpoint)
	}
	_, err := s.faults.Add(f)
	return err
}

// InjectFault is AddFault for tests: it panics when the fault makes no
// sense (the message says why).
func (s *Server) InjectFault(f Fault) {
	if err := s.AddFault(f); err != nil {
		panic(err)
	}
}

// Faults returns the active faults, Count being what remains.
func (s *Server) Faults() []Fault { return convertAll(s.faults.List(), faultFromSet) }

// RemoveFault removes the active fault numbered id (Fault.ID); it wraps
// ErrNotFound when there is none (removed, or used up).
func (s *Server) RemoveFault(id uint64) error {
	if !s.faults.Remove(id) {
		return fmt.Errorf("mockwechat: no active fault %d (used up, or removed): %w", id, ErrNotFound)
	}
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

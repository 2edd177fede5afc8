package mockwechat

import "fmt"

// Injecting faults: the Server's Go API over its set of active faults.

// AddFault adds a fault after checking it makes sense (see Fault for the
// rules). Faults lists it with the ID it was given.
func (s *Server) AddFault(f Fault) error {
	_, err := s.faults.Add(faultToSet(f))
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

package mockwechat

// AddFault adds a fault after checking it makes sense (see Fault for the
// rules).
func (s *Server) AddFault(f Fault) error { return s.faults.Add(f) }

// InjectFault is AddFault for tests: it panics when the fault makes no
// sense (the message says why).
func (s *Server) InjectFault(f Fault) {
	if err := s.AddFault(f); err != nil {
		panic(err)
	}
}

// Faults returns the active faults, Count being what remains.
func (s *Server) Faults() []Fault { return s.faults.List() }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

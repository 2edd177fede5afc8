package mockwechat

import (
	"context"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// origin is the start state Reset goes back to: the world as the options
// made it, the clock's start and the faults.
type origin struct {
	world  world.State
	clock  time.Time
	faults []fault.Fault
}

// Reset puts the fake back in its start state, as New made it from its
// Options: the world (accounts, users, orders, complaints, tokens, media,
// inboxes) as it was, ids generated again in the same order; the virtual
// clock back at its start; the faults as they were; the call log and the
// delivery log emptied (their numbering goes on, so that pollers paging
// with since or after are not confused); pushes queued or being attempted
// cancelled and never recorded, their retries forgotten; deadlines
// scheduled again from the start. What was added after New (accounts,
// complaints, faults…) is gone. Subscribers hear one EventWorld change,
// ChangeKind "world-reset". A merchant's cached token answers 40001
// afterwards, as after a restart.
//
// A VirtualClock shared with other servers is set back for them too.
// Reset fails only when the server is closed (ErrClosed) or ctx has
// ended.
func (s *Server) Reset(ctx context.Context) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.resetMu.Lock()
	defer s.resetMu.Unlock()
	if s.life.isClosing() {
		return ErrClosed
	}
	// Nothing of the old world may fire or push into the new one.
	s.push.Reset()
	s.bus.Reset()
	s.sched.Clear()
	s.push.WaitIdle() // the cancelled attempts return at once
	if v := s.sched.Virtual(); v != nil {
		v.Set(s.origin.clock)
	}
	s.faults.Clear()
	for _, f := range s.origin.faults {
		if _, err := s.faults.Add(f); err != nil {
			return err // checked when first added
		}
	}
	s.calls.Clear()
	s.api.Reset()
	fx, err := s.world.Restore(s.origin.world)
	if err != nil {
		return err
	}
	fx.Changes = append(fx.Changes, events.Change{What: events.WorldReset})
	s.apply(fx)
	s.feed.Wake()
	return nil
}

// keepOrigin records the start state Reset goes back to.
func (s *Server) keepOrigin() {
	s.origin = origin{world: s.world.Snapshot(), clock: s.sched.Now(), faults: s.faults.List()}
}

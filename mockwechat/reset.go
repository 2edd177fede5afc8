package mockwechat

import (
	"context"
	"fmt"

	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// Reset puts the fake back in its start state, as New made it from its
// Options and Options.Scenario, but for the accounts: the world (users,
// orders, complaints, tokens, media, inboxes) as it was; the virtual clock
// back at its start; the faults as they were; the scenario's later
// complaints and actions scheduled again; the call log and the delivery
// log emptied (their numbering goes on, so that pollers paging with since
// or after are not confused); pushes queued or being attempted cancelled
// and never recorded, their retries forgotten; deadlines scheduled again
// from the start. What was added after New (users, complaints, faults…)
// is gone. Subscribers hear one EventWorld change, ChangeKind
// "world-reset". A merchant's cached token answers 40001 afterwards, as
// after a restart.
//
// The accounts are the merchant's set-up, not a test's state: Reset keeps
// them as they stand, those added since and the settings changed since
// (notify URL, permissions, reasons, solutions) included, so that pushes
// still reach a merchant that set its URL at run time. Ids are never
// handed out twice, as WeChat's are not: the id generator goes on from
// where it is, and a complaint filed after a reset gets an id no complaint
// had before it (with Options.Seed, the same ids run after run).
//
// Complaints 2.0 (Options.Pay) is reset likewise: its complaints and
// images go, its callbacks are forgotten; its identity (keys, mode), its
// merchants and their callback URLs stay, and its ids go on.
//
// A VirtualClock shared with other servers is set back for them too.
// Reset fails only when the server is closed (ErrClosed) or ctx has
// ended.
func (s *Server) Reset(ctx context.Context) error {
	return s.restart(ctx, s.origin, s.world.Reset, true)
}

// Restore replaces the world by a snapshot (see Snapshot), as Reset
// replaces it by the start state: the virtual clock is set to the
// snapshot's clock.start, the logs are emptied, pushes in flight are
// cancelled. Reset still goes back to the start New made, not to the
// snapshot. The snapshot's accounts replace the fake's.
//
// Complaints 2.0 (the snapshot's pay) is restored likewise: its
// merchants and callback URLs, complaints, images, the mode, the id
// generator, and its callbacks, those still pending resuming on the
// fake's clock at their next attempt (at once when it is past). The
// identity stays the fake's: the snapshot's merchant of the identity's
// mchid takes the identity's keys (and its complaints' payer_phone is
// encrypted anew when they differ), so a snapshot taken without secrets
// needs nothing given back for it. A snapshot without pay (one from
// before Complaints 2.0) empties Complaints 2.0 as Reset does.
func (s *Server) Restore(ctx context.Context, sc *Scenario) error {
	psc := scenarioToParse(sc)
	c, err := psc.Compile(s.worldCfg, nil, s.sched.Now())
	if err != nil {
		return scenarioErr(err)
	}
	if c, err = s.withPay(c, psc); err != nil {
		return err
	}
	return s.restart(ctx, c, s.world.Restore, false)
}

// restart clears everything that runs and loads c's world with put
// (World.Reset, or Restore); reset keeps Complaints 2.0's merchants and
// ids as they stand (Reset).
func (s *Server) restart(ctx context.Context, c scenario.Compiled, put func(world.State) (events.Effects, error), reset bool) error {
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
		v.Set(c.Start)
	}
	s.faults.Clear()
	s.calls.Clear()
	s.api.Reset()
	if s.pay != nil {
		if err := s.pay.reset(); err != nil {
			return err
		}
	}
	if err := s.load(c, put, reset); err != nil {
		return err
	}
	s.apply(events.Effects{Changes: []events.Change{{What: events.WorldReset}}})
	s.feed.Wake()
	return nil
}

// load puts c's world in place with put (World.Restore, or Reset), its
// Complaints 2.0 part (reset: keeping the merchants and ids as they
// stand), its faults, deadlines and later entries (nothing else may run:
// New, or restart under resetMu).
func (s *Server) load(c scenario.Compiled, put func(world.State) (events.Effects, error), reset bool) error {
	fx, err := put(c.State)
	if err != nil {
		return err
	}
	if c.Pay != nil && s.pay != nil {
		if err := s.pay.load(c.Pay, reset, c.Start); err != nil {
			return err
		}
	}
	for i, f := range c.Faults {
		if _, err := s.faults.Add(f); err != nil {
			return fmt.Errorf("mockwechat: scenario: faults[%d]: %w", i, err)
		}
	}
	s.apply(fx)
	s.timeline.start(s, c.Future)
	if s.pay != nil {
		s.pay.probes.arm(s)
	}
	return nil
}

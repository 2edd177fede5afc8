package mockwechat

import (
	"fmt"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// MinPayProbeEvery is the shortest interval of scheduled SIGNTEST probes
// (PayOptions.ProbeEvery): a shorter one would flood a virtual clock's
// Advance with probes.
const MinPayProbeEvery = paypush.MinProbeEvery

// probeSchedule sends a SIGNTEST probe to each merchant with a callback
// URL every interval on the fake's clock, as WeChat does to check that
// merchants verify signatures. The interval is the fake's setting, kept
// across Reset; the next probe is one interval after the schedule was
// (re)armed, then one interval after the last.
//
// Lock order: mu is a leaf, never held while calling the clock or the
// engine.
type probeSchedule struct {
	mu    sync.Mutex
	every time.Duration
	gen   uint64 // a re-arm forgets the probe scheduled before
	next  *clock.Event
}

// checkProbeEvery refuses an interval the schedule cannot keep.
func checkProbeEvery(d time.Duration) error {
	if err := paypush.CheckProbeEvery(d); err != nil {
		return fmt.Errorf("mockwechat: %w", err)
	}
	return nil
}

// interval returns the interval (0: none).
func (ps *probeSchedule) interval() time.Duration {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.every
}

// set changes the interval; arm then schedules it.
func (ps *probeSchedule) set(d time.Duration) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.every = d
}

// arm (re)schedules the next probe one interval from now, forgetting the
// one scheduled before: at New, after a restart (whose clock Clear forgot
// it) and when the interval changes.
func (ps *probeSchedule) arm(s *Server) {
	ps.mu.Lock()
	ps.gen++
	gen, every, old := ps.gen, ps.every, ps.next
	ps.next = nil
	ps.mu.Unlock()
	if old != nil {
		s.sched.Cancel(old)
	}
	if every > 0 {
		ps.schedule(s, gen, s.sched.Now().Add(every))
	}
}

// schedule arranges the probes of generation gen at t.
func (ps *probeSchedule) schedule(s *Server, gen uint64, t time.Time) {
	ev := s.sched.At(t, func() { ps.fire(s, gen, t) })
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if gen == ps.gen {
		ps.next = ev
	}
}

// fire sends the probes due at t, unless a re-arm came in between, and
// schedules the next ones an interval after t (not after now: a real
// clock's late timer does not make the schedule drift).
func (ps *probeSchedule) fire(s *Server, gen uint64, t time.Time) {
	ps.mu.Lock()
	if gen != ps.gen || ps.every <= 0 {
		ps.mu.Unlock()
		return
	}
	every := ps.every
	ps.mu.Unlock()
	if p := s.pay; p != nil {
		for _, m := range p.world.Merchants() {
			if m.NotifyURL != "" {
				p.callbacks.Probe(m.MchID)
			}
		}
	}
	ps.schedule(s, gen, t.Add(every))
}

// SetPayProbeEvery sets the interval of scheduled SIGNTEST probes on the
// fake's clock (0: none, as PayOptions.ProbeEvery): the next probes go out
// one interval from now, one to each merchant with a callback URL. The
// setting is kept across Reset.
func (s *Server) SetPayProbeEvery(d time.Duration) error {
	p, err := s.payOn()
	if err != nil {
		return err
	}
	if err := checkProbeEvery(d); err != nil {
		return err
	}
	p.probes.set(d)
	p.probes.arm(s)
	s.applyPay(payworld.Effects{Changes: []payworld.Change{{What: payworld.MerchantChanged, MchID: p.id.Merchant().MchID}}})
	return nil
}

package mockwechat

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
)

// ScenarioSchema returns the JSON Schema of scenario files (the text of
// docs/scenario.schema.json).
func ScenarioSchema() []byte { return append([]byte(nil), scenario.Schema...) }

// ParseScenario reads a scenario file's bytes, YAML or JSON; name is the
// file's name for errors. Offsets such as +36h count from clock.start, or
// from now (to the second) when the file gives none. Errors are
// *ScenarioError, naming the file, line and column.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	sc, err := scenario.Parse(name, data, time.Now().Truncate(time.Second))
	return scenarioFromParse(sc), scenarioErr(err)
}

// LoadScenario reads a scenario file (see ParseScenario).
func LoadScenario(path string) (*Scenario, error) {
	b, err := scenario.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenario(path, b)
}

// LoadSnapshot reads a file MarshalScenario wrote (a snapshot saved to
// disk, payfeedback mock --state) as LoadScenario does, and refuses one
// cut short: a YAML file must end with the end marker "..." that
// MarshalScenario writes last (JSON cut short does not parse). A YAML file
// cut short often still parses, and would lose what was cut without a
// word.
func LoadSnapshot(path string) (*Scenario, error) {
	b, err := scenario.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := scenario.Whole(path, b); err != nil {
		return nil, err
	}
	return ParseScenario(path, b)
}

// MarshalScenario writes a scenario as YAML ("yaml") or JSON ("json").
func MarshalScenario(sc *Scenario, format string) ([]byte, error) {
	return scenario.Marshal(scenarioToParse(sc), scenario.Format(format))
}

// ScenarioFormat is the format a file's name says: "json" for *.json,
// "yaml" otherwise.
func ScenarioFormat(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return "json"
	}
	return "yaml"
}

// Snapshot returns the whole world as a scenario starting now: accounts
// with their tokens, users with their inboxes, orders, complaints as they
// stand, the scenario's complaints and actions still to come, the faults
// still active, media, and the state of the id generator, so that a fake
// started from it (Options.Scenario, payfeedback mock --scenario) or given
// it (Restore) goes on as this one would. The call log and the delivery
// log are not part of it: pushes still being retried are not resumed. It
// holds the accounts' secrets and live tokens: SnapshotWithoutSecrets
// leaves them out.
func (s *Server) Snapshot() *Scenario { return scenarioFromParse(s.snapshot()) }

// SnapshotWithoutSecrets is Snapshot without the secrets, to show or
// share a world: each account's secret and paySignKey are empty, and the
// access tokens issued are left out (the accounts' token and
// previous_token, and tokens). A fake started from it needs the secrets
// given back (a scenario file names where), and merchants ask for new
// tokens. GET /_mock/snapshot?secrets=omit answers it.
func (s *Server) SnapshotWithoutSecrets() *Scenario {
	sc := s.snapshot()
	scenario.OmitSecrets(sc)
	return scenarioFromParse(sc)
}

func (s *Server) snapshot() *scenario.Scenario {
	s.resetMu.Lock() // no restart in between
	defer s.resetMu.Unlock()
	faults := s.faults.List()
	for i := range faults {
		faults[i].ID = 0 // the running fake's numbering, not state: a fake started from it numbers afresh
	}
	sc := scenario.FromState(s.world.Snapshot(), s.sched.Now(), s.timeline.pending(), faults)
	if p := s.pay; p != nil {
		mode, began := p.signing.Mode()
		if mode != paykeys.ModeSwitch {
			began = time.Time{}
		}
		if err := sc.SetPay(p.world.Snapshot(), mode, began, p.probes.interval(), p.callbacks.Snapshot()); err != nil {
			s.log.Error("mockwechat: snapshot: Complaints 2.0 left out", "err", err)
		}
	}
	return sc
}

// withPay compiles the Complaints 2.0 part of sc (nil: none) into c, for
// the fake's own: its world's rules and seed, its identity's merchant.
func (s *Server) withPay(c scenario.Compiled, sc *scenario.Scenario) (scenario.Compiled, error) {
	if sc == nil || sc.Pay == nil {
		return c, nil
	}
	if s.pay == nil {
		return c, scenarioErr(sc.PayOff())
	}
	seed := s.set.Pay.Seed
	if seed == 0 {
		seed = s.set.Seed
	}
	own, _ := s.pay.world.Merchant(s.pay.id.Merchant().MchID)
	pc, future, err := sc.CompilePay(scenario.PayBase{Config: payworld.Config{Rules: s.pay.world.Rules(), Seed: seed}, Own: own}, c.Start)
	if err != nil {
		return c, scenarioErr(err)
	}
	c.Pay = pc
	c.Future = append(slices.Clone(c.Future), future...)
	slices.SortStableFunc(c.Future, func(a, b scenario.Entry) int { return a.At.Compare(b.At) })
	return c, nil
}

// load puts a compiled Complaints 2.0 world in place: the world, the
// mode, the callbacks (pending ones rescheduled on the fake's clock). A
// reset keeps the merchants, the ids and the mode as they stand, and
// takes the complaints, images and callbacks only.
func (p *payPart) load(pc *scenario.PayCompiled, reset bool, start time.Time) error {
	st := pc.State
	if reset {
		now := p.world.Snapshot()
		now.Complaints, now.Images = st.Complaints, st.Images
		st = now
	}
	if _, err := p.world.Restore(st); err != nil {
		return fmt.Errorf("mockwechat: scenario: pay: %w", err)
	}
	if pc.Mode != "" && !reset {
		began := pc.SwitchBegan
		if began.IsZero() {
			began = start
		}
		if pc.Mode == paykeys.ModeSwitch { // leave it first: staying in the switch keeps its start
			if err := p.signing.SetMode(paykeys.ModePublicKey, began); err != nil {
				return fmt.Errorf("mockwechat: scenario: pay.mode: %w", err)
			}
		}
		if err := p.signing.SetMode(pc.Mode, began); err != nil {
			return fmt.Errorf("mockwechat: scenario: pay.mode: %w", err)
		}
	}
	if pc.ProbeEvery > 0 && !reset { // armed by the fake's load
		p.probes.set(pc.ProbeEvery)
	}
	if err := p.callbacks.Restore(pc.Deliveries); err != nil {
		return fmt.Errorf("mockwechat: scenario: pay.deliveries: %w", err)
	}
	return nil
}

// settle is the virtual clock's Settle hook: it waits for the V1.5
// pushes and the Complaints 2.0 callbacks in flight, so that an Advance
// moves on only once what its events started is done, as real time
// would let it be. Without the callbacks, a scenario act's callback
// still being signed when the clock moved hours on arrived stale, and a
// verifying merchant refused it.
func (s *Server) settle() {
	s.push.WaitIdle()
	if s.pay != nil {
		s.pay.callbacks.WaitIdle()
	}
}

// firePay makes a scenario's Complaints 2.0 entry happen now, its
// callbacks sent as the Go API's acts send them.
func (s *Server) firePay(e scenario.Entry) {
	if s.pay == nil {
		return
	}
	fx, err := e.ApplyPay(s.pay.world)
	s.applyPay(fx)
	if err != nil {
		s.log.Warn("mockwechat: scenario entry failed", "entry", e.Path, "at", e.At, "err", err)
	}
}

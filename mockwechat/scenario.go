package mockwechat

import (
	"path/filepath"
	"strings"
	"time"

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
	return scenario.FromState(s.world.Snapshot(), s.sched.Now(), s.timeline.pending(), faults)
}

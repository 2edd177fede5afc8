package evidence

import (
	"time"

	"github.com/payfeedback/payfeedback/conformance"
)

// Record is run.json: what the signer states about the run, besides the
// report. Its fields are stable.
type Record struct {
	// Format is the bundle's format, Format.
	Format string `json:"format"`
	// Plan names the plan that ran, Variants its choices (for the V1.5
	// plan: api, clock, chaos, strict).
	Plan     string            `json:"plan"`
	Variants map[string]string `json:"variants,omitempty"`
	// Kit is the version of the kit that ran it (payfeedback version).
	Kit string `json:"kit"`
	// Command is the command line that ran it, secrets masked.
	Command []string `json:"command,omitempty"`
	// Seed replays the run's random choices (0: it made none).
	Seed uint64 `json:"seed"`
	// Started is when the run began; Signed when the bundle was signed
	// (whole seconds: the time of every file in the archive).
	Started time.Time `json:"started"`
	Signed  time.Time `json:"signed"`
	// ExpectFail is the expected-failure list the run was given (empty:
	// none), and ExpectFailFile the part that holds the file as it was
	// given, comments included ("" when the list came from elsewhere).
	ExpectFail     []string `json:"expect_fail"`
	ExpectFailFile string   `json:"expect_fail_file,omitempty"`
	// Masked names the secrets the bundle was masked for and how many
	// places each was found and masked at.
	Masked []MaskedSecret `json:"masked"`
	// Key is the signing key.
	Key Key `json:"key"`
}

// MaskedSecret is a secret the bundle was masked for: its name, never
// its value, and how many places it was masked at.
type MaskedSecret struct {
	Name  string `json:"name"`
	Found int    `json:"found"`
}

// Key describes the key that signed a bundle.
type Key struct {
	// Fingerprint is the public key's (see Fingerprint).
	Fingerprint string `json:"fingerprint"`
	// Ephemeral reports that the key was made for this bundle and thrown
	// away: nothing but the channel that delivered the bundle vouches for
	// it.
	Ephemeral bool `json:"ephemeral"`
}

// Certificate is what a verified bundle certifies: run.json, and what
// the report says of the run.
type Certificate struct {
	Record
	// Target is what was under test (the report's target).
	Target string `json:"target"`
	// Selection is the pattern that selected the cases ("": all of them).
	Selection string `json:"selection,omitempty"`
	// Counts, Failed and Summary are the report's.
	Counts  conformance.Counts `json:"counts"`
	Failed  bool               `json:"failed"`
	Summary string             `json:"summary"`
	// Listed says what became of each case of the expected-failure list.
	Listed []Listed `json:"listed"`
	// Trusted reports that the bundle was signed by the key given to
	// Verify; without one, only by the key the bundle holds.
	Trusted bool `json:"trusted"`
	// Parts are the parts the manifest covers, in order.
	Parts []Part `json:"parts"`
	// Report is the report the bundle holds.
	Report conformance.Report `json:"-"`
}

// Listed is a case of the expected-failure list and its status in the
// report: ExpectedFail when it failed as expected, Pass (or Warn) when
// it passed and the list can lose it, "" when the run did not select it.
type Listed struct {
	ID     string             `json:"id"`
	Status conformance.Status `json:"status"`
}

// Part is a part of a bundle as the manifest lists it.
type Part struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

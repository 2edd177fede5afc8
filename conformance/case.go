package conformance

import (
	"context"
	"strings"
)

// Case is one check of the suite. Cases are constant descriptions: running
// one returns a Result and changes nothing in the Case.
type Case struct {
	// ID is stable across versions: expected-failure files and CI
	// dashboards refer to it.
	ID string
	// Requirement is the sentence the case checks.
	Requirement string
	// API reports that the case needs the merchant wired to the embedded
	// fake WeChat (Options.API).
	API bool
	// Fix says what to change when the case fails, and where the rule is
	// documented.
	Fix string

	// refusal: the case passes on a refusal, which proves something only
	// when a valid notification is accepted at the same endpoint, with
	// the same key, in the same run (the control; see the package
	// documentation).
	refusal bool
	run     func(ctx context.Context, e *env) Result
}

// Section is the first element of the id: notify, security, delivery,
// api or chaos.
func (c Case) Section() string {
	section, _, _ := strings.Cut(c.ID, "/")
	return section
}

package conformance

import (
	"context"
	"fmt"
)

// Observer shows the Complaints 2.0 plan what the merchant does about the
// complaints its callbacks name, beyond its answers: a callback carries
// only a complaint's id, so processing one means working on that
// complaint with WeChat's API (fetching its detail, replying). The plan's
// --api part implements it over the fake WeChat, which files the
// complaints and logs the merchant's calls; a merchant's own test may
// implement it over what the merchant records.
//
// With an Observer, the cases marked API run (exactly once, and the
// merchant's view of a complaint), and every refusal case also checks
// that the refused callback's complaint saw no work while the genuine
// callback sent after it under the same notification id did. Without
// one, those cases are skipped and the refusals are judged on the answers
// alone (see the package documentation for what each case can observe).
type Observer interface {
	// NewComplaint returns the id of a new complaint, PENDING, for one of
	// the plan's callbacks to name: known to the API the merchant calls
	// (for the fake: filed without a callback of its own).
	NewComplaint(ctx context.Context) (string, error)
	// Resolve makes complaint id PROCESSED on WeChat's side (for the fake:
	// as a refund that arrived would), without a callback: the plan sends
	// the callbacks itself.
	Resolve(ctx context.Context, id string) error
	// Work returns the merchant's work on complaint id so far. The plan
	// calls it once the merchant answered the callbacks concerned, and
	// again until the work it awaits comes, within Options.APITimeout; it
	// compares counts to tell work done twice from work done once. An
	// Observer of a merchant that works after answering (from a queue)
	// returns once that work has settled: counts read while it is under way
	// would be judged as they stand.
	Work(ctx context.Context, id string) (MerchantWork, error)
}

// MerchantWork counts what a merchant did about one complaint with
// WeChat's API.
type MerchantWork struct {
	// Reads counts its reads: the detail, the negotiation history.
	Reads int `json:"reads"`
	// Acts counts what it did to the complaint: replies, completion,
	// refund decisions.
	Acts int `json:"acts"`
}

// total is every call, reads and acts.
func (w MerchantWork) total() int { return w.Reads + w.Acts }

// String words w: "2 reads and 1 act".
func (w MerchantWork) String() string {
	return fmt.Sprintf("%d read(s) and %d act(s)", w.Reads, w.Acts)
}

package replaytest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
)

// Factory returns a fresh, empty store whose clock is now.
type Factory func(t *testing.T, now func() time.Time) middleware.ReplayStore

// clock is a virtual clock safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	fpA = middleware.Fingerprint{0: 0xA}
	fpB = middleware.Fingerprint{0: 0xB}
)

const (
	key   = "wx0123456789abcdef:06ae8680d0c2eb69cbeba9beb1419dd777881875"
	other = "wx0123456789abcdef:b7668c176391109dffe9ae5e895948f433f84fed"
	lease = time.Minute
	kept  = 10 * time.Minute
)

// step is one call and the result it must give.
type step struct {
	op      string // claim, complete, release, advance
	key     string
	fp      middleware.Fingerprint
	keep    time.Duration // for claim and complete
	advance time.Duration
	want    middleware.ClaimResult // for claim
}

// claim claims with the lease and the usual keep (kept).
func claim(k string, fp middleware.Fingerprint, want middleware.ClaimResult) step {
	return step{op: "claim", key: k, fp: fp, keep: kept, want: want}
}

// claimKeeping claims with the lease and another keep.
func claimKeeping(k string, fp middleware.Fingerprint, keep time.Duration, want middleware.ClaimResult) step {
	return step{op: "claim", key: k, fp: fp, keep: keep, want: want}
}

func complete(k string, fp middleware.Fingerprint) step {
	return step{op: "complete", key: k, fp: fp, keep: kept}
}
func release(k string, fp middleware.Fingerprint) step {
	return step{op: "release", key: k, fp: fp}
}
func advance(d time.Duration) step { return step{op: "advance", advance: d} }

// Run runs the contract's cases as subtests of t. Each case gets a fresh
// store from newStore and a virtual clock starting at 2025-11-27; claims
// last a minute (the lease) and fingerprints are kept ten minutes unless a
// case says otherwise. A store that implements middleware.ReplayStoreAt is
// held to the contract a second time through ClaimAt, CompleteAt and
// ReleaseAt, given the virtual time while its own clock says another.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	runCases(t, newStore)
	// The store's own clock stands still a century away: only the times
	// given to the At methods may count.
	elsewhere := func() time.Time { return time.Date(2125, 1, 1, 0, 0, 0, 0, time.UTC) }
	if _, ok := newStore(t, elsewhere).(middleware.ReplayStoreAt); ok {
		t.Run("through ReplayStoreAt", func(t *testing.T) {
			runCases(t, func(t *testing.T, now func() time.Time) middleware.ReplayStore {
				return atAdapter{newStore(t, elsewhere).(middleware.ReplayStoreAt), now}
			})
		})
	}
}

// atAdapter calls the At methods of a store with the time of now.
type atAdapter struct {
	s   middleware.ReplayStoreAt
	now func() time.Time
}

func (a atAdapter) Claim(ctx context.Context, key string, fp middleware.Fingerprint, lease, keep time.Duration) (middleware.ClaimResult, error) {
	return a.s.ClaimAt(ctx, key, fp, a.now(), lease, keep)
}

func (a atAdapter) Complete(ctx context.Context, key string, fp middleware.Fingerprint, keep time.Duration) error {
	return a.s.CompleteAt(ctx, key, fp, a.now(), keep)
}

func (a atAdapter) Release(ctx context.Context, key string, fp middleware.Fingerprint) error {
	return a.s.ReleaseAt(ctx, key, fp, a.now())
}

// runCases runs the cases on the stores of newStore.
func runCases(t *testing.T, newStore Factory) {
	t.Helper()
	const (
		New        = middleware.ClaimNew
		Duplicate  = middleware.ClaimDuplicate
		InProgress = middleware.ClaimInProgress
		Conflict   = middleware.ClaimConflict
	)
	cases := []struct {
		name  string
		steps []step
	}{
		{"new key is claimed", []step{claim(key, fpA, New)}},
		{"same fingerprint while in progress", []step{
			claim(key, fpA, New), claim(key, fpA, InProgress)}},
		{"other fingerprint while in progress", []step{
			claim(key, fpA, New), claim(key, fpB, Conflict),
			claim(key, fpA, InProgress)}},
		{"duplicate once completed", []step{
			claim(key, fpA, New), complete(key, fpA),
			claim(key, fpA, Duplicate), claim(key, fpA, Duplicate)}},
		{"conflict once completed", []step{
			claim(key, fpA, New), complete(key, fpA),
			claim(key, fpB, Conflict), claim(key, fpA, Duplicate)}},
		{"released key is claimed again by its fingerprint", []step{
			claim(key, fpA, New), release(key, fpA),
			claim(key, fpA, New), claim(key, fpA, InProgress)}},
		// The forged copy after a failure: the fingerprint outlives it.
		{"released key keeps its fingerprint", []step{
			claim(key, fpA, New), release(key, fpA),
			claim(key, fpB, Conflict), claim(key, fpA, New),
			release(key, fpA), claim(key, fpB, Conflict)}},
		{"released entry lives for its keep", []step{
			claim(key, fpA, New), release(key, fpA), advance(kept - time.Second),
			claim(key, fpB, Conflict), advance(time.Second),
			claim(key, fpB, New)}},
		{"release with another fingerprint is ignored", []step{
			claim(key, fpA, New), release(key, fpB),
			claim(key, fpA, InProgress)}},
		{"release after complete is ignored", []step{
			claim(key, fpA, New), complete(key, fpA), release(key, fpA),
			claim(key, fpA, Duplicate)}},
		{"release of an unknown key is harmless", []step{
			release(key, fpA), claim(key, fpA, New)}},
		{"keys are independent", []step{
			claim(key, fpA, New), claim(other, fpB, New),
			complete(key, fpA), claim(other, fpB, InProgress),
			claim(key, fpA, Duplicate), release(other, fpB),
			claim(key, fpA, Duplicate)}},
		{"claim lapses after its lease", []step{
			claim(key, fpA, New), advance(lease - time.Second),
			claim(key, fpA, InProgress), advance(time.Second),
			claim(key, fpA, New), claim(key, fpA, InProgress)}},
		{"lapsed claim keeps its fingerprint", []step{
			claim(key, fpA, New), advance(lease),
			claim(key, fpB, Conflict), advance(kept - lease - time.Second),
			claim(key, fpB, Conflict), advance(time.Second),
			claim(key, fpB, New)}},
		{"entry lives while its claim runs, however short its keep", []step{
			claimKeeping(key, fpA, 10*time.Second, New), advance(lease - time.Second),
			claim(key, fpB, Conflict), claim(key, fpA, InProgress), advance(time.Second),
			claim(key, fpB, New)}},
		{"claiming again extends the keep", []step{
			claimKeeping(key, fpA, lease, New), release(key, fpA), advance(lease - time.Second),
			claimKeeping(key, fpA, kept, New), release(key, fpA), advance(kept - time.Second),
			claim(key, fpB, Conflict), advance(time.Second),
			claim(key, fpB, New)}},
		{"completed entry lives for the complete keep", []step{
			claim(key, fpA, New), complete(key, fpA), advance(kept - time.Second),
			claim(key, fpB, Conflict), advance(time.Second),
			claim(key, fpB, New)}},
		{"complete after the claim lapsed marks it done", []step{
			claim(key, fpA, New), advance(lease), complete(key, fpA),
			claim(key, fpA, Duplicate), claim(key, fpB, Conflict)}},
		{"complete after the entry expired recreates it", []step{
			claimKeeping(key, fpA, lease, New), advance(lease), complete(key, fpA),
			claim(key, fpA, Duplicate), claim(key, fpB, Conflict)}},
		{"complete leaves another fingerprint's entry alone", []step{
			claimKeeping(key, fpA, lease, New), advance(lease),
			claim(key, fpB, New), complete(key, fpA),
			claim(key, fpB, InProgress), claim(key, fpA, Conflict)}},
		{"complete without claim records done", []step{
			complete(key, fpA), claim(key, fpA, Duplicate), claim(key, fpB, Conflict)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: time.Unix(1764201600, 0)}
			s := newStore(t, c.Now)
			ctx := context.Background()
			for i, st := range tc.steps {
				where := fmt.Sprintf("step %d (%s %s)", i, st.op, st.key)
				switch st.op {
				case "claim":
					got, err := s.Claim(ctx, st.key, st.fp, lease, st.keep)
					if err != nil {
						t.Fatalf("%s: %v", where, err)
					}
					if got != st.want {
						t.Fatalf("%s: Claim = %v, want %v", where, got, st.want)
					}
				case "complete":
					if err := s.Complete(ctx, st.key, st.fp, st.keep); err != nil {
						t.Fatalf("%s: %v", where, err)
					}
				case "release":
					if err := s.Release(ctx, st.key, st.fp); err != nil {
						t.Fatalf("%s: %v", where, err)
					}
				case "advance":
					c.Advance(st.advance)
				}
			}
		})
	}
	// Concurrent claims of one key: exactly one wins, first on a new key,
	// then on a released one.
	t.Run("one claim among concurrent identical copies", func(t *testing.T) {
		c := &clock{t: time.Unix(1764201600, 0)}
		s := newStore(t, c.Now)
		claimAll(t, s, New)
		if err := s.Release(context.Background(), key, fpA); err != nil {
			t.Fatal(err)
		}
		claimAll(t, s, New)
	})
}

// claimAll claims key from 16 goroutines at once: one must get want, the
// others ClaimInProgress.
func claimAll(t *testing.T, s middleware.ReplayStore, want middleware.ClaimResult) {
	t.Helper()
	const copies = 16
	results := make(chan middleware.ClaimResult, copies)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range copies {
		wg.Go(func() {
			<-start
			res, err := s.Claim(context.Background(), key, fpA, lease, kept)
			if err != nil {
				t.Error(err)
			}
			results <- res
		})
	}
	close(start)
	wg.Wait()
	close(results)
	count := map[middleware.ClaimResult]int{}
	for r := range results {
		count[r]++
	}
	if count[want] != 1 || count[middleware.ClaimInProgress] != copies-1 {
		t.Fatalf("results %v, want 1 %v and %d in-progress", count, want, copies-1)
	}
}

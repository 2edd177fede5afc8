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
	advance time.Duration
	want    middleware.ClaimResult // for claim
}

func claim(k string, fp middleware.Fingerprint, want middleware.ClaimResult) step {
	return step{op: "claim", key: k, fp: fp, want: want}
}
func complete(k string, fp middleware.Fingerprint) step {
	return step{op: "complete", key: k, fp: fp}
}
func release(k string, fp middleware.Fingerprint) step {
	return step{op: "release", key: k, fp: fp}
}
func advance(d time.Duration) step { return step{op: "advance", advance: d} }

// Run runs the contract's cases as subtests of t.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	cases := []struct {
		name  string
		steps []step
	}{
		{"new key is claimed", []step{claim(key, fpA, middleware.ClaimNew)}},
		{"same fingerprint while in progress", []step{
			claim(key, fpA, middleware.ClaimNew), claim(key, fpA, middleware.ClaimInProgress)}},
		{"other fingerprint while in progress", []step{
			claim(key, fpA, middleware.ClaimNew), claim(key, fpB, middleware.ClaimConflict),
			claim(key, fpA, middleware.ClaimInProgress)}},
		{"duplicate once completed", []step{
			claim(key, fpA, middleware.ClaimNew), complete(key, fpA),
			claim(key, fpA, middleware.ClaimDuplicate), claim(key, fpA, middleware.ClaimDuplicate)}},
		{"conflict once completed", []step{
			claim(key, fpA, middleware.ClaimNew), complete(key, fpA),
			claim(key, fpB, middleware.ClaimConflict), claim(key, fpA, middleware.ClaimDuplicate)}},
		{"released key is free again", []step{
			claim(key, fpA, middleware.ClaimNew), release(key, fpA),
			claim(key, fpA, middleware.ClaimNew)}},
		{"release frees for another fingerprint too", []step{
			claim(key, fpA, middleware.ClaimNew), release(key, fpA),
			claim(key, fpB, middleware.ClaimNew)}},
		{"release with another fingerprint is ignored", []step{
			claim(key, fpA, middleware.ClaimNew), release(key, fpB),
			claim(key, fpA, middleware.ClaimInProgress)}},
		{"release after complete is ignored", []step{
			claim(key, fpA, middleware.ClaimNew), complete(key, fpA), release(key, fpA),
			claim(key, fpA, middleware.ClaimDuplicate)}},
		{"release of an unknown key is harmless", []step{
			release(key, fpA), claim(key, fpA, middleware.ClaimNew)}},
		{"keys are independent", []step{
			claim(key, fpA, middleware.ClaimNew), claim(other, fpB, middleware.ClaimNew),
			complete(key, fpA), claim(other, fpB, middleware.ClaimInProgress),
			claim(key, fpA, middleware.ClaimDuplicate)}},
		{"claim lapses after its ttl", []step{
			claim(key, fpA, middleware.ClaimNew), advance(lease - time.Second),
			claim(key, fpA, middleware.ClaimInProgress), advance(time.Second),
			claim(key, fpB, middleware.ClaimNew)}},
		{"completed entry lives for the complete ttl", []step{
			claim(key, fpA, middleware.ClaimNew), complete(key, fpA), advance(kept - time.Second),
			claim(key, fpB, middleware.ClaimConflict), advance(time.Second),
			claim(key, fpB, middleware.ClaimNew)}},
		{"complete after the claim lapsed recreates the entry", []step{
			claim(key, fpA, middleware.ClaimNew), advance(lease), complete(key, fpA),
			claim(key, fpA, middleware.ClaimDuplicate)}},
		{"complete leaves another fingerprint's entry alone", []step{
			claim(key, fpA, middleware.ClaimNew), advance(lease),
			claim(key, fpB, middleware.ClaimNew), complete(key, fpA),
			claim(key, fpB, middleware.ClaimInProgress)}},
		{"complete without claim records done", []step{
			complete(key, fpA), claim(key, fpA, middleware.ClaimDuplicate)}},
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
					got, err := s.Claim(ctx, st.key, st.fp, lease)
					if err != nil {
						t.Fatalf("%s: %v", where, err)
					}
					if got != st.want {
						t.Fatalf("%s: Claim = %v, want %v", where, got, st.want)
					}
				case "complete":
					if err := s.Complete(ctx, st.key, st.fp, kept); err != nil {
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
	t.Run("one claim among concurrent identical copies", func(t *testing.T) {
		c := &clock{t: time.Unix(1764201600, 0)}
		s := newStore(t, c.Now)
		const copies = 16
		results := make(chan middleware.ClaimResult, copies)
		var wg sync.WaitGroup
		for range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Claim(context.Background(), key, fpA, lease)
				if err != nil {
					t.Error(err)
				}
				results <- res
			}()
		}
		wg.Wait()
		close(results)
		count := map[middleware.ClaimResult]int{}
		for r := range results {
			count[r]++
		}
		if count[middleware.ClaimNew] != 1 || count[middleware.ClaimInProgress] != copies-1 {
			t.Fatalf("results %v, want 1 new and %d in-progress", count, copies-1)
		}
	})
}

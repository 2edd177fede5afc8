package replaytest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
)

// BoundedFactory returns a fresh, empty store whose clock is now and which
// holds at most max entries, refusing new keys when full (the contract's
// rule for a store that has no room without forgetting a fresh entry).
type BoundedFactory func(t *testing.T, now func() time.Time, max int) middleware.ReplayStore

// RunBounded holds a store with a bound on its size to the rules of a full
// store, as subtests of t: a new key finding it full of fresh entries is
// refused with an error wrapping middleware.ErrStoreFull, and nothing is
// forgotten meanwhile; a claim in progress is never forgotten; there is
// room again once an entry expires, and Complete recreating an entry on a
// full store is refused too. Each case gets a store of two entries.
func RunBounded(t *testing.T, newStore BoundedFactory) {
	t.Helper()
	const (
		New        = middleware.ClaimNew
		Duplicate  = middleware.ClaimDuplicate
		InProgress = middleware.ClaimInProgress
		a, b, c    = "wx0123456789abcdef:a1", "wx0123456789abcdef:b2", "wx0123456789abcdef:c3"
	)
	ctx := context.Background()
	type env struct {
		t     *testing.T
		clock *clock
		s     middleware.ReplayStore
	}
	claimIs := func(e env, k string, keep time.Duration, want middleware.ClaimResult) {
		e.t.Helper()
		got, err := e.s.Claim(ctx, k, fpA, lease, keep)
		if err != nil || got != want {
			e.t.Fatalf("Claim %s = %v, %v; want %v", k, got, err, want)
		}
	}
	full := func(e env, err error, what string) {
		e.t.Helper()
		if !errors.Is(err, middleware.ErrStoreFull) {
			e.t.Fatalf("%s on a full store: %v, want an error wrapping ErrStoreFull", what, err)
		}
	}
	completeOK := func(e env, k string) {
		e.t.Helper()
		if err := e.s.Complete(ctx, k, fpA, kept); err != nil {
			e.t.Fatalf("Complete %s: %v", k, err)
		}
	}
	cases := []struct {
		name string
		run  func(e env)
	}{
		{"a full store refuses a new key and forgets nothing", func(e env) {
			claimIs(e, a, kept, New)
			completeOK(e, a)
			claimIs(e, b, kept, New)
			completeOK(e, b)
			_, err := e.s.Claim(ctx, c, fpA, lease, kept)
			full(e, err, "Claim")
			claimIs(e, a, kept, Duplicate)
			claimIs(e, b, kept, Duplicate)
		}},
		{"a claim in progress is never forgotten", func(e env) {
			claimIs(e, a, time.Second, New) // in progress, the first to expire
			claimIs(e, b, kept, New)
			completeOK(e, b)
			_, err := e.s.Claim(ctx, c, fpA, lease, kept)
			full(e, err, "Claim")
			claimIs(e, a, time.Second, InProgress)
		}},
		{"room again once an entry expires", func(e env) {
			claimIs(e, a, lease, New)
			if err := e.s.Complete(ctx, a, fpA, lease); err != nil { // a leaves first
				e.t.Fatal(err)
			}
			claimIs(e, b, kept, New)
			completeOK(e, b)
			_, err := e.s.Claim(ctx, c, fpA, lease, kept)
			full(e, err, "Claim")
			e.clock.Advance(lease)
			claimIs(e, c, kept, New)
			claimIs(e, b, kept, Duplicate)
		}},
		{"Complete recreating an entry on a full store is refused", func(e env) {
			claimIs(e, a, kept, New)
			claimIs(e, b, kept, New)
			full(e, e.s.Complete(ctx, c, fpA, kept), "Complete of an absent key")
			claimIs(e, a, kept, InProgress)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: time.Unix(1764201600, 0)}
			tc.run(env{t: t, clock: c, s: newStore(t, c.Now, 2)})
		})
	}
}

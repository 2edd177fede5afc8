package tokenstoretest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Factory returns a fresh, empty store whose clock is now.
type Factory func(t *testing.T, now func() time.Time) payfeedback.TokenStore

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

// Run runs the contract's cases as subtests of t.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tokA := payfeedback.Token{Value: "token-a", ObtainedAt: at, ExpiresAt: at.Add(2 * time.Hour)}
	tokB := payfeedback.Token{Value: "token-b", ObtainedAt: at.Add(time.Second + 500*time.Millisecond), ExpiresAt: at.Add(time.Hour)}
	start := func(t *testing.T) (payfeedback.TokenStore, *clock) {
		c := &clock{t: at}
		return newStore(t, c.Now), c
	}

	t.Run("empty", func(t *testing.T) {
		s, _ := start(t)
		tok, err := s.Load(ctx, "wx1")
		if err != nil || !tok.IsZero() {
			t.Fatalf("Load of an empty store: %v, %v; want the zero Token and nil", tok, err)
		}
	})
	t.Run("store and load per appid", func(t *testing.T) {
		s, _ := start(t)
		mustStore(t, s, "wx1", tokA)
		mustStore(t, s, "wx2", tokB)
		if got := mustLoad(t, s, "wx1"); !sameToken(got, tokA) {
			t.Errorf("wx1: %v, want %v", got, tokA)
		}
		if got := mustLoad(t, s, "wx2"); !sameToken(got, tokB) {
			t.Errorf("wx2: %v (obtained %v), want %v (obtained %v)", got, got.ObtainedAt, tokB, tokB.ObtainedAt)
		}
		mustStore(t, s, "wx1", tokB)
		if got := mustLoad(t, s, "wx1"); !sameToken(got, tokB) {
			t.Errorf("wx1 after replacing: %v, want %v", got, tokB)
		}
		if got := mustLoad(t, s, "wx3"); !got.IsZero() {
			t.Errorf("wx3: %v, want none", got)
		}
	})
	t.Run("token outlives the clock", func(t *testing.T) {
		// An expired token is still returned: the client judges freshness.
		s, c := start(t)
		mustStore(t, s, "wx1", tokA)
		c.Advance(3 * time.Hour)
		if got := mustLoad(t, s, "wx1"); !got.IsZero() && !sameToken(got, tokA) {
			t.Errorf("wx1 after expiry: %v, want %v or none", got, tokA)
		}
	})
	t.Run("lease is exclusive, renewable, per appid", func(t *testing.T) {
		s, _ := start(t)
		wantLease(t, s, "wx1", "h1", true)
		wantLease(t, s, "wx1", "h2", false)
		wantLease(t, s, "wx1", "h1", true) // renewal
		wantLease(t, s, "wx2", "h2", true) // another appid
		wantLease(t, s, "wx2", "h1", false)
	})
	t.Run("lease and token are independent", func(t *testing.T) {
		s, _ := start(t)
		wantLease(t, s, "wx1", "h1", true)
		mustStore(t, s, "wx1", tokA)
		wantLease(t, s, "wx1", "h2", false)
		if got := mustLoad(t, s, "wx1"); !sameToken(got, tokA) {
			t.Errorf("wx1: %v, want %v", got, tokA)
		}
	})
	t.Run("release", func(t *testing.T) {
		s, _ := start(t)
		wantLease(t, s, "wx1", "h1", true)
		if err := s.ReleaseLease(ctx, "wx1", "h2"); err != nil {
			t.Fatal(err)
		}
		wantLease(t, s, "wx1", "h2", false) // h2's release did not free h1's lease
		if err := s.ReleaseLease(ctx, "wx1", "h1"); err != nil {
			t.Fatal(err)
		}
		wantLease(t, s, "wx1", "h2", true)
		if err := s.ReleaseLease(ctx, "wx9", "h1"); err != nil {
			t.Errorf("releasing a lease nobody holds: %v", err)
		}
	})
	t.Run("expiry", func(t *testing.T) {
		s, c := start(t)
		wantLease(t, s, "wx1", "h1", true)
		c.Advance(9 * time.Second)
		wantLease(t, s, "wx1", "h2", false)
		wantLease(t, s, "wx1", "h1", true) // renewed: 10 s from now
		c.Advance(9 * time.Second)
		wantLease(t, s, "wx1", "h2", false)
		c.Advance(2 * time.Second)
		wantLease(t, s, "wx1", "h2", true) // h1's lease expired
		wantLease(t, s, "wx1", "h1", false)
		// A late release by the expired holder does not free h2's lease.
		if err := s.ReleaseLease(ctx, "wx1", "h1"); err != nil {
			t.Fatal(err)
		}
		wantLease(t, s, "wx1", "h3", false)
	})
	t.Run("one winner among concurrent holders", func(t *testing.T) {
		s, _ := start(t)
		const n = 64
		var wins atomic.Int64
		var wg sync.WaitGroup
		begin := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-begin
				ok, err := s.TryLease(ctx, "wx1", fmt.Sprintf("holder-%d", i), time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
				if _, err := s.Load(ctx, "wx1"); err != nil {
					t.Error(err)
				}
				if err := s.Store(ctx, "wx2", tokA); err != nil {
					t.Error(err)
				}
			})
		}
		close(begin)
		wg.Wait()
		if w := wins.Load(); w != 1 {
			t.Errorf("%d holders got the lease, want exactly 1", w)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		s, _ := start(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Load(cctx, "wx1"); !errors.Is(err, context.Canceled) {
			t.Errorf("Load: %v, want context.Canceled", err)
		}
		if err := s.Store(cctx, "wx1", tokA); !errors.Is(err, context.Canceled) {
			t.Errorf("Store: %v, want context.Canceled", err)
		}
		if _, err := s.TryLease(cctx, "wx1", "h1", time.Minute); !errors.Is(err, context.Canceled) {
			t.Errorf("TryLease: %v, want context.Canceled", err)
		}
		if err := s.ReleaseLease(cctx, "wx1", "h1"); !errors.Is(err, context.Canceled) {
			t.Errorf("ReleaseLease: %v, want context.Canceled", err)
		}
		if got := mustLoad(t, s, "wx1"); !got.IsZero() {
			t.Errorf("a Store with a cancelled context stored %v", got)
		}
		wantLease(t, s, "wx1", "h2", true) // nor took the lease
	})
}

func mustStore(t *testing.T, s payfeedback.TokenStore, appID string, tok payfeedback.Token) {
	t.Helper()
	if err := s.Store(context.Background(), appID, tok); err != nil {
		t.Fatalf("Store(%s): %v", appID, err)
	}
}

func mustLoad(t *testing.T, s payfeedback.TokenStore, appID string) payfeedback.Token {
	t.Helper()
	tok, err := s.Load(context.Background(), appID)
	if err != nil {
		t.Fatalf("Load(%s): %v", appID, err)
	}
	return tok
}

func wantLease(t *testing.T, s payfeedback.TokenStore, appID, holder string, want bool) {
	t.Helper()
	got, err := s.TryLease(context.Background(), appID, holder, 10*time.Second)
	if err != nil {
		t.Fatalf("TryLease(%s, %s): %v", appID, holder, err)
	}
	if got != want {
		t.Fatalf("TryLease(%s, %s) = %v, want %v", appID, holder, got, want)
	}
}

// sameToken compares the value and both times, to the millisecond: a store
// may keep times at that precision.
func sameToken(a, b payfeedback.Token) bool {
	return a.Value == b.Value && a.ObtainedAt.Truncate(time.Millisecond).Equal(b.ObtainedAt.Truncate(time.Millisecond)) &&
		a.ExpiresAt.Truncate(time.Millisecond).Equal(b.ExpiresAt.Truncate(time.Millisecond))
}

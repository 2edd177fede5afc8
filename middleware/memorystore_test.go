package middleware_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/middleware/replaytest"
)

func TestMemoryStoreContract(t *testing.T) {
	replaytest.Run(t, func(t *testing.T, now func() time.Time) middleware.ReplayStore {
		return middleware.NewMemoryStore(middleware.MemoryOptions{Now: now})
	})
}

func TestMemoryStoreContractTiny(t *testing.T) {
	// The contract holds however small the bound, as long as it holds the
	// keys a case uses (two).
	replaytest.Run(t, func(t *testing.T, now func() time.Time) middleware.ReplayStore {
		return middleware.NewMemoryStore(middleware.MemoryOptions{Now: now, MaxEntries: 2})
	})
}

func TestMemoryStoreBounded(t *testing.T) {
	now := time.Unix(1764201600, 0)
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 3, Now: func() time.Time { return now }})
	ctx := context.Background()
	fp := middleware.Fingerprint{1}
	for i := range 10 {
		res, err := s.Claim(ctx, "k"+strconv.Itoa(i), fp, time.Hour)
		if err != nil || res != middleware.ClaimNew {
			t.Fatalf("Claim k%d = %v, %v; want new", i, res, err)
		}
		if err := s.Complete(ctx, "k"+strconv.Itoa(i), fp, time.Hour); err != nil {
			t.Fatal(err)
		}
		if got := s.Len(); got > 3 {
			t.Fatalf("after %d inserts Len = %d, want at most 3", i+1, got)
		}
	}
	// The three newest are remembered, the oldest forgotten.
	tests := []struct {
		key  string
		want middleware.ClaimResult
	}{
		{"k9", middleware.ClaimDuplicate},
		{"k8", middleware.ClaimDuplicate},
		{"k7", middleware.ClaimDuplicate},
		{"k0", middleware.ClaimNew},
	}
	for _, tc := range tests {
		if got, _ := s.Claim(ctx, tc.key, fp, time.Hour); got != tc.want {
			t.Errorf("Claim %s = %v, want %v", tc.key, got, tc.want)
		}
	}
}

func TestMemoryStoreSweepsExpired(t *testing.T) {
	now := time.Unix(1764201600, 0)
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 100, Now: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 50 {
		if _, err := s.Claim(ctx, "old"+strconv.Itoa(i), middleware.Fingerprint{}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Minute)
	if _, err := s.Claim(ctx, "fresh", middleware.Fingerprint{}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := s.Len(); got != 1 {
		t.Fatalf("Len = %d after the others expired, want 1", got)
	}
}

func TestMemoryStoreNoAllocsSteadyState(t *testing.T) {
	now := time.Unix(1764201600, 0)
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 64, Now: func() time.Time { return now }})
	ctx := context.Background()
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = "key" + strconv.Itoa(i)
	}
	i := 0
	cycle := func() {
		k := keys[i%len(keys)]
		i++
		_, _ = s.Claim(ctx, k, middleware.Fingerprint{}, time.Minute)
		_ = s.Complete(ctx, k, middleware.Fingerprint{}, time.Minute)
	}
	for range 1024 { // fill, reach the bound, warm the map
		cycle()
	}
	if allocs := testing.AllocsPerRun(1000, cycle); allocs > 0 {
		t.Errorf("Claim+Complete with eviction: %v allocs, want 0 (entries are reused)", allocs)
	}
}

func TestClaimResultString(t *testing.T) {
	tests := map[middleware.ClaimResult]string{
		middleware.ClaimNew: "new", middleware.ClaimDuplicate: "duplicate",
		middleware.ClaimInProgress: "in-progress", middleware.ClaimConflict: "conflict", 0: "invalid",
	}
	for c, want := range tests {
		if got := c.String(); got != want {
			t.Errorf("ClaimResult(%d).String() = %q, want %q", c, got, want)
		}
	}
}

package middleware_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
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

// evictionWatch counts OutcomeReplayDegraded observations and keeps the
// logs of a store.
type evictionWatch struct {
	degraded atomic.Int64
	logs     bytes.Buffer
}

func (w *evictionWatch) options(max int, now func() time.Time) middleware.MemoryOptions {
	return middleware.MemoryOptions{MaxEntries: max, Now: now,
		Logger: slog.New(slog.NewTextHandler(&w.logs, nil)),
		Metrics: middleware.MetricsFunc(func(o middleware.Observation) {
			if o.Outcome == middleware.OutcomeReplayDegraded && o.AppID == "wx1" {
				w.degraded.Add(1)
			}
		})}
}

// TestMemoryStoreBounded: a full store forgets the entry closest to
// expiry (the oldest among equals), counts it, tells Metrics and warns at
// most once a minute.
func TestMemoryStoreBounded(t *testing.T) {
	now := time.Unix(1764201600, 0)
	var watch evictionWatch
	s := middleware.NewMemoryStore(watch.options(3, func() time.Time { return now }))
	ctx := context.Background()
	fp := middleware.Fingerprint{1}
	for i := range 10 {
		k := "wx1:k" + strconv.Itoa(i)
		res, err := s.Claim(ctx, k, fp, time.Minute, time.Hour)
		if err != nil || res != middleware.ClaimNew {
			t.Fatalf("Claim %s = %v, %v; want new", k, res, err)
		}
		if err := s.Complete(ctx, k, fp, time.Hour); err != nil {
			t.Fatal(err)
		}
		if got := s.Len(); got > 3 {
			t.Fatalf("after %d inserts Len = %d, want at most 3", i+1, got)
		}
	}
	if s.Evicted() != 7 || watch.degraded.Load() != 7 {
		t.Errorf("Evicted() = %d, Metrics told %d times; want 7 and 7", s.Evicted(), watch.degraded.Load())
	}
	if n := strings.Count(watch.logs.String(), "replay store full"); n != 1 {
		t.Errorf("%d warnings within a minute, want 1:\n%s", n, watch.logs.String())
	}
	// The three newest are remembered, the oldest forgotten.
	tests := []struct {
		key  string
		want middleware.ClaimResult
	}{
		{"wx1:k9", middleware.ClaimDuplicate},
		{"wx1:k8", middleware.ClaimDuplicate},
		{"wx1:k7", middleware.ClaimDuplicate},
		{"wx1:k0", middleware.ClaimNew},
	}
	for _, tc := range tests {
		if got, _ := s.Claim(ctx, tc.key, fp, time.Minute, time.Hour); got != tc.want {
			t.Errorf("Claim %s = %v, want %v", tc.key, got, tc.want)
		}
	}
	// A minute later the next eviction warns again, with the count since
	// the last warning: 6 more of the first ten, k0 and this one.
	now = now.Add(time.Minute)
	if _, err := s.Claim(ctx, "wx1:late", fp, time.Minute, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(watch.logs.String(), "replay store full"); n != 2 || !strings.Contains(watch.logs.String(), "forgotten=8") {
		t.Errorf("want a second warning counting 8 forgotten entries:\n%s", watch.logs.String())
	}
}

// TestMemoryStoreKeepsFreshEntries: entries live while their keep runs,
// however many newer ones arrive; when the store is full, the entry closest
// to leaving the window goes first, never an expired one counted as lost.
func TestMemoryStoreKeepsFreshEntries(t *testing.T) {
	now := time.Unix(1764201600, 0)
	var watch evictionWatch
	s := middleware.NewMemoryStore(watch.options(3, func() time.Time { return now }))
	ctx := context.Background()
	fp := middleware.Fingerprint{1}
	done := func(key string, keep time.Duration) {
		t.Helper()
		if res, _ := s.Claim(ctx, key, fp, time.Second, keep); res != middleware.ClaimNew {
			t.Fatalf("Claim %s = %v, want new", key, res)
		}
		if err := s.Complete(ctx, key, fp, keep); err != nil {
			t.Fatal(err)
		}
	}
	done("wx1:early", 10*time.Minute) // the first in, the last to leave the window
	done("wx1:short", time.Minute)
	done("wx1:mid", 5*time.Minute)
	done("wx1:new", 10*time.Minute) // full: "short" goes, not "early"
	want := map[string]middleware.ClaimResult{
		"wx1:early": middleware.ClaimDuplicate, "wx1:mid": middleware.ClaimDuplicate,
		"wx1:new": middleware.ClaimDuplicate,
	}
	for k, w := range want {
		if got, _ := s.Claim(ctx, k, fp, time.Second, time.Minute); got != w {
			t.Errorf("Claim %s = %v, want %v", k, got, w)
		}
	}
	if s.Evicted() != 1 || watch.degraded.Load() != 1 {
		t.Fatalf("Evicted() = %d, Metrics told %d; want 1 and 1", s.Evicted(), watch.degraded.Load())
	}
	// Once "mid" left its window, inserting sweeps it: nothing lost.
	now = now.Add(5 * time.Minute)
	done("wx1:later", 10*time.Minute)
	if s.Evicted() != 1 || s.Len() != 3 {
		t.Fatalf("after an expiry: Evicted() = %d, Len() = %d; want 1 and 3", s.Evicted(), s.Len())
	}
}

func TestMemoryStoreSweepsExpired(t *testing.T) {
	now := time.Unix(1764201600, 0)
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 100, Now: func() time.Time { return now }})
	ctx := context.Background()
	for i := range 50 {
		if _, err := s.Claim(ctx, "old"+strconv.Itoa(i), middleware.Fingerprint{}, time.Minute, time.Duration(i)*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Minute)
	if _, err := s.Claim(ctx, "fresh", middleware.Fingerprint{}, time.Minute, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := s.Len(); got != 1 {
		t.Fatalf("Len = %d after the others expired, want 1", got)
	}
	if s.Evicted() != 0 {
		t.Fatalf("Evicted() = %d: expired entries counted as lost", s.Evicted())
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
		_, _ = s.Claim(ctx, k, middleware.Fingerprint{}, time.Minute, 10*time.Minute)
		_ = s.Complete(ctx, k, middleware.Fingerprint{}, 10*time.Minute)
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

// TestMemoryStoreEvictsOldestOfOneWindow: the middleware's clock and the
// store's are read nanoseconds apart, so the keeps of one TimeStamp differ
// by as much; the store still forgets the oldest of them first.
func TestMemoryStoreEvictsOldestOfOneWindow(t *testing.T) {
	windowEnd := time.Unix(1764201600, 0).Add(middleware.DefaultMaxAge + time.Second)
	storeNow := time.Unix(1764201600, 0)
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 3, Now: func() time.Time { return storeNow }})
	ctx := context.Background()
	fp := middleware.Fingerprint{1}
	for i, jitter := range []time.Duration{300, 100, 200, 50} { // ns between the two readings
		storeNow = storeNow.Add(time.Microsecond)
		keep := windowEnd.Sub(storeNow.Add(-jitter))
		k := "wx1:k" + strconv.Itoa(i)
		if res, _ := s.Claim(ctx, k, fp, time.Minute, keep); res != middleware.ClaimNew {
			t.Fatalf("Claim %s = %v", k, res)
		}
		if err := s.Complete(ctx, k, fp, keep); err != nil {
			t.Fatal(err)
		}
	}
	// The three newest are remembered (checked first: a duplicate inserts
	// nothing), the oldest forgotten.
	for i, want := range map[int]middleware.ClaimResult{3: middleware.ClaimDuplicate, 2: middleware.ClaimDuplicate,
		1: middleware.ClaimDuplicate} {
		if got, _ := s.Claim(ctx, "wx1:k"+strconv.Itoa(i), fp, time.Minute, time.Minute); got != want {
			t.Errorf("k%d: %v, want %v (the oldest forgotten first)", i, got, want)
		}
	}
	if got, _ := s.Claim(ctx, "wx1:k0", fp, time.Minute, time.Minute); got != middleware.ClaimNew {
		t.Errorf("k0: %v, want new (forgotten)", got)
	}
}

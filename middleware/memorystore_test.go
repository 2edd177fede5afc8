package middleware_test

import (
	"bytes"
	"context"
	"errors"
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
	return middleware.MemoryOptions{MaxEntries: max, Now: now, WhenFull: middleware.ForgetWhenFull,
		Logger: slog.New(slog.NewTextHandler(&w.logs, nil)),
		Metrics: middleware.MetricsFunc(func(o middleware.Observation) {
			if o.Outcome == middleware.OutcomeReplayDegraded && o.AppID == "wx1" {
				w.degraded.Add(1)
			}
		})}
}

// TestMemoryStoreBounded: a full store forgetting when full
// (ForgetWhenFull) forgets the entry closest to expiry (the oldest among
// equals), counts it, tells Metrics and warns at most once a minute.
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
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 64, Now: func() time.Time { return now },
		WhenFull: middleware.ForgetWhenFull})
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
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 3, Now: func() time.Time { return storeNow },
		WhenFull: middleware.ForgetWhenFull})
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

// TestMemoryStoreRefusesWhenFull: by default a store full of fresh entries
// refuses a new key with ErrStoreFull, saying when the first entry leaves,
// and forgets nothing: every entry it holds is still recognised. Once an
// entry expires there is room again. Before RefuseWhenFull, the oldest
// entry was forgotten and its replay handled again.
func TestMemoryStoreRefusesWhenFull(t *testing.T) {
	now := time.Unix(1764201600, 0)
	var logs bytes.Buffer
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 3, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()
	fp := middleware.Fingerprint{1}
	for i, keep := range []time.Duration{10 * time.Minute, 5 * time.Minute, 10 * time.Minute} {
		k := "wx1:k" + strconv.Itoa(i)
		if res, err := s.Claim(ctx, k, fp, time.Minute, keep); err != nil || res != middleware.ClaimNew {
			t.Fatalf("Claim %s = %v, %v", k, res, err)
		}
		if err := s.Complete(ctx, k, fp, keep); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		res, err := s.Claim(ctx, "wx1:late", fp, time.Minute, 10*time.Minute)
		var full *middleware.StoreFullError
		if !errors.Is(err, middleware.ErrStoreFull) || !errors.As(err, &full) || res != 0 {
			t.Fatalf("Claim on a full store = %v, %v; want ErrStoreFull", res, err)
		}
		if full.RetryAfter != 5*time.Minute {
			t.Fatalf("RetryAfter %v, want 5m0s (when wx1:k1 leaves)", full.RetryAfter)
		}
	}
	if s.Refused() != 2 || s.Evicted() != 0 || s.Len() != 3 {
		t.Fatalf("Refused %d, Evicted %d, Len %d; want 2, 0, 3", s.Refused(), s.Evicted(), s.Len())
	}
	if n := strings.Count(logs.String(), "replay store full: refusing"); n != 1 {
		t.Fatalf("%d warnings, want 1 a minute:\n%s", n, logs.String())
	}
	for i := range 3 {
		if res, _ := s.Claim(ctx, "wx1:k"+strconv.Itoa(i), fp, time.Minute, time.Minute); res != middleware.ClaimDuplicate {
			t.Fatalf("k%d: %v, want duplicate (nothing forgotten)", i, res)
		}
	}
	now = now.Add(5 * time.Minute)
	if res, err := s.Claim(ctx, "wx1:late", fp, time.Minute, 10*time.Minute); err != nil || res != middleware.ClaimNew {
		t.Fatalf("once k1 expired: Claim = %v, %v; want new", res, err)
	}
	// Complete recreating an entry (its own expired) on a full store
	// refuses too, and says so.
	if err := s.Complete(ctx, "wx1:expired-meanwhile", fp, time.Minute); !errors.Is(err, middleware.ErrStoreFull) {
		t.Fatalf("Complete of a new entry on a full store: %v, want ErrStoreFull", err)
	}
}

// TestMemoryStoreNeverForgetsAClaimInProgress: forgetting when full takes
// finished entries only; a store full of claims in progress refuses, so
// that no copy of a notification being handled runs the handler a second
// time at once. Before the fix, the claim closest to expiry was forgotten
// whatever its state.
func TestMemoryStoreNeverForgetsAClaimInProgress(t *testing.T) {
	now := time.Unix(1764201600, 0)
	s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 2, Now: func() time.Time { return now },
		WhenFull: middleware.ForgetWhenFull})
	ctx := context.Background()
	fp := middleware.Fingerprint{1}
	claim := func(k string, keep time.Duration) (middleware.ClaimResult, error) {
		return s.Claim(ctx, k, fp, time.Minute, keep)
	}
	// The claim in progress expires first: the heap forgot it first.
	if res, _ := claim("wx1:running", time.Minute); res != middleware.ClaimNew {
		t.Fatal(res)
	}
	if res, _ := claim("wx1:done", 10*time.Minute); res != middleware.ClaimNew {
		t.Fatal(res)
	}
	if err := s.Complete(ctx, "wx1:done", fp, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if res, err := claim("wx1:third", 10*time.Minute); err != nil || res != middleware.ClaimNew {
		t.Fatalf("third = %v, %v; want new (forgetting wx1:done)", res, err)
	}
	if res, _ := claim("wx1:running", time.Minute); res != middleware.ClaimInProgress {
		t.Fatalf("the running claim: %v, want in-progress (it must not be forgotten)", res)
	}
	// Both held entries are now in progress: nothing may be forgotten.
	if _, err := claim("wx1:fourth", 10*time.Minute); !errors.Is(err, middleware.ErrStoreFull) {
		t.Fatalf("fourth on a store full of claims in progress: %v, want ErrStoreFull", err)
	}
	if s.Evicted() != 1 {
		t.Fatalf("Evicted %d, want 1", s.Evicted())
	}
}

func TestMemoryStoreContractBounded(t *testing.T) {
	replaytest.RunBounded(t, func(t *testing.T, now func() time.Time, max int) middleware.ReplayStore {
		return middleware.NewMemoryStore(middleware.MemoryOptions{Now: now, MaxEntries: max})
	})
}

package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
)

// model is the ReplayStore contract written as plainly as possible: a map,
// scanned to count live entries. TestMemoryStoreAgainstModel drives the
// MemoryStore (its hash table, its expiry wheel) and the model with the
// same random calls.
type model struct {
	max     int // 0: no bound
	entries map[string]*modelEntry
}

type modelEntry struct {
	fp                middleware.Fingerprint
	state             string // progress, released, done
	lease, keep, live int64  // ms; live = max(lease, keep)
}

func (m *model) get(key string, now int64) *modelEntry {
	e := m.entries[key]
	if e != nil && e.live <= now {
		delete(m.entries, key)
		return nil
	}
	return e
}

func (m *model) full(now int64) bool {
	if m.max == 0 {
		return false
	}
	n := 0
	for k := range m.entries {
		if m.get(k, now) != nil {
			n++
		}
	}
	return n >= m.max
}

func (m *model) claim(key string, fp middleware.Fingerprint, now, lease, keep int64) (middleware.ClaimResult, error) {
	e := m.get(key, now)
	switch {
	case e == nil:
		if m.full(now) {
			return 0, middleware.ErrStoreFull
		}
		m.entries[key] = &modelEntry{fp: fp, state: "progress", lease: now + lease, keep: now + keep, live: now + max(lease, keep)}
		return middleware.ClaimNew, nil
	case e.fp != fp:
		return middleware.ClaimConflict, nil
	case e.state == "done":
		return middleware.ClaimDuplicate, nil
	case e.state == "progress" && now < e.lease:
		return middleware.ClaimInProgress, nil
	}
	e.state, e.lease, e.keep = "progress", now+lease, max(e.keep, now+keep)
	e.live = max(e.lease, e.keep)
	return middleware.ClaimNew, nil
}

func (m *model) complete(key string, fp middleware.Fingerprint, now, keep int64) error {
	e := m.get(key, now)
	switch {
	case e == nil:
		if keep <= 0 {
			return nil
		}
		if m.full(now) {
			return middleware.ErrStoreFull
		}
		m.entries[key] = &modelEntry{fp: fp, state: "done", keep: now + keep, live: now + keep}
	case e.fp == fp:
		e.state, e.lease, e.keep = "done", 0, max(e.keep, now+keep)
		e.live = e.keep
	}
	return nil
}

func (m *model) release(key string, fp middleware.Fingerprint, now int64) {
	e := m.get(key, now)
	if e == nil || e.state != "progress" || e.fp != fp {
		return
	}
	if e.keep <= now {
		delete(m.entries, key)
		return
	}
	e.state, e.lease, e.live = "released", 0, e.keep
}

func TestMemoryStoreAgainstModel(t *testing.T) {
	for _, tc := range []struct {
		name      string
		max, keys int
		steps     int
	}{
		{"unbounded, few keys", 0, 8, 20000},
		{"unbounded, many keys", 0, 3000, 60000},
		{"bounded, refusing", 16, 64, 40000},
		{"bounded at one", 1, 4, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(4) {
				runModel(t, tc.max, tc.keys, tc.steps, seed)
			}
		})
	}
}

func runModel(t *testing.T, maxEntries, keys, steps int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	start := time.Unix(1764201600, 0)
	nowMS := int64(0)
	opts := middleware.MemoryOptions{Now: func() time.Time { return start.Add(time.Duration(nowMS) * time.Millisecond) }}
	m := &model{entries: map[string]*modelEntry{}}
	if maxEntries > 0 {
		opts.MaxEntries, m.max = maxEntries, maxEntries
	} else {
		opts.MaxEntries = 1 << 20
	}
	s := middleware.NewMemoryStore(opts)
	ctx := context.Background()
	fps := []middleware.Fingerprint{{1}, {2}}
	dur := func() int64 { // ms, from 0 to about 20 minutes, often whole seconds
		switch rng.IntN(4) {
		case 0:
			return int64(rng.IntN(2000))
		case 1:
			return int64(rng.IntN(1200)) * 1000
		default:
			return int64(rng.IntN(1_200_000))
		}
	}
	for step := range steps {
		key := fmt.Sprintf("wx%d:%040d", rng.IntN(3), rng.IntN(keys))
		if rng.IntN(8) == 0 { // a long key, kept by its digest
			key += fmt.Sprintf("#%080d", rng.IntN(2))
		}
		fp := fps[rng.IntN(len(fps))]
		where := func(op string) string {
			return fmt.Sprintf("seed %d step %d: %s %s at %d ms", seed, step, op, key, nowMS)
		}
		switch op := rng.IntN(10); {
		case op < 5:
			lease, keep := 1+dur(), dur()
			want, wantErr := m.claim(key, fp, nowMS, lease, keep)
			got, err := s.Claim(ctx, key, fp, time.Duration(lease)*time.Millisecond, time.Duration(keep)*time.Millisecond)
			if got != want || errors.Is(err, middleware.ErrStoreFull) != (wantErr != nil) {
				t.Fatalf("%s: got %v, %v; the model %v, %v", where("Claim"), got, err, want, wantErr)
			}
		case op < 7:
			keep := dur()
			wantErr := m.complete(key, fp, nowMS, keep)
			err := s.Complete(ctx, key, fp, time.Duration(keep)*time.Millisecond)
			if errors.Is(err, middleware.ErrStoreFull) != (wantErr != nil) {
				t.Fatalf("%s: got %v; the model %v", where("Complete"), err, wantErr)
			}
		case op < 8:
			m.release(key, fp, nowMS)
			if err := s.Release(ctx, key, fp); err != nil {
				t.Fatalf("%s: %v", where("Release"), err)
			}
		default:
			nowMS += dur() / 16
		}
	}
}

// TestMemoryStoreForgetsOnlyFinished drives a store that forgets when full
// with random calls and checks, after each, that it holds at most its bound
// and that every claim still in progress (claimed, neither completed nor
// released, its lease running) is still there: claiming it again answers
// in progress.
func TestMemoryStoreForgetsOnlyFinished(t *testing.T) {
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 9))
		start := time.Unix(1764201600, 0)
		nowMS := int64(0)
		const max = 8
		s := middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: max, WhenFull: middleware.ForgetWhenFull,
			Now: func() time.Time { return start.Add(time.Duration(nowMS) * time.Millisecond) }})
		ctx := context.Background()
		fp := middleware.Fingerprint{1}
		running := map[string]int64{} // key → lease end, ms
		for step := range 20000 {
			key := fmt.Sprintf("wx1:%d", rng.IntN(40))
			switch op := rng.IntN(10); {
			case op < 5:
				lease := int64(1 + rng.IntN(60_000))
				res, err := s.Claim(ctx, key, fp, time.Duration(lease)*time.Millisecond, time.Duration(rng.IntN(600_000))*time.Millisecond)
				if err != nil && !errors.Is(err, middleware.ErrStoreFull) {
					t.Fatal(err)
				}
				if res == middleware.ClaimNew {
					running[key] = nowMS + lease
				}
			case op < 7:
				delete(running, key)
				_ = s.Complete(ctx, key, fp, time.Duration(rng.IntN(600_000))*time.Millisecond)
			case op < 8:
				delete(running, key)
				_ = s.Release(ctx, key, fp)
			default:
				nowMS += int64(rng.IntN(20_000))
			}
			if n := s.Len(); n > max {
				t.Fatalf("seed %d step %d: Len %d over the bound %d", seed, step, n, max)
			}
			for k, until := range running {
				if until <= nowMS {
					delete(running, k)
					continue
				}
				if res, err := s.Claim(ctx, k, fp, time.Minute, time.Minute); err != nil || res != middleware.ClaimInProgress {
					t.Fatalf("seed %d step %d: the claim in progress on %s answers %v, %v: it was forgotten", seed, step, k, res, err)
				}
			}
		}
		if s.Evicted() == 0 {
			t.Fatalf("seed %d: nothing was ever forgotten: the test did not fill the store", seed)
		}
	}
}

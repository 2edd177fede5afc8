package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/middleware/replaytest"
	"github.com/payfeedback/payfeedback/redisstore"
)

// TestReplayStoreContract holds the Redis store to the contract the
// middleware relies on, on the contract's virtual clock.
func TestReplayStoreContract(t *testing.T) {
	rdb := newRedis(t)
	replaytest.Run(t, func(t *testing.T, now func() time.Time) middleware.ReplayStore {
		return redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: freshPrefix(t, rdb), Now: now})
	})
}

// TestReplayStoreServerClock: without Now, the scripts read Redis's clock
// (TIME) and the keys expire with the entries.
func TestReplayStoreServerClock(t *testing.T) {
	rdb := newRedis(t)
	s := redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: freshPrefix(t, rdb)})
	ctx := context.Background()
	const key = "wx0123456789abcdef:06ae8680d0c2eb69cbeba9beb1419dd777881875"
	fpA, fpB := middleware.Fingerprint{0xA}, middleware.Fingerprint{0xB}
	claim := func(fp middleware.Fingerprint, lease, keep time.Duration, want middleware.ClaimResult) {
		t.Helper()
		got, err := s.Claim(ctx, key, fp, lease, keep)
		if err != nil || got != want {
			t.Fatalf("Claim = %v, %v; want %v", got, err, want)
		}
	}
	pttl := func() time.Duration {
		t.Helper()
		d, err := rdb.PTTL(ctx, s.Key(key)).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	claim(fpA, time.Minute, 10*time.Minute, middleware.ClaimNew)
	claim(fpA, time.Minute, 10*time.Minute, middleware.ClaimInProgress)
	claim(fpB, time.Minute, 10*time.Minute, middleware.ClaimConflict)
	if d := pttl(); d <= 9*time.Minute || d > 10*time.Minute {
		t.Fatalf("PTTL %v, want the keep (10 min)", d)
	}
	if err := s.Release(ctx, key, fpA); err != nil {
		t.Fatal(err)
	}
	claim(fpB, time.Minute, 10*time.Minute, middleware.ClaimConflict) // the fingerprint stays
	claim(fpA, 50*time.Millisecond, 50*time.Millisecond, middleware.ClaimNew)
	if err := s.Complete(ctx, key, fpA, 20*time.Minute); err != nil {
		t.Fatal(err)
	}
	claim(fpA, time.Minute, time.Minute, middleware.ClaimDuplicate)
	if d := pttl(); d <= 19*time.Minute || d > 20*time.Minute {
		t.Fatalf("PTTL %v after Complete, want its keep (20 min)", d)
	}

	// A short entry leaves on the server's clock.
	const short = "wx0123456789abcdef:b7668c176391109dffe9ae5e895948f433f84fed"
	if got, err := s.Claim(ctx, short, fpA, 30*time.Millisecond, 30*time.Millisecond); err != nil || got != middleware.ClaimNew {
		t.Fatalf("Claim short = %v, %v", got, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := s.Claim(ctx, short, fpB, time.Minute, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got == middleware.ClaimNew {
			break
		}
		if got != middleware.ClaimConflict || time.Now().After(deadline) {
			t.Fatalf("Claim by another fingerprint = %v; the 30 ms entry never expired", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReplayStoreKey(t *testing.T) {
	s := redisstore.NewReplayStore(redisNoServer(t), redisstore.ReplayOptions{Prefix: "shop:"})
	if got, want := s.Key("wx1:abc"), "shop:replay:{wx1:abc}"; got != want {
		t.Fatalf("Key = %q, want %q", got, want)
	}
}

func TestBadOptionsPanic(t *testing.T) {
	tests := map[string]func(){
		"nil client":        func() { redisstore.NewReplayStore(nil, redisstore.ReplayOptions{}) },
		"brace in prefix":   func() { redisstore.NewReplayStore(redisNoServer(t), redisstore.ReplayOptions{Prefix: "a{b"}) },
		"nil client, token": func() { redisstore.NewTokenStore(nil, redisstore.TokenOptions{}) },
		"brace, token":      func() { redisstore.NewTokenStore(redisNoServer(t), redisstore.TokenOptions{Prefix: "}"}) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

// TestCheckDurability: the test Redis runs without the append-only file,
// which CheckDurability reports; with appendonly yes and noeviction it is
// satisfied. The settings are restored after the test.
func TestCheckDurability(t *testing.T) {
	rdb := newRedis(t)
	ctx := context.Background()
	restore := map[string]string{}
	for _, name := range []string{"appendonly", "maxmemory-policy", "maxmemory"} {
		m, err := rdb.ConfigGet(ctx, name).Result()
		if err != nil {
			t.Fatal(err)
		}
		restore[name] = m[name]
	}
	t.Cleanup(func() {
		for name, v := range restore {
			rdb.ConfigSet(context.Background(), name, v)
		}
	})
	set := func(name, v string) {
		t.Helper()
		if err := rdb.ConfigSet(ctx, name, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	s := redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{})
	set("appendonly", "no")
	set("maxmemory", "100mb")
	set("maxmemory-policy", "volatile-lru")
	err := s.CheckDurability(ctx)
	if !errors.Is(err, redisstore.ErrNotDurable) || !strings.Contains(err.Error(), "appendonly yes") || !strings.Contains(err.Error(), "noeviction") {
		t.Fatalf("CheckDurability = %v, want both settings named", err)
	}
	set("appendonly", "yes")
	set("maxmemory-policy", "noeviction")
	if err := s.CheckDurability(ctx); err != nil {
		t.Fatalf("with appendonly yes and noeviction: %v", err)
	}
}

// TestReplayStoreFullRedis: a Redis at its maxmemory under noeviction
// refuses the claim's write; the error wraps middleware.ErrStoreFull, which
// the middleware answers 503 (nothing forgotten, WeChat delivers again).
func TestReplayStoreFullRedis(t *testing.T) {
	rdb := newRedis(t)
	ctx := context.Background()
	restore := map[string]string{}
	for _, name := range []string{"maxmemory-policy", "maxmemory"} {
		m, err := rdb.ConfigGet(ctx, name).Result()
		if err != nil {
			t.Fatal(err)
		}
		restore[name] = m[name]
	}
	t.Cleanup(func() {
		for name, v := range restore {
			rdb.ConfigSet(context.Background(), name, v)
		}
	})
	s := redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: freshPrefix(t, rdb)})
	if err := rdb.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil { // below what Redis uses already
		t.Fatal(err)
	}
	_, err := s.Claim(ctx, "wx0123456789abcdef:f00d", middleware.Fingerprint{1}, time.Minute, time.Minute)
	if !errors.Is(err, middleware.ErrStoreFull) {
		t.Fatalf("Claim on a full Redis: %v, want ErrStoreFull", err)
	}
}

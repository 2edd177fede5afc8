package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/redisstore"
	"github.com/payfeedback/payfeedback/tokenstoretest"
)

// TestTokenStoreContract holds the Redis store to the TokenStore contract,
// on the contract's virtual clock.
func TestTokenStoreContract(t *testing.T) {
	rdb := newRedis(t)
	tokenstoretest.Run(t, func(t *testing.T, now func() time.Time) payfeedback.TokenStore {
		return redisstore.NewTokenStore(rdb, redisstore.TokenOptions{Prefix: freshPrefix(t, rdb), Now: now})
	})
}

// TestTokenStoreServerClock: without Now, leases expire on Redis's clock
// and the token key with the token.
func TestTokenStoreServerClock(t *testing.T) {
	rdb := newRedis(t)
	s := redisstore.NewTokenStore(rdb, redisstore.TokenOptions{Prefix: freshPrefix(t, rdb)})
	ctx := context.Background()
	now := time.Now()
	if err := s.Store(ctx, "wx1", payfeedback.Token{Value: "T", ObtainedAt: now, ExpiresAt: now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tokenKey, leaseKey := s.Keys("wx1")
	if d := rdb.PTTL(ctx, tokenKey).Val(); d <= time.Hour || d > 2*time.Hour {
		t.Fatalf("token key PTTL %v, want the token's lifetime (2 h)", d)
	}
	if ok, err := s.TryLease(ctx, "wx1", "h1", 30*time.Millisecond); !ok || err != nil {
		t.Fatalf("TryLease h1: %v, %v", ok, err)
	}
	if d := rdb.PTTL(ctx, leaseKey).Val(); d <= 0 || d > 30*time.Millisecond {
		t.Fatalf("lease key PTTL %v, want the lease (30 ms)", d)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := s.TryLease(ctx, "wx1", "h2", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the 30 ms lease never expired")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTokenStoreKeys(t *testing.T) {
	s := redisstore.NewTokenStore(redisNoServer(t), redisstore.TokenOptions{})
	token, lease := s.Keys("wx1")
	if token != "payfeedback:token:{wx1}" || lease != "payfeedback:lease:{wx1}" {
		t.Fatalf("Keys = %q, %q", token, lease)
	}
}

// TestTokenStoreCorruptValue: a value this store did not write is an
// error naming the key, not a token.
func TestTokenStoreCorruptValue(t *testing.T) {
	rdb := newRedis(t)
	s := redisstore.NewTokenStore(rdb, redisstore.TokenOptions{Prefix: freshPrefix(t, rdb)})
	key, _ := s.Keys("wx1")
	rdb.Set(context.Background(), key, "not a token", 0)
	if _, err := s.Load(context.Background(), "wx1"); err == nil || !strings.Contains(err.Error(), key) {
		t.Fatalf("Load of a foreign value: %v, want an error naming %s", err, key)
	}
}

// TestUnreachable: every method of both stores fails with an error
// wrapping the client's when Redis cannot be reached.
func TestUnreachable(t *testing.T) {
	rdb := redisNoServer(t)
	ctx := context.Background()
	ts := redisstore.NewTokenStore(rdb, redisstore.TokenOptions{})
	rs := redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{})
	calls := map[string]error{}
	_, calls["Load"] = ts.Load(ctx, "wx1")
	calls["Store"] = ts.Store(ctx, "wx1", payfeedback.Token{Value: "T"})
	_, calls["TryLease"] = ts.TryLease(ctx, "wx1", "h", time.Second)
	calls["ReleaseLease"] = ts.ReleaseLease(ctx, "wx1", "h")
	_, calls["Claim"] = rs.Claim(ctx, "wx1:s", [20]byte{}, time.Second, time.Second)
	calls["Complete"] = rs.Complete(ctx, "wx1:s", [20]byte{}, time.Second)
	calls["Release"] = rs.Release(ctx, "wx1:s", [20]byte{})
	for name, err := range calls {
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: %v, want an error wrapping ECONNREFUSED", name, err)
		}
	}
}

// redisNoServer returns a client of a loopback port where nothing listens.
func redisNoServer(t *testing.T) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: closedPort(t), MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

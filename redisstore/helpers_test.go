package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisURLVar names the Redis the tests use. .ci/run starts a redis-server
// and sets it; when it is set, no test here skips.
const redisURLVar = "PAYFEEDBACK_REDIS_URL"

// howToRun is the skip message of a developer without Redis.
const howToRun = redisURLVar + " is not set: these tests need a real Redis. Run one and point them at it, e.g.\n" +
	"\tredis-server --port 6390 --save '' --appendonly no &\n" +
	"\t" + redisURLVar + "=redis://127.0.0.1:6390/0 go test ./redisstore/\n" +
	"(bash .ci/run does this by itself)"

// redisURL returns the URL of the test Redis, or skips the test without
// one.
func redisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(redisURLVar)
	if u == "" {
		t.Skip(howToRun)
	}
	return u
}

// newRedis returns a client of the test Redis, closed with the test.
func newRedis(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(redisURL(t))
	if err != nil {
		t.Fatalf("%s: %v", redisURLVar, err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("%s=%s: %v", redisURLVar, os.Getenv(redisURLVar), err)
	}
	return rdb
}

// freshPrefix returns a prefix no other test uses, and deletes its keys
// when the test ends.
func freshPrefix(t testing.TB, rdb redis.UniversalClient) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "pftest:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return prefix
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

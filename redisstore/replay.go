package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback/middleware"
)

// ReplayOptions configures NewReplayStore.
type ReplayOptions struct {
	// Prefix starts every key (DefaultPrefix when ""). Give each service
	// its own when several share one Redis. It must not contain '{' or '}'
	// (they would break the hash tags).
	Prefix string
	// Now is the clock judging expiry (nil: the Redis server's clock, read
	// by the scripts with TIME: one clock for the whole fleet). Tests give
	// a virtual clock; in production, instances giving their own clocks
	// must keep them in step, as the freshness window already requires.
	Now func() time.Time
}

// ReplayStore is a middleware.ReplayStore on Redis, shared by every
// instance of a service. Each notification is one hash,
// "<prefix>replay:{<AppId>:<signature>}", holding its fingerprint, state,
// claim deadline and keep deadline; it expires (PEXPIRE) when both have
// passed. Claim, Complete and Release are each one Lua script, run
// atomically in one round trip (EVALSHA; EVAL once after a restart of
// Redis). A notification through the middleware costs two round trips
// (Claim, then Complete or Release); a duplicate, one.
type ReplayStore struct {
	rdb                                        redis.UniversalClient
	prefix                                     string
	now                                        func() time.Time
	claimScript, completeScript, releaseScript *redis.Script
}

// NewReplayStore returns a ReplayStore on rdb (a *redis.Client, a
// *redis.ClusterClient, a failover client…). It panics when rdb is nil or
// the prefix holds a brace, as a programming error found at start-up.
func NewReplayStore(rdb redis.UniversalClient, opts ReplayOptions) *ReplayStore {
	return &ReplayStore{rdb: mustClient(rdb), prefix: mustPrefix(opts.Prefix) + "replay:", now: opts.Now,
		claimScript: redis.NewScript(claimLua), completeScript: redis.NewScript(completeLua), releaseScript: redis.NewScript(releaseLua)}
}

// Key returns the Redis key holding the entry of a replay key
// ("AppId:signature"), for operators looking into Redis.
func (s *ReplayStore) Key(key string) string {
	return s.prefix + "{" + key + "}"
}

// claimLua implements Claim. KEYS[1]: the entry. ARGV: fingerprint, lease
// ms, keep ms, now ms ("" for the server's clock). Returns the ClaimResult.
const claimLua = nowLua + `
local lease = now + tonumber(ARGV[2])
local keep = now + tonumber(ARGV[3])
local e = redis.call('HMGET', KEYS[1], 'f', 's', 'l', 'k')
if e[1] then
  local l = tonumber(e[3]) or 0
  local k = tonumber(e[4]) or 0
  if now < math.max(l, k) then
    if e[1] ~= ARGV[1] then return 4 end
    if e[2] == 'd' then return 2 end
    if e[2] == 'p' and now < l then return 3 end
    keep = math.max(keep, k)
  end
end
redis.call('HSET', KEYS[1], 'f', ARGV[1], 's', 'p', 'l', lease, 'k', keep)
redis.call('PEXPIRE', KEYS[1], math.max(lease, keep) - now)
return 1
`

// completeLua implements Complete. KEYS[1]: the entry. ARGV: fingerprint,
// keep ms, now ms. Returns 1 when marked done, 0 when another fingerprint
// holds the entry.
const completeLua = nowLua + `
local keep = now + tonumber(ARGV[2])
local e = redis.call('HMGET', KEYS[1], 'f', 'l', 'k')
if e[1] then
  local l = tonumber(e[2]) or 0
  local k = tonumber(e[3]) or 0
  if now < math.max(l, k) then
    if e[1] ~= ARGV[1] then return 0 end
    keep = math.max(keep, k)
  end
end
redis.call('HSET', KEYS[1], 'f', ARGV[1], 's', 'd', 'l', 0, 'k', keep)
redis.call('PEXPIRE', KEYS[1], math.max(keep - now, 1))
return 1
`

// releaseLua implements Release. KEYS[1]: the entry. ARGV: fingerprint,
// now ms. Returns 1 when the claim was dropped.
const releaseLua = nowLua + `
local e = redis.call('HMGET', KEYS[1], 'f', 's', 'l', 'k')
if not e[1] or e[1] ~= ARGV[1] or e[2] ~= 'p' then return 0 end
local l = tonumber(e[3]) or 0
local k = tonumber(e[4]) or 0
if now >= math.max(l, k) then return 0 end
if k <= now then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('HSET', KEYS[1], 's', 'r', 'l', 0)
redis.call('PEXPIRE', KEYS[1], k - now)
return 1
`

// Claim implements middleware.ReplayStore. When Redis is full under
// maxmemory-policy noeviction, the error wraps middleware.ErrStoreFull
// (the middleware answers 503; nothing is forgotten).
func (s *ReplayStore) Claim(ctx context.Context, key string, fp middleware.Fingerprint, lease, keep time.Duration) (middleware.ClaimResult, error) {
	n, err := s.claimScript.Run(ctx, s.rdb, []string{s.Key(key)}, fp.String(), lease.Milliseconds(), keep.Milliseconds(), nowArg(s.now)).Int64()
	if err != nil {
		return 0, storeError("Claim", err)
	}
	if n < int64(middleware.ClaimNew) || n > int64(middleware.ClaimConflict) {
		return 0, fmt.Errorf("redisstore: Claim: the script answered %d", n)
	}
	return middleware.ClaimResult(n), nil
}

// Complete implements middleware.ReplayStore.
func (s *ReplayStore) Complete(ctx context.Context, key string, fp middleware.Fingerprint, keep time.Duration) error {
	if err := s.completeScript.Run(ctx, s.rdb, []string{s.Key(key)}, fp.String(), keep.Milliseconds(), nowArg(s.now)).Err(); err != nil {
		return storeError("Complete", err)
	}
	return nil
}

// Release implements middleware.ReplayStore.
func (s *ReplayStore) Release(ctx context.Context, key string, fp middleware.Fingerprint) error {
	if err := s.releaseScript.Run(ctx, s.rdb, []string{s.Key(key)}, fp.String(), nowArg(s.now)).Err(); err != nil {
		return storeError("Release", err)
	}
	return nil
}

// storeError wraps the error of a script; Redis's OOM answer (maxmemory
// reached under noeviction) also wraps middleware.ErrStoreFull.
func storeError(op string, err error) error {
	if redis.HasErrorPrefix(err, "OOM") {
		return fmt.Errorf("redisstore: %s: Redis is full (maxmemory reached; nothing was evicted): %w: %w", op, middleware.ErrStoreFull, err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

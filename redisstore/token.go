package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback"
)

// TokenOptions configures NewTokenStore.
type TokenOptions struct {
	// Prefix starts every key (DefaultPrefix when ""). Give each service
	// its own when several share one Redis. It must not contain '{' or '}'.
	Prefix string
	// Now is the clock judging lease expiry (nil: the Redis server's clock,
	// read by the scripts with TIME: one clock for the whole fleet). Tests
	// give a virtual clock.
	Now func() time.Time
}

// TokenStore is a payfeedback.TokenStore on Redis: the access_token of
// each appid and its refresh lease, shared by every instance of a service,
// so that only one asks WeChat for a new token and none invalidates the
// others'. The token is "<prefix>token:{<appid>}", expiring when the token
// does; the lease is "<prefix>lease:{<appid>}", expiring with the lease
// (both in one hash slot). TryLease and ReleaseLease are Lua scripts, run
// atomically.
//
// When Redis cannot be reached every method returns an error wrapping the
// client's, and the payfeedback.Client returns it too: it never falls back
// to asking WeChat on its own, which would invalidate the token the other
// instances use.
type TokenStore struct {
	rdb                    redis.UniversalClient
	prefix                 string
	now                    func() time.Time
	tryLease, releaseLease *redis.Script
}

// NewTokenStore returns a TokenStore on rdb. It panics when rdb is nil or
// the prefix holds a brace, as a programming error found at start-up.
func NewTokenStore(rdb redis.UniversalClient, opts TokenOptions) *TokenStore {
	return &TokenStore{rdb: mustClient(rdb), prefix: mustPrefix(opts.Prefix), now: opts.Now,
		tryLease: redis.NewScript(tryLeaseLua), releaseLease: redis.NewScript(releaseLeaseLua)}
}

// Keys returns the Redis keys of appID's token and lease, for operators
// looking into Redis.
func (s *TokenStore) Keys(appID string) (token, lease string) {
	tag := "{" + appID + "}"
	return s.prefix + "token:" + tag, s.prefix + "lease:" + tag
}

// Load implements payfeedback.TokenStore.
func (s *TokenStore) Load(ctx context.Context, appID string) (payfeedback.Token, error) {
	key, _ := s.Keys(appID)
	v, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return payfeedback.Token{}, nil
	}
	if err != nil {
		return payfeedback.Token{}, fmt.Errorf("redisstore: loading the access_token of %s: %w", appID, err)
	}
	tok, ok := decodeToken(v)
	if !ok {
		return payfeedback.Token{}, fmt.Errorf("redisstore: the access_token of %s in %s is not in this store's format: delete the key", appID, key)
	}
	return tok, nil
}

// Store implements payfeedback.TokenStore. The key expires when the token
// does (its lifetime from now); a token without a lifetime does not expire.
func (s *TokenStore) Store(ctx context.Context, appID string, tok payfeedback.Token) error {
	key, _ := s.Keys(appID)
	ttl := max(tok.ExpiresAt.Sub(tok.ObtainedAt), 0)
	if err := s.rdb.Set(ctx, key, encodeToken(tok), ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: storing the access_token of %s: %w", appID, err)
	}
	return nil
}

// tryLeaseLua implements TryLease. KEYS[1]: the lease. ARGV: holder, ttl
// ms, now ms. The value is "<until ms> <holder>".
const tryLeaseLua = nowLua + `
local ttl = tonumber(ARGV[2])
local v = redis.call('GET', KEYS[1])
if v then
  local sp = string.find(v, ' ', 1, true)
  if sp and string.sub(v, sp + 1) ~= ARGV[1] and now < (tonumber(string.sub(v, 1, sp - 1)) or 0) then
    return 0
  end
end
redis.call('SET', KEYS[1], string.format('%.0f', now + ttl) .. ' ' .. ARGV[1], 'PX', ttl)
return 1
`

// releaseLeaseLua implements ReleaseLease. KEYS[1]: the lease. ARGV:
// holder, now ms (unused, for the common prologue).
const releaseLeaseLua = nowLua + `
local v = redis.call('GET', KEYS[1])
if v then
  local sp = string.find(v, ' ', 1, true)
  if sp and string.sub(v, sp + 1) == ARGV[1] then
    redis.call('DEL', KEYS[1])
    return 1
  end
end
return 0
`

// TryLease implements payfeedback.TokenStore.
func (s *TokenStore) TryLease(ctx context.Context, appID, holder string, ttl time.Duration) (bool, error) {
	_, key := s.Keys(appID)
	n, err := s.tryLease.Run(ctx, s.rdb, []string{key}, holder, max(ttl.Milliseconds(), 1), nowArg(s.now)).Int64()
	if err != nil {
		return false, fmt.Errorf("redisstore: taking the token refresh lease of %s: %w", appID, err)
	}
	return n == 1, nil
}

// ReleaseLease implements payfeedback.TokenStore.
func (s *TokenStore) ReleaseLease(ctx context.Context, appID, holder string) error {
	_, key := s.Keys(appID)
	if err := s.releaseLease.Run(ctx, s.rdb, []string{key}, holder, nowArg(s.now)).Err(); err != nil {
		return fmt.Errorf("redisstore: releasing the token refresh lease of %s: %w", appID, err)
	}
	return nil
}

// encodeToken writes "<obtained ms> <expires ms> <value>".
func encodeToken(tok payfeedback.Token) string {
	return strconv.FormatInt(tok.ObtainedAt.UnixMilli(), 10) + " " + strconv.FormatInt(tok.ExpiresAt.UnixMilli(), 10) + " " + tok.Value
}

func decodeToken(v string) (payfeedback.Token, bool) {
	obtained, rest, ok1 := strings.Cut(v, " ")
	expires, value, ok2 := strings.Cut(rest, " ")
	o, err1 := strconv.ParseInt(obtained, 10, 64)
	e, err2 := strconv.ParseInt(expires, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return payfeedback.Token{}, false
	}
	return payfeedback.Token{Value: value, ObtainedAt: time.UnixMilli(o), ExpiresAt: time.UnixMilli(e)}, true
}

// Package redisstore keeps the two shared states of a fleet of instances on
// Redis: the replay memory of the middleware (ReplayStore, a
// middleware.ReplayStore) and the access_token with its refresh lease
// (TokenStore, a payfeedback.TokenStore). With them, several instances
// behind a load balancer handle each notification once, and share one
// access_token instead of invalidating each other's.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	verify := middleware.New(middleware.Config{
//		Keys:   middleware.StaticKeys{appID: paySignKey},
//		Replay: redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: "shop:"}),
//	})
//	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
//		AppID: appID, Secret: secret,
//		TokenStore: redisstore.NewTokenStore(rdb, redisstore.TokenOptions{Prefix: "shop:"}),
//	})
//
// # Keys, scripts and expiry
//
// Every key starts with the Prefix (DefaultPrefix, "payfeedback:") and
// carries a hash tag, so that every operation stays in one slot of a Redis
// Cluster: "<prefix>replay:{<AppId>:<signature>}" is one notification's
// entry (a hash: fingerprint, state, claim and keep deadlines);
// "<prefix>token:{<appid>}" and "<prefix>lease:{<appid>}" are an account's
// token and refresh lease. Operations that read and write are Lua scripts,
// atomic on the server and sent with EVALSHA (EVAL once after Redis
// restarted). Keys expire with what they hold: an entry when both its
// claim and its keep (the end of the notification's freshness window) have
// passed, a token when it does, a lease after its ttl.
//
// A notification through the middleware costs two round trips (Claim, then
// Complete or Release) and a duplicate one; BenchmarkMiddlewareRedis
// measures them.
//
// # Clocks
//
// By default the scripts judge expiry by the Redis server's clock (TIME),
// one clock for the whole fleet. The Now options replace it, for tests on a
// virtual clock; instances giving their own clocks must keep them in step,
// as the freshness window of the notifications already requires.
//
// # When Redis is down
//
// Every method returns an error wrapping go-redis's. The middleware then
// answers 503 with Retry-After, so WeChat delivers again later and nothing
// is lost; a payfeedback.Client returns the error and never asks WeChat for
// a token on its own, which would invalidate the token the other instances
// use. To answer quickly while Redis is unreachable, give the client short
// timeouts (redis.Options DialTimeout, ReadTimeout, MaxRetries).
//
// # Durability
//
// The replay memory must outlive a restart of Redis and must not be
// evicted: a forgotten entry is, within its notification's freshness
// window, a replay handled again and a captured signature accepted with
// forged fields. Run Redis with the append-only file (appendonly yes) and
// maxmemory-policy noeviction: a full Redis then refuses writes, and the
// middleware answers 503 (WeChat delivers again) instead of forgetting.
// ReplayStore.CheckDurability reports both settings; call it at start-up.
// The tests run Redis without persistence, which is fine for tests only.
//
// # Versions
//
// The scripts use HMGET, HSET with several fields, PEXPIRE, GET, SET PX,
// DEL and TIME before writes (allowed since Redis 5 replicates scripts by
// their effects): Redis 6, Redis 7 and Valkey run them. The tests run
// against a real redis-server named by PAYFEEDBACK_REDIS_URL (.ci/run
// starts one), including cross-process tests of a fleet and a restart of
// Redis in the middle of a run.
package redisstore

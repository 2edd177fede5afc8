package redisstore

import (
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix starts every key when the options give no Prefix.
const DefaultPrefix = "payfeedback:"

func mustClient(rdb redis.UniversalClient) redis.UniversalClient {
	if rdb == nil {
		panic("redisstore: the Redis client is nil: give a *redis.Client, e.g. redis.NewClient(&redis.Options{Addr: \"127.0.0.1:6379\"})")
	}
	return rdb
}

func mustPrefix(p string) string {
	if p == "" {
		return DefaultPrefix
	}
	if strings.ContainsAny(p, "{}") {
		panic(fmt.Sprintf("redisstore: Prefix %q holds a brace: the keys' hash tags would break; use letters, digits, ':' or '-'", p))
	}
	return p
}

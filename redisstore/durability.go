package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrNotDurable is wrapped by CheckDurability's error when Redis may lose
// the replay memory.
var ErrNotDurable = errors.New("redisstore: Redis may lose the replay memory")

// CheckDurability reads Redis's configuration and reports, in an error
// wrapping ErrNotDurable, the settings under which it may forget replay
// entries before their time: without the append-only file (appendonly
// yes), a restart forgets them; with an eviction policy other than
// noeviction and a memory limit, a full Redis drops them (every entry has
// a TTL, so the volatile-* policies take them first). Within the freshness
// window a forgotten entry is a replay handled again and a captured
// signature accepted with forged fields (see the middleware's "Losing the
// replay memory"). With noeviction, a full Redis refuses writes: the
// middleware answers 503 and WeChat delivers again, nothing is lost.
//
// Call it at start-up and log its error; a managed Redis that does not
// allow CONFIG GET gets an error saying so: check these two settings with
// the provider.
func (s *ReplayStore) CheckDurability(ctx context.Context) error {
	get := func(name string) (string, error) {
		m, err := s.rdb.ConfigGet(ctx, name).Result()
		if err != nil {
			return "", fmt.Errorf("redisstore: CONFIG GET %s: %w (check appendonly yes and maxmemory-policy noeviction with the provider)", name, err)
		}
		v, ok := m[name]
		if !ok {
			return "", fmt.Errorf("redisstore: CONFIG GET %s answered nothing (check appendonly yes and maxmemory-policy noeviction with the provider)", name)
		}
		return v, nil
	}
	aof, err := get("appendonly")
	if err != nil {
		return err
	}
	policy, err := get("maxmemory-policy")
	if err != nil {
		return err
	}
	limit, err := get("maxmemory")
	if err != nil {
		return err
	}
	var problems []string
	if aof != "yes" {
		problems = append(problems, "appendonly is "+aof+": a restart forgets every entry (set appendonly yes)")
	}
	if policy != "noeviction" && limit != "0" {
		problems = append(problems, "maxmemory-policy is "+policy+" with maxmemory "+limit+
			": a full Redis drops entries (set maxmemory-policy noeviction; writes then fail, and the middleware answers 503)")
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrNotDurable, strings.Join(problems, "; "))
}

package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limits are the per-minute limits of each account and endpoint, on the
// fake's clock.
type limits struct {
	perMinute int

	mu sync.Mutex // guards m; a leaf lock
	m  map[limitKey]*rate.Limiter
}

type limitKey struct{ appID, path string }

func newLimits(perMinute int) *limits {
	return &limits{perMinute: perMinute, m: make(map[limitKey]*rate.Limiter)}
}

// allow takes one call of appID to path at now, and reports whether it is
// within the limit.
func (l *limits) allow(appID, path string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := limitKey{appID, path}
	lim, ok := l.m[k]
	if !ok {
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMinute)), l.perMinute)
		lim.AllowN(now, 0) // full at the fake's time, virtual or real
		l.m[k] = lim
	}
	return lim.AllowN(now, 1)
}

// reset forgets every account's use: a server's reset (its clock may go
// back, which a limiter would take for no time passing).
func (l *limits) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.m)
}

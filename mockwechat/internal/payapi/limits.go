package payapi

import (
	"fmt"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"golang.org/x/time/rate"
)

// DefaultPerMinute returns the calls a minute WeChat allows a merchant on
// a path of the API, where WeChat publishes a limit (the complaint FAQ: list and
// history 200, reply and upload 60, complete 1500; /v3/certificates 1000 a
// second, 60,000 a minute); 0 where it publishes none: the fake does not
// invent a refusal. (The client's pacing, complaints.DefaultPerMinute,
// also paces the endpoints WeChat is silent about, to be safe.)
func DefaultPerMinute(e complaints.Endpoint) int {
	switch e {
	case complaints.EndpointList, complaints.EndpointHistory:
		return 200
	case complaints.EndpointResponse, complaints.EndpointImageUpload:
		return 60
	case complaints.EndpointComplete:
		return 1500
	case EndpointCertificates:
		return 60_000
	}
	return 0
}

// limits are the per-minute limits of each merchant on each path, on the
// fake's clock: a token bucket of the minute's calls, refilled evenly
// (golang.org/x/time/rate, told the time with AllowN).
type limits struct {
	perMinute map[complaints.Endpoint]int

	mu sync.Mutex // guards m; a leaf
	m  map[limitKey]*rate.Limiter
}

type limitKey struct {
	mchid string
	path  complaints.Endpoint
}

func newLimits(overrides map[complaints.Endpoint]int) *limits {
	l := &limits{perMinute: map[complaints.Endpoint]int{}, m: map[limitKey]*rate.Limiter{}}
	for _, e := range append(complaints.Endpoints(), EndpointCertificates) {
		n, ok := overrides[e]
		if !ok {
			n = DefaultPerMinute(e)
		}
		if n > 0 {
			l.perMinute[e] = n
		}
	}
	return l
}

// allow counts one request of mchid to e at now, and reports whether it is
// within the limit.
func (l *limits) allow(mchid string, e complaints.Endpoint, now time.Time) bool {
	n, ok := l.perMinute[e]
	if !ok {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := limitKey{mchid, e}
	lim, ok := l.m[k]
	if !ok {
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(n)), n)
		lim.AllowN(now, 0) // full at the fake's time, virtual or real
		l.m[k] = lim
	}
	return lim.AllowN(now, 1)
}

// describe names e's limit for messages.
func (l *limits) describe(e complaints.Endpoint) string {
	return fmt.Sprint(l.perMinute[e])
}

// reset forgets every merchant's use.
func (l *limits) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.m)
}

// EndpointCertificates names GET /v3/certificates among the endpoints (the
// complaints package names only the complaint endpoints).
const EndpointCertificates complaints.Endpoint = "certificates"

// knownEndpoint reports whether the fake serves e.
func knownEndpoint(e complaints.Endpoint) bool {
	return e == EndpointCertificates || containsEndpoint(complaints.Endpoints(), e)
}

func containsEndpoint(list []complaints.Endpoint, e complaints.Endpoint) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

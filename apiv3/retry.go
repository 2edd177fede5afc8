package apiv3

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy retries requests WeChat answered with a retryable *Error
// (see Error.Retryable): SYSTEM_ERROR asks to "retry later with the same
// parameters", FREQUENCY_LIMITED to slow down. Each retry is signed anew.
// The wait before retry n (n = 1, 2, …) is Backoff·2ⁿ⁻¹ capped at
// MaxBackoff, with up to 50 % taken off at random so that callers do not
// retry in step; an answer's Retry-After, when longer, wins.
type RetryPolicy struct {
	// Attempts is how many times a request is sent in all, the first
	// included (0: 3).
	Attempts int
	// Backoff is the first wait (0: 500 ms).
	Backoff time.Duration
	// MaxBackoff caps a wait (0: 10 s).
	MaxBackoff time.Duration
}

func (p *RetryPolicy) validate() error {
	if p.Attempts < 0 || p.Backoff < 0 || p.MaxBackoff < 0 {
		return errors.New("apiv3: RetryPolicy has a negative field")
	}
	return nil
}

func (p *RetryPolicy) attempts() int {
	if p.Attempts == 0 {
		return 3
	}
	return p.Attempts
}

// delay returns the wait before retry n.
func (p *RetryPolicy) delay(n int, after time.Duration) time.Duration {
	base, limit := p.Backoff, p.MaxBackoff
	if base == 0 {
		base = 500 * time.Millisecond
	}
	if limit == 0 {
		limit = 10 * time.Second
	}
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	d -= time.Duration(rand.Int64N(int64(d)/2 + 1))
	return max(d, after)
}

// wait sleeps before retry n, or returns ctx's error.
func (p *RetryPolicy) wait(ctx context.Context, n int, after time.Duration) error {
	t := time.NewTimer(p.delay(n, after))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryAfter reads a Retry-After header given in seconds (WeChat's, if it
// sends one), bounded to a minute.
func retryAfter(h http.Header) time.Duration {
	n, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 60)) * time.Second
}

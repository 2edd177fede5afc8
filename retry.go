package payfeedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// Defaults of RetryPolicy.
const (
	// DefaultRetryBackoff is the wait before the first retry.
	DefaultRetryBackoff = 100 * time.Millisecond
	// DefaultMaxRetryBackoff bounds every later wait.
	DefaultMaxRetryBackoff = 2 * time.Second
)

// RetryPolicy is the Client's opt-in retry of transient failures: an answer
// with errcode -1 (system error) or an HTTP 5xx status. Its zero value
// never retries: a failure is returned at once, as before, and the caller
// decides. Other failures are never retried: errcodes about the request,
// the token (the Client renews the token and retries once on 40001 and
// 42001 whatever the policy), or a limit, and transport errors, after which
// WeChat may or may not have acted.
//
// Each wait is drawn at random between half and all of the backoff
// (jitter), so that instances do not retry in lock-step; the backoff starts
// at InitialBackoff and doubles up to MaxBackoff. Retries honour the call's
// context: a wait ends when the context is done, and no retry starts that
// the context's deadline would cut short.
//
// A retried SendMessage may deliver a message twice if WeChat delivered it
// and then failed; UpdateFeedback, token requests and media uploads are
// safe to repeat.
type RetryPolicy struct {
	// MaxAttempts is how many times a call is sent at most, the first
	// included; 0 or 1 never retries.
	MaxAttempts int
	// InitialBackoff is the wait before the first retry (0:
	// DefaultRetryBackoff).
	InitialBackoff time.Duration
	// MaxBackoff bounds each wait (0: DefaultMaxRetryBackoff).
	MaxBackoff time.Duration
}

// validate reports a policy that cannot be followed.
func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 0:
		return errors.New("ClientOptions.Retry.MaxAttempts is negative: want 0 (no retry) or the number of attempts")
	case p.InitialBackoff < 0 || p.MaxBackoff < 0:
		return errors.New("ClientOptions.Retry backoffs must not be negative (0 means the default)")
	case p.InitialBackoff > 0 && p.MaxBackoff > 0 && p.InitialBackoff > p.MaxBackoff:
		return fmt.Errorf("ClientOptions.Retry.InitialBackoff %v is above MaxBackoff %v", p.InitialBackoff, p.MaxBackoff)
	}
	return nil
}

// withDefaults returns p with its zero durations replaced by the defaults.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxBackoff == 0 {
		p.MaxBackoff = DefaultMaxRetryBackoff
	}
	if p.InitialBackoff == 0 {
		p.InitialBackoff = min(DefaultRetryBackoff, p.MaxBackoff)
	}
	p.MaxBackoff = max(p.MaxBackoff, p.InitialBackoff)
	return p
}

// backoff is the wait before retry number n (1 for the first), jittered.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.InitialBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + time.Duration(mathrand.Int64N(int64(d-half)+1))
}

// retryable reports whether err is a failure RetryPolicy retries.
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code == CodeSystemError
	}
	var se *StatusError
	return errors.As(err, &se) && se.StatusCode >= http.StatusInternalServerError
}

// do sends one API request, and again under the retry policy, and decodes
// the answer into out (when not nil). An errcode ≠ 0 becomes an *APIError.
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, contentType string, body []byte, out any) error {
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, op, method, path, query, contentType, body, out, attempt)
		if err == nil || attempt >= c.retry.MaxAttempts || !retryable(err) {
			return err
		}
		wait := c.retry.backoff(attempt)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err // a retry would not finish in time
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "wechat call failed; retrying", slog.String("op", op),
			slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		if serr := sleepCtx(ctx, wait); serr != nil {
			return fmt.Errorf("payfeedback: %s: retry abandoned: %w; last attempt: %w", op, serr, err)
		}
	}
}

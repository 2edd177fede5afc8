package payfeedback_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// answers is a handler answering each request with the next of its
// scripted answers ("200 0" = HTTP 200, errcode 0), then "200 0" forever.
type answers struct {
	mu     sync.Mutex
	script []string
	paths  []string
	tokens int
}

func (a *answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.paths = append(a.paths, r.URL.Path)
	next := "200 0"
	if len(a.script) > 0 {
		next, a.script = a.script[0], a.script[1:]
	}
	a.tokens++
	n := a.tokens
	a.mu.Unlock()
	var status, code int
	fmt.Sscanf(next, "%d %d", &status, &code)
	w.WriteHeader(status)
	if r.URL.Path == payfeedback.PathToken && code == 0 {
		fmt.Fprintf(w, `{"access_token":"T%d","expires_in":7200}`, n) // a new token each time
		return
	}
	fmt.Fprintf(w, `{"errcode":%d,"errmsg":"scripted"}`, code)
}

// scriptedClient returns a client of a server answering h, with opts.
func scriptedClient(t *testing.T, h http.Handler, opts payfeedback.ClientOptions) *payfeedback.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts.AppID, opts.Secret, opts.BaseURL, opts.HTTPClient = stubAppID, stubSecret, srv.URL, srv.Client()
	c, err := payfeedback.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (a *answers) sent() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.paths...)
}

// fastRetry is a policy whose waits are a few milliseconds.
var fastRetry = payfeedback.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}

// TestRetryPolicy: -1 and 5xx are retried up to MaxAttempts when the policy
// asks for it, the token request included; nothing else is, and nothing is
// retried by default.
func TestRetryPolicy(t *testing.T) {
	const (
		tok = payfeedback.PathToken
		upd = payfeedback.PathUpdateFeedback
	)
	tests := []struct {
		name      string
		policy    payfeedback.RetryPolicy
		script    []string // answers after the token's (unless the case scripts it)
		withToken bool     // the script starts with the token request's answers
		wantCode  payfeedback.ErrorCode
		wantHTTP  int
		wantSent  []string
	}{
		{"off by default: -1 returned", payfeedback.RetryPolicy{}, []string{"200 -1"}, false, -1, 0, []string{tok, upd}},
		{"off by default: 500 returned", payfeedback.RetryPolicy{}, []string{"500 0"}, false, 0, 500, []string{tok, upd}},
		{"one attempt is no retry", payfeedback.RetryPolicy{MaxAttempts: 1}, []string{"200 -1"}, false, -1, 0, []string{tok, upd}},
		{"-1 then ok", fastRetry, []string{"200 -1", "200 0"}, false, 0, 0, []string{tok, upd, upd}},
		{"5xx then ok", fastRetry, []string{"502 0", "503 0", "200 0"}, false, 0, 0, []string{tok, upd, upd, upd}},
		{"gives up after MaxAttempts", fastRetry, []string{"500 0", "200 -1", "503 0", "200 0"}, false, 0, 503, []string{tok, upd, upd, upd}},
		{"the token request too", fastRetry, []string{"200 -1", "200 0", "200 0"}, true, 0, 0, []string{tok, tok, upd}},
		{"other errcodes are not retried", fastRetry, []string{"200 40003"}, false, 40003, 0, []string{tok, upd}},
		{"429 is not retried", fastRetry, []string{"429 0"}, false, 0, 429, []string{tok, upd}},
		{"a token error is renewed once, not retried", fastRetry, []string{"200 40001", "200 0", "200 -1", "200 0"}, false, 0, 0, []string{tok, upd, tok, upd, upd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &answers{script: tt.script}
			if !tt.withToken {
				a.script = append([]string{"200 0"}, tt.script...)
			}
			c := scriptedClient(t, a, payfeedback.ClientOptions{Retry: tt.policy})
			err := c.UpdateFeedback(context.Background(), "o", "1")
			var ae *payfeedback.APIError
			var se *payfeedback.StatusError
			switch {
			case tt.wantCode != 0:
				if !errors.As(err, &ae) || ae.Code != tt.wantCode {
					t.Fatalf("UpdateFeedback: %v, want errcode %d", err, tt.wantCode)
				}
			case tt.wantHTTP != 0:
				if !errors.As(err, &se) || se.StatusCode != tt.wantHTTP {
					t.Fatalf("UpdateFeedback: %v, want HTTP %d", err, tt.wantHTTP)
				}
			case err != nil:
				t.Fatalf("UpdateFeedback: %v", err)
			}
			if got := a.sent(); strings.Join(got, " ") != strings.Join(tt.wantSent, " ") {
				t.Errorf("sent %v, want %v", got, tt.wantSent)
			}
		})
	}
}

// TestRetryHonoursContext: a wait ends when the context is done, and no
// retry starts that the deadline would cut short.
func TestRetryHonoursContext(t *testing.T) {
	slow := payfeedback.RetryPolicy{MaxAttempts: 5, InitialBackoff: time.Hour}
	t.Run("cancelled during the wait", func(t *testing.T) {
		a := &answers{script: []string{"200 0", "200 -1"}}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := scriptedClient(t, a, payfeedback.ClientOptions{Retry: slow, Metrics: payfeedback.ClientMetricsFunc(func(o payfeedback.CallObservation) {
			if o.Code == payfeedback.CodeSystemError {
				cancel() // the caller gives up while the client waits an hour
			}
		})})
		err := c.UpdateFeedback(ctx, "o", "1")
		var ae *payfeedback.APIError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) || ae.Code != payfeedback.CodeSystemError {
			t.Fatalf("UpdateFeedback: %v, want context.Canceled and the last errcode -1", err)
		}
		if n := len(a.sent()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("deadline before the next attempt", func(t *testing.T) {
		a := &answers{script: []string{"200 0", "200 -1"}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := scriptedClient(t, a, payfeedback.ClientOptions{Retry: slow}).UpdateFeedback(ctx, "o", "1")
		var ae *payfeedback.APIError
		if !errors.As(err, &ae) || ae.Code != payfeedback.CodeSystemError || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("UpdateFeedback: %v, want errcode -1 at once, not a wait until the deadline", err)
		}
	})
}

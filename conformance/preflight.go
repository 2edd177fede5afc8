package conformance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// DefaultPreflight bounds the pre-flight's connection attempt when
// Options.Wait is 0.
const DefaultPreflight = 5 * time.Second

// ErrUnreachable: nothing accepted a connection at Options.URL before the
// first case (within Options.Wait, when set). Run returns it wrapped, with
// the address and the reason, instead of failing every case the same way.
var ErrUnreachable = errors.New("conformance: nothing listens at the merchant's URL")

// preflight connects to the URL's host before any case: one attempt
// bounded by DefaultPreflight, or attempts until Options.Wait has passed.
// With Options.Client the suite does not know how that client connects
// (a proxy, a custom dialer), so there is no pre-flight.
func preflight(ctx context.Context, s *settings) error {
	if s.Client != nil {
		return nil
	}
	u, _ := url.Parse(s.URL) // checked by settle
	addr := hostPort(u)
	deadline := time.Now().Add(DefaultPreflight)
	if s.Wait > 0 {
		deadline = time.Now().Add(s.Wait)
		s.waiting("something to listen at " + addr)
		defer s.waiting("")
	}
	var d net.Dialer
	pause := 50 * time.Millisecond
	for {
		attempt, cancel := context.WithDeadline(ctx, deadline)
		conn, err := d.DialContext(attempt, "tcp", addr)
		cancel()
		if err == nil {
			conn.Close()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.Wait == 0 || !time.Now().Add(pause).Before(deadline) {
			return unreachable(s, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// unreachable words the pre-flight's failure; it wraps both
// ErrUnreachable and the dial's error (syscall.ECONNREFUSED, say).
func unreachable(s *settings, err error) error {
	why := err.Error()
	switch classify(err) {
	case FaultRefused:
		why = "connection refused"
	case FaultTimeout:
		why = "no answer to the connection"
	}
	if s.Wait > 0 {
		return &unreachableError{fmt.Sprintf("%s: %s (waited %s; last attempt: %s)", ErrUnreachable, s.URL, s.Wait, why), err}
	}
	return &unreachableError{fmt.Sprintf("%s: %s (%s): start the merchant, or give it time with Options.Wait", ErrUnreachable, s.URL, why), err}
}

// unreachableError is ErrUnreachable with its message and the dial's
// error.
type unreachableError struct {
	msg string
	err error
}

func (e *unreachableError) Error() string   { return e.msg }
func (e *unreachableError) Unwrap() []error { return []error{ErrUnreachable, e.err} }

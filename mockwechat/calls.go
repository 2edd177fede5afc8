package mockwechat

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Call is one recorded API call.
type Call struct {
	// Seq numbers calls from 1 in arrival order.
	Seq uint64 `json:"seq"`
	// Time is when the call arrived, on the fake's clock.
	Time time.Time `json:"time"`
	// Endpoint is the path called, e.g. "/cgi-bin/token".
	Endpoint string `json:"endpoint"`
	// Method is the HTTP method.
	Method string `json:"method"`
	// AppID is the account: the appid parameter of a token call, the
	// token's account otherwise; "" when unknown.
	AppID string `json:"appid,omitempty"`
	// Query holds the query parameters. access_token values are kept; a
	// secret is replaced by "***".
	Query url.Values `json:"query,omitempty"`
	// Body is the first 1 KiB of the request body (JSON endpoints only).
	Body []byte `json:"body,omitempty"`
	// ErrCode is the errcode answered (45008 for a silently dropped news,
	// -1 for an injected HTTP error or a dropped connection).
	ErrCode payfeedback.ErrorCode `json:"errcode"`
	// Answer is the first 1 KiB of the body answered.
	Answer []byte `json:"answer,omitempty"`
	// Status is the HTTP status answered (0 for a dropped connection).
	Status int `json:"status"`
	// Fault describes the injected fault that answered the call, if any.
	Fault string `json:"fault,omitempty"`
}

// callLog is a bounded ring of calls.
type callLog struct {
	mu    sync.Mutex
	ring  []Call
	next  uint64 // seq of the next call; ring index is (seq-1) % len
	floor uint64 // calls below this seq were cleared
}

func newCallLog(size int) callLog {
	return callLog{ring: make([]Call, size), next: 1}
}

func (l *callLog) add(c Call) {
	l.mu.Lock()
	c.Seq = l.next
	l.ring[(l.next-1)%uint64(len(l.ring))] = c
	l.next++
	l.mu.Unlock()
}

// since returns the calls with Seq ≥ from still in the ring, oldest first,
// and the seq to ask from next time.
func (l *callLog) since(from uint64) ([]Call, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	oldest := uint64(1)
	if n := uint64(len(l.ring)); l.next > n {
		oldest = l.next - n
	}
	from = max(from, oldest, l.floor)
	if from >= l.next {
		return nil, l.next
	}
	out := make([]Call, 0, l.next-from)
	for seq := from; seq < l.next; seq++ {
		out = append(out, l.ring[(seq-1)%uint64(len(l.ring))])
	}
	return out, l.next
}

// each calls f on every call still in the ring, oldest first, under the
// lock and without copying.
func (l *callLog) each(f func(c *Call)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := max(uint64(1), l.floor)
	if n := uint64(len(l.ring)); l.next > n {
		from = max(from, l.next-n)
	}
	for seq := from; seq < l.next; seq++ {
		f(&l.ring[(seq-1)%uint64(len(l.ring))])
	}
}

func (l *callLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.ring)
	// Numbering goes on: waiters holding a seq never see a number twice.
	l.floor = l.next
}

// Calls returns the recorded API calls still in the log (the last
// Options.CallLogSize, 10,000 by default), oldest first. Admin API calls are
// not recorded.
func (s *Server) Calls() []Call {
	calls, _ := s.calls.since(0)
	return calls
}

// CallsSince returns the calls numbered seq or later still in the log and
// the number to pass next time, for polling.
func (s *Server) CallsSince(seq uint64) ([]Call, uint64) {
	return s.calls.since(seq)
}

// CallStats counts the calls in the log that match (nil: all) by the
// errcode they answered.
func (s *Server) CallStats(match func(Call) bool) map[payfeedback.ErrorCode]int {
	out := make(map[payfeedback.ErrorCode]int)
	s.calls.each(func(c *Call) {
		if match == nil || match(*c) {
			out[c.ErrCode]++
		}
	})
	return out
}

// ClearCalls empties the call log (numbering goes on).
func (s *Server) ClearCalls() { s.calls.clear() }

// WaitForCall returns the first call in the log, past or future, for which
// match returns true, waiting until one arrives or ctx ends. A nil match
// matches any call.
func (s *Server) WaitForCall(ctx context.Context, match func(Call) bool) (Call, error) {
	return s.waitForCallSince(ctx, 0, match)
}

func (s *Server) waitForCallSince(ctx context.Context, from uint64, match func(Call) bool) (Call, error) {
	for {
		ch := s.changes.wait()
		calls, next := s.calls.since(from)
		for _, c := range calls {
			if match == nil || match(c) {
				return c, nil
			}
		}
		from = next
		if s.closed.Load() {
			return Call{}, ErrClosed
		}
		select {
		case <-ctx.Done():
			return Call{}, ctx.Err()
		case <-ch:
		}
	}
}

// CallTo returns a match for WaitForCall: a call of endpoint (a path such as
// PathUpdate) whose query parameters include every key=value of params.
func CallTo(endpoint string, params ...string) func(Call) bool {
	return func(c Call) bool {
		if c.Endpoint != endpoint {
			return false
		}
		for i := 0; i+1 < len(params); i += 2 {
			if c.Query.Get(params[i]) != params[i+1] {
				return false
			}
		}
		return true
	}
}

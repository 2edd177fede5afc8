package mockwechat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// The bounds and the words of the Go API's waits (WaitForCall,
// WaitForComplaint, WaitForDelivery, WaitIdle): a wait whose context has
// no deadline ends after Options.WaitTimeout, and a wait that ends
// without its match says what it waited for and what it saw.

// seenItems is how many of the last calls or deliveries a wait's error
// shows.
const seenItems = 3

// waitCtx is ctx bounded by Options.WaitTimeout when it has no deadline
// of its own (a nil ctx is context.Background()); bounded says so.
func (s *Server) waitCtx(ctx context.Context) (_ context.Context, cancel context.CancelFunc, bounded bool) {
	if ctx == nil {
		ctx = context.Background()
	}
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}, false
	}
	ctx, cancel = context.WithTimeout(ctx, s.set.WaitTimeout)
	return ctx, cancel, true
}

// waitError is err with what was waited for and what was seen, when the
// wait ended with its context; any other error as it is. It wraps ctx's
// error: errors.Is(err, context.DeadlineExceeded) still holds.
func (s *Server) waitError(ctx context.Context, bounded bool, err error, what string, seen func() string) error {
	if err == nil || ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		return err
	}
	end := "before its context ended"
	if bounded && errors.Is(err, context.DeadlineExceeded) {
		end = fmt.Sprintf("within %s (its context had no deadline: Options.WaitTimeout bounds it; give a context with a deadline to wait longer)", s.set.WaitTimeout)
	}
	msg := fmt.Sprintf("mockwechat: waited for %s: none came %s; seen: %s", what, end, seen())
	if v := s.sched.Virtual(); v != nil {
		if n := s.bus.Pending() + v.Pending(); n > 0 {
			msg += fmt.Sprintf("; the virtual clock reads %s and events wait on it (retries, deadlines): Advance moves it",
				v.Now().UTC().Format(time.RFC3339))
		}
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// seenCalls says what the call log holds: how many calls, and the last.
func (s *Server) seenCalls() string {
	calls, _ := s.calls.Since(0, 0)
	if len(calls) == 0 {
		return "no API call"
	}
	var last []string
	for _, c := range calls[max(0, len(calls)-seenItems):] {
		last = append(last, (events.Event{Call: &c}).String())
	}
	return fmt.Sprintf("%d API calls, the last: %s", len(calls), strings.Join(last, "; "))
}

// seenDeliveries says what the delivery log holds: how many, and the
// last, each with where it stands.
func (s *Server) seenDeliveries() string {
	ds := s.push.Deliveries()
	if len(ds) == 0 {
		return "no push (no complaint filed, or the account has no notify URL)"
	}
	var last []string
	for _, d := range ds[max(0, len(ds)-seenItems):] {
		last = append(last, describeDelivery(d))
	}
	return fmt.Sprintf("%d deliveries, the last: %s", len(ds), strings.Join(last, "; "))
}

// describeDelivery says where a delivery stands: "#3 request 1524… to URL:
// 2 attempts, the last answered 401 "TimeStamp too old", next at …".
func describeDelivery(d push.Delivery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %s to %s: %d attempts", d.ID, d.MsgType, d.FeedBackID, d.URL, len(d.Attempts))
	if n := len(d.Attempts); n > 0 {
		a := d.Attempts[n-1]
		if a.Status != 0 {
			fmt.Fprintf(&b, ", the last answered %d %q", a.Status, text.Clip(strings.TrimSpace(a.Response), 80))
		} else if a.Err != "" {
			fmt.Fprintf(&b, ", the last failed: %s", text.Clip(a.Err, 80))
		}
	}
	switch {
	case d.Delivered:
		b.WriteString(", delivered")
	case d.Failed:
		b.WriteString(", failed for good")
	case !d.NextAttempt.IsZero():
		fmt.Fprintf(&b, ", next attempt at %s", d.NextAttempt.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// seenComplaint says where a complaint stands.
func (s *Server) seenComplaint(id string) func() string {
	return func() string {
		c, ok := s.world.Complaint(id)
		if !ok {
			return "no such complaint"
		}
		st := fmt.Sprintf("complaint %s is %s, %d updates", c.FeedBackID, c.State, c.Updates)
		if c.Overdue {
			st += ", overdue"
		}
		if a := c.Arbitration; a != nil {
			st += ", arbitration " + a.State.String()
		}
		return st
	}
}

// seenBusy says what keeps the push engine busy.
func (s *Server) seenBusy() string {
	return fmt.Sprintf("%d deliveries not finished, pushes still queued or being attempted (a merchant answering slowly? Options.PushTimeout bounds an attempt)",
		s.push.Pending())
}

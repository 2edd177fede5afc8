package mockwechat

import (
	"context"
	"sync"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// What happened: the call log, the delivery log, the event feed, and the
// waits built on the feed (one helper, events.Wait, for all of them).

// Calls returns the recorded API calls still in the log (the last
// Options.CallLogSize, within Options.CallLogBytes), oldest first, deep
// copies. Admin API calls are not recorded.
func (s *Server) Calls() []Call {
	calls, _ := s.calls.Since(0, 0)
	return convertAll(calls, callFromLog)
}

// CallsSince returns the calls numbered seq or later still in the log and
// the number to pass next time, for polling.
func (s *Server) CallsSince(seq uint64) ([]Call, uint64) {
	calls, next := s.calls.Since(seq, 0)
	return convertAll(calls, callFromLog), next
}

// CallStats counts the calls in the log that match (nil: all) by the
// errcode they answered.
func (s *Server) CallStats(match func(Call) bool) map[payfeedback.ErrorCode]int {
	return s.calls.Stats(matchCallLog(match))
}

// ClearCalls empties the call log (numbering goes on).
func (s *Server) ClearCalls() { s.calls.Clear() }

// WaitForCall returns the first call in the log, past or future, for which
// match returns true, waiting until one arrives or ctx ends (a ctx without
// a deadline: Options.WaitTimeout). A nil match matches any call. When
// none comes, the error says so and shows the last calls, wrapping ctx's
// error.
func (s *Server) WaitForCall(ctx context.Context, match func(Call) bool) (Call, error) {
	ctx, cancel, bounded := s.waitCtx(ctx)
	defer cancel()
	c, err := s.waitForCallSince(ctx, 0, matchCallLog(match))
	return callFromLog(c), s.waitError(ctx, bounded, err, "a matching API call (WaitForCall)", s.seenCalls)
}

func (s *Server) waitForCallSince(ctx context.Context, from uint64, match func(calllog.Call) bool) (calllog.Call, error) {
	return events.Wait(ctx, s.feed, func() (calllog.Call, bool, error) {
		calls, next := s.calls.Since(from, 0)
		for _, c := range calls {
			if match == nil || match(c) {
				return c, true, nil
			}
		}
		from = next
		return calllog.Call{}, false, nil
	})
}

// Deliveries returns the delivery log, oldest first: every pending
// delivery and the last finished ones (Options.DeliveryLogSize, within
// Options.DeliveryLogBytes), deep copies.
func (s *Server) Deliveries() []Delivery { return convertAll(s.push.Deliveries(), deliveryFromPush) }

// WaitForDelivery returns the first delivery, past or future, for which
// match returns true; match is tried again after every attempt. A nil
// match matches any delivery. It waits until ctx ends (a ctx without a
// deadline: Options.WaitTimeout); then the error shows the last
// deliveries and their answers, wrapping ctx's error.
func (s *Server) WaitForDelivery(ctx context.Context, match func(Delivery) bool) (Delivery, error) {
	var m func(push.Delivery) bool
	if match != nil {
		m = func(d push.Delivery) bool { return match(deliveryFromPush(d)) }
	}
	ctx, cancel, bounded := s.waitCtx(ctx)
	defer cancel()
	d, err := s.waitForDelivery(ctx, m)
	return deliveryFromPush(d), s.waitError(ctx, bounded, err, "a matching delivery (WaitForDelivery)", s.seenDeliveries)
}

func (s *Server) waitForDelivery(ctx context.Context, match func(push.Delivery) bool) (push.Delivery, error) {
	return events.Wait(ctx, s.feed, func() (push.Delivery, bool, error) {
		for _, d := range s.push.Deliveries() {
			if match == nil || match(d) {
				return d, true, nil
			}
		}
		return push.Delivery{}, false, nil
	})
}

// WaitIdle waits until no push is queued or being attempted (scheduled
// retries and late pushes not yet due do not count), or ctx ends (a ctx
// without a deadline: Options.WaitTimeout).
func (s *Server) WaitIdle(ctx context.Context) error {
	ctx, cancel, bounded := s.waitCtx(ctx)
	defer cancel()
	return s.waitError(ctx, bounded, s.waitIdle(ctx), "the pushes to settle (WaitIdle)", s.seenBusy)
}

func (s *Server) waitIdle(ctx context.Context) error {
	_, err := events.Wait(ctx, s.feed, func() (struct{}, bool, error) {
		return struct{}{}, s.push.Idle(), nil
	})
	return err
}

// Subscribe returns a subscription to everything that happens in the fake,
// one Event per change: a complaint filed or changed, an account, user,
// order, message or media changed, a push attempt sent, answered or held
// back, an API call answered, the virtual clock moved. It holds up to
// buffer events (≤ 0: 1,024) for a reader that falls behind; beyond, the
// fake never waits: the subscription drops the event, counts it
// (Dropped), and the next event's Seq shows the gap. The channel closes
// when the subscription or the server is closed. Close it when done.
func (s *Server) Subscribe(buffer int) *Subscription { return newSubscription(s.feed, buffer) }

// DeliveryDone returns a match for WaitForDelivery: the delivery of the
// complaint's notification of type t, once delivered or failed.
func DeliveryDone(feedbackID string, t payfeedback.MsgType) func(Delivery) bool {
	return func(d Delivery) bool {
		return d.FeedBackID == feedbackID && d.MsgType == t && d.Done()
	}
}

// CallTo returns a match for WaitForCall: a call of endpoint (a path such
// as payfeedback.PathUpdateFeedback) whose query parameters include every
// key=value of params.
func CallTo(endpoint string, params ...string) func(Call) bool {
	match := calllog.To(endpoint, params...)
	return func(c Call) bool { return match(callToLog(c)) }
}

// Subscription receives the fake's events in order (Server.Subscribe).
type Subscription struct {
	sub  *events.Subscription
	c    chan Event
	once sync.Once
}

// newSubscription returns a subscription to feed holding up to buffer events:
// the feed offers each event to it (converted, without ever blocking:
// a full buffer drops the event, counted) and closes it when done.
func newSubscription(feed *events.Feed, buffer int) *Subscription {
	if buffer <= 0 {
		buffer = events.DefaultBuffer
	}
	s := &Subscription{c: make(chan Event, buffer)}
	s.sub = feed.SubscribeWith(events.SubscribeOptions{Sink: &events.Sink{
		// The feed offers events one at a time (under its lock): nobody
		// else sends on c, so a free slot seen here is still free below.
		Offer: func(e events.Event) bool {
			if len(s.c) == cap(s.c) {
				return false
			}
			s.c <- eventFromFeed(e)
			return true
		},
		Close: func() { s.once.Do(func() { close(s.c) }) },
	}})
	return s
}

// Events returns the channel of events, closed when the subscription or
// the server is closed.
func (s *Subscription) Events() <-chan Event { return s.c }

// Dropped returns how many events this subscription missed because its
// buffer was full.
func (s *Subscription) Dropped() uint64 { return s.sub.Dropped() }

// Close ends the subscription; its channel closes.
func (s *Subscription) Close() { s.sub.Close() }

package events

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func TestFeedDropsForASlowSubscriber(t *testing.T) {
	f := NewFeed(func() time.Time { return t0 })
	if f.Listening() {
		t.Fatal("a new feed listens")
	}
	built := 0
	f.Publish(KindWorld, func(e *Event) { built++ })
	if built != 0 {
		t.Fatal("an event was built with nobody listening")
	}
	slow, fast := f.Subscribe(1), f.Subscribe(10)
	for range 3 {
		f.Publish(KindWorld, func(e *Event) { built++; e.Change = &Change{What: UserInteracted} })
	}
	if built != 3 || slow.Dropped() != 2 || fast.Dropped() != 0 {
		t.Fatalf("built %d, slow dropped %d, fast dropped %d", built, slow.Dropped(), fast.Dropped())
	}
	if e := <-slow.Events(); e.Seq != 1 {
		t.Fatalf("the slow subscriber's event: %d", e.Seq)
	}
	slow.Close()
	slow.Close() // twice is fine
	f.Close()
	n := 0
	for range fast.Events() {
		n++
	}
	if n != 3 {
		t.Fatalf("fast subscriber got %d events", n)
	}
	if _, open := <-f.Subscribe(1).Events(); open {
		t.Fatal("a subscription to a closed feed is open")
	}
}

// TestSink: a subscription with a Sink hands its events to the sink in
// order, counts those the sink refuses as dropped, and closes the sink
// once, whether the subscription or the feed closes first.
func TestSink(t *testing.T) {
	f := NewFeed(func() time.Time { return t0 })
	var got []uint64
	closed := 0
	sink := &Sink{
		Offer: func(e Event) bool {
			if len(got) == 2 {
				return false // full
			}
			got = append(got, e.Seq)
			return true
		},
		Close: func() { closed++ },
	}
	s := f.SubscribeWith(SubscribeOptions{Sink: sink})
	if s.Events() != nil {
		t.Fatal("a subscription with a sink has a channel too")
	}
	for range 3 {
		f.Publish(KindWorld, func(e *Event) { e.Change = &Change{What: UserInteracted} })
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 || s.Dropped() != 1 {
		t.Fatalf("sink got %v, dropped %d; want [1 2] and 1 dropped", got, s.Dropped())
	}
	s.Close()
	s.Close()
	f.Close()
	if closed != 1 {
		t.Fatalf("sink closed %d times, want once", closed)
	}
	other := &Sink{Offer: func(Event) bool { return true }, Close: func() { closed++ }}
	f.SubscribeWith(SubscribeOptions{Sink: other}) // on a closed feed: closed at once
	if closed != 2 {
		t.Fatalf("a sink subscribing to a closed feed was not closed (%d closes)", closed)
	}
}

func TestWait(t *testing.T) {
	f := NewFeed(func() time.Time { return t0 })
	ready := make(chan struct{})
	go func() {
		<-ready
		f.Wake() // something changed without an event
	}()
	calls := 0
	v, err := Wait(context.Background(), f, func() (int, bool, error) {
		calls++
		if calls == 1 {
			close(ready)
		}
		return calls, calls == 2, nil
	})
	if err != nil || v != 2 {
		t.Fatalf("Wait = %d, %v", v, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if _, err := Wait(ctx, f, func() (int, bool, error) { return 0, false, nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait past its context: %v", err)
	}
	f.Close()
	if _, err := Wait(context.Background(), f, func() (int, bool, error) { return 0, false, nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Wait on a closed feed: %v", err)
	}
}

// nowhere is a push host with no account: the engine sends nothing.
type nowhere struct{}

func (nowhere) Target(string) (string, string)                      { return "", "" }
func (nowhere) TimeStamp(string, string) int64                      { return 0 }
func (nowhere) Fault(string, payfeedback.MsgType) (push.Plan, bool) { return push.Plan{}, false }

func TestBusTimers(t *testing.T) {
	clk := clock.NewVirtual(t0)
	sched := clk.Scheduler()
	f := NewFeed(clk.Now)
	b := NewBus(f, sched, push.New(push.Options{Host: nowhere{}, Sched: sched}))
	var fired []TimerKey
	b.OnTimer(func(k TimerKey) Effects {
		fired = append(fired, k)
		return Effects{Changes: []Change{{What: ComplaintOverdue, FeedBackID: k.FeedBackID}}}
	})
	sub := f.Subscribe(10)
	a := TimerKey{DeadlineResolve, "a"}
	b.Apply(Effects{Timers: []Timer{{a, t0.Add(time.Hour)}, {TimerKey{DeadlineResolve, "b"}, t0.Add(time.Hour)}}})
	b.Apply(Effects{Timers: []Timer{{a, t0.Add(2 * time.Hour)}}}) // replaces a's
	b.Apply(Effects{Cancels: []TimerKey{{DeadlineResolve, "b"}}})
	if b.Pending() != 1 || clk.Pending() != 1 {
		t.Fatalf("pending: bus %d, clock %d", b.Pending(), clk.Pending())
	}
	clk.Advance(90 * time.Minute)
	if len(fired) != 0 {
		t.Fatalf("fired %v at 1h30", fired)
	}
	clk.Advance(time.Hour)
	if len(fired) != 1 || fired[0] != a || b.Pending() != 0 {
		t.Fatalf("fired %v", fired)
	}
	if e := <-sub.Events(); e.Kind != KindComplaint || e.Change.What != ComplaintOverdue {
		t.Fatalf("the fired deadline's change: %+v", e)
	}
	b.Apply(Effects{Timers: []Timer{{a, t0.Add(4 * time.Hour)}}})
	b.Reset()
	if b.Pending() != 0 || clk.Pending() != 0 {
		t.Fatalf("after Reset: pending: bus %d, clock %d", b.Pending(), clk.Pending())
	}
	clk.Advance(2 * time.Hour)
	if len(fired) != 1 {
		t.Fatal("a deadline forgotten by Reset fired")
	}
	b.Apply(Effects{Timers: []Timer{{a, t0.Add(5 * time.Hour)}}})
	if b.Pending() != 1 {
		t.Fatal("the bus schedules nothing after Reset")
	}
	b.Close()
	clk.Advance(10 * time.Hour)
	if len(fired) != 1 {
		t.Fatal("a closed bus fired a deadline")
	}
}

func TestEventString(t *testing.T) {
	next := t0.Add(15 * time.Second)
	ref := push.Ref{ID: 1, FeedBackID: "10864217", MsgType: payfeedback.MsgRequest, URL: "http://127.0.0.1:8000/pf"}
	for _, tt := range []struct {
		e    Event
		want string
	}{
		{Event{Push: &push.Report{Ref: ref, Phase: push.Sending, Number: 1, Of: 16}},
			"--> push request 1086… to http://127.0.0.1:8000/pf (attempt 1/16)"},
		{Event{Push: &push.Report{Ref: ref, Phase: push.Answered, Number: 1, Of: 16, NextAttempt: next,
			Attempt: &push.Attempt{Time: t0, Status: 401, Response: "AppSignature does not match\n", Latency: 2 * time.Millisecond}}},
			`<-- 401 "AppSignature does not match" in 2 ms; next attempt in 15s`},
		{Event{Push: &push.Report{Ref: ref, Phase: push.Answered, Number: 16, Of: 16, Failed: true,
			Attempt: &push.Attempt{Time: t0, Err: "connection refused"}}},
			`<-- error "connection refused" in 0 ms; failed after 16 attempts`},
		// What the fake made of an answer, and a refusal's error, are
		// printed whole: they say what to set.
		{Event{Push: &push.Report{Ref: ref, Phase: push.Answered, Number: 1, Of: 16, NextAttempt: next,
			Attempt: &push.Attempt{Time: t0, Status: 401, Response: "TimeStamp too old: check the sender's clock or raise MaxAge\n",
				Err: "the merchant refused the TimeStamp as too old: …; give the merchant's middleware Config.Now = fake.Now …"}}},
			`<-- 401 "TimeStamp too old: check the sender's clock or raise MaxAge" in 0 ms; the merchant refused the TimeStamp ` +
				`as too old: …; give the merchant's middleware Config.Now = fake.Now …; next attempt in 15s`},
		{Event{Push: &push.Report{Ref: ref, Phase: push.Answered, Number: 16, Of: 16, Failed: true,
			Attempt: &push.Attempt{Time: t0, Err: (&push.TargetRefusedError{Host: "169.254.169.254",
				Addrs: []netip.Addr{netip.MustParseAddr("169.254.169.254")}}).Error()}}},
			`<-- error "mockwechat: push to 169.254.169.254 refused: neither loopback nor an allowed target (the fake is no relay ` +
				`into other networks); allow it with Options.AllowNotify or payfeedback mock --allow-notify 169.254.169.254/32" in 0 ms; ` +
				`failed after 16 attempts`},
		{Event{Push: &push.Report{Ref: ref, Phase: push.Held, Fault: "late 1h0m0s"}},
			"--- push request 1086… held back: late 1h0m0s"},
		{Event{Call: &calllog.Call{Method: "GET", Endpoint: payfeedback.PathUpdateFeedback, Latency: time.Millisecond,
			Query: url.Values{"openid": {"o-demo"}, "access_token": {"***abcdef"}}}},
			"API GET /payfeedback/update errcode=0 openid=o-demo 1 ms"},
		{Event{Change: &Change{What: AccountAdded, AppID: "wx1"}}, "account wx1 added"},
		{Event{Change: &Change{What: MessageDelivered, OpenID: "o1"}}, "message delivered to o1"},
		{Event{Change: &Change{What: WorldReset}}, "world reset to its start state"},
	} {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestFeedKindsAndRate: a subscription takes only its kinds and at most
// PerSecond events of each kind a second; what nobody takes is never
// built, and what the rate holds back is counted.
func TestFeedKindsAndRate(t *testing.T) {
	f := NewFeed(func() time.Time { return t0 })
	built := 0
	publish := func(k Kind) { f.Publish(k, func(e *Event) { built++ }) }
	s := f.SubscribeWith(SubscribeOptions{Kinds: []Kind{KindComplaint}, PerSecond: 3})
	defer s.Close()
	for range 10 {
		publish(KindCall)
	}
	if built != 0 || len(s.Events()) != 0 {
		t.Fatalf("calls nobody subscribed to: %d built, %d received", built, len(s.Events()))
	}
	for range 10 {
		publish(KindComplaint)
	}
	if built != 3 || len(s.Events()) != 3 || s.Skipped() != 7 {
		t.Fatalf("10 complaints at 3 a second: %d built, %d received, %d skipped; want 3, 3, 7", built, len(s.Events()), s.Skipped())
	}
	s.SetKinds([]Kind{KindCall, KindClock})
	publish(KindCall)
	publish(KindComplaint)
	if built != 4 || len(s.Events()) != 4 {
		t.Fatalf("after SetKinds(call, clock): %d built, %d received", built, len(s.Events()))
	}
	all := f.Subscribe(0) // every kind, no rate
	defer all.Close()
	for range 5 {
		publish(KindWorld)
	}
	if len(all.Events()) != 5 || s.Skipped() != 7 {
		t.Fatalf("an unbounded subscription got %d of 5", len(all.Events()))
	}
}

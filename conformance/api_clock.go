package conformance

import (
	"context"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// afterFunc is APIEnv.AfterFunc: f runs once the fake's clock has moved d
// ahead; with real time, after d.
func (a *apiRun) afterFunc(d time.Duration, f func()) {
	if a.clock == nil {
		time.AfterFunc(d, f)
		return
	}
	a.timers.add(a.clock.Now().Add(max(d, 0)), f)
}

// advanceTo moves the virtual clock to t, running the suite's timers due
// on the way, each at its instant; the fake fires its own events (overdue
// complaints, push retries) as the clock passes them.
func (a *apiRun) advanceTo(ctx context.Context, t time.Time) {
	advanceClock(ctx, a.clock, &a.timers, t, a.s.answerWait())
}

// advanceClock moves clock to t, running the timers due on the way, each
// at its instant and waiting for each at most wait.
func advanceClock(ctx context.Context, clock *mockwechat.VirtualClock, ts *timers, t time.Time, wait time.Duration) {
	for ctx.Err() == nil {
		tm, ok := ts.popDue(t)
		if !ok {
			break
		}
		clock.AdvanceTo(tm.at)
		runTimer(ctx, tm.f, wait)
	}
	clock.AdvanceTo(t)
}

// runTimer runs a merchant's timer, waiting for it at most wait.
func runTimer(ctx context.Context, f func(), wait time.Duration) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	case <-time.After(wait):
	}
}

package mockwechat

import (
	"context"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"

	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
)

// adminBackend is the Server as the admin API drives it: its Go API, and
// the paged listings only the admin API offers.
type adminBackend struct{ *Server }

func (b adminBackend) VirtualClock() *clock.Virtual { return b.sched.Virtual() }

func (b adminBackend) AppID(appID string) (string, error) {
	a, err := b.world.Account(appID)
	return a.AppID, err
}

func (b adminBackend) ComplaintsPage(after string, limit int, match func(*Complaint) bool) ([]Complaint, error) {
	return b.world.Complaints(after, limit, match)
}

func (b adminBackend) CallsPage(since uint64, limit int) ([]Call, uint64) {
	return b.calls.Since(since, limit)
}

func (b adminBackend) WaitForCallSince(ctx context.Context, since uint64, match func(Call) bool) (Call, error) {
	return b.waitForCallSince(ctx, since, match)
}

func (b adminBackend) PendingDeliveries() int { return b.push.Pending() }

// consoleBackend is the Server as the web console reads it.
type consoleBackend struct{ adminBackend }

func (b consoleBackend) MessageWindow() time.Duration { return b.set.MessageWindow }

func (b consoleBackend) DeliveriesOf(match func(*Delivery) bool) []Delivery {
	return b.push.DeliveriesOf(match)
}

func (b consoleBackend) LatestCalls(f calllog.Filter, limit int) []Call {
	return b.calls.Latest(f, limit)
}

func (b adminBackend) Snapshot(format string, omitSecrets bool) ([]byte, error) {
	if omitSecrets {
		return MarshalScenario(b.Server.SnapshotWithoutSecrets(), format)
	}
	return MarshalScenario(b.Server.Snapshot(), format)
}

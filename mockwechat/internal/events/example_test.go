package events_test

import (
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// A subscriber reads the feed; a publisher never waits for it.
func ExampleFeed() {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	f := events.NewFeed(func() time.Time { return now })
	sub := f.Subscribe(8)
	f.Publish(events.KindComplaint, func(e *events.Event) {
		e.Change = &events.Change{What: events.ComplaintFiled, FeedBackID: "10864217", OpenID: "o-demo", State: "filed"}
	})
	f.Publish(events.KindClock, func(e *events.Event) {
		e.Clock = &events.ClockMove{From: now, To: now.Add(72 * time.Hour)}
	})
	f.Close()
	for e := range sub.Events() {
		fmt.Println(e.Seq, e.String())
	}
	// Output:
	// 1 complaint 1086… filed by o-demo (filed)
	// 2 clock 2025-03-01T10:00:00Z → 2025-03-04T10:00:00Z (+72h0m0s)
}

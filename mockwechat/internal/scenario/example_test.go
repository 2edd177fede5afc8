package scenario_test

import (
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// A complaint filed 30 hours before the clock's start and handled since,
// and another filed an hour after it: the first is the world as it
// stands, the second comes later.
func Example() {
	src := []byte(`
clock: {start: 2025-03-01T10:00:00Z}
accounts:
  - {appid: wx1, secret: s, paysignkey: k}
complaints:
  - {at: -30h, openid: o1, feedback_id: "100", goods: physical}
  - {at: +1h, openid: o2, feedback_id: "101"}
actions:
  - {at: -1h, feedback_id: "100", do: handle}
`)
	sc, err := scenario.Parse("example.yaml", src, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := sc.Compile(world.Config{InboxSize: 10, MaxMedia: 10, EvidenceWindow: 72 * time.Hour}, nil, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cp := range c.State.Complaints {
		fmt.Println(cp.FeedBackID, cp.State, cp.FiledAt.Format(time.RFC3339))
	}
	for _, e := range c.Future {
		fmt.Println("later:", e.Path, e.At.Format(time.RFC3339))
	}
	_, err = scenario.Parse("typo.yaml", []byte("complaints:\n  - {at: +1h, reson: x}\n"), time.Now())
	fmt.Println(err)
	// Output:
	// 100 handled 2025-02-28T04:00:00Z
	// later: complaints[1] 2025-03-01T11:00:00Z
	// mockwechat: scenario typo.yaml:2:15: complaints[0]: unknown key "reson": see docs/scenario.schema.json for the keys allowed here
}

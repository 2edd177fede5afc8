package world_test

import (
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// A transition changes the world and returns what it causes: here the
// filed complaint, its deadline, and the notification to push.
func ExampleWorld_File() {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	w := world.New(world.Config{TokenTTL: 2 * time.Hour, InboxSize: 10, MaxMedia: 10, Seed: 1}, func() time.Time { return now })
	w.AddAccount(world.Account{AppID: "wx1", Secret: "s", PaySignKey: "k"})
	c, fx, err := w.File(world.ComplaintSpec{OpenID: "o1", Goods: payfeedback.GoodsPhysical, Shipped: true})
	fmt.Println(c.State, err)
	for _, ch := range fx.Changes {
		fmt.Println("change:", ch.What)
	}
	fmt.Println("deadline in", fx.Timers[0].At.Sub(now))
	fmt.Println("push:", fx.Push[0].MsgType, fx.Push[0].OpenID)
	// Output:
	// filed <nil>
	// change: order-added
	// change: complaint-filed
	// deadline in 360h0m0s
	// push: request o1
}

package mockwechat_test

import (
	"context"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// A test scripts "the user subscribed yesterday": the messaging window
// runs from then, and a complaint filed without an order opens it again.
func ExampleServer_RecordInteraction() {
	clk := mockwechat.NewVirtualClock(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clk})
	defer fake.Close()

	u, _ := fake.RecordInteraction(mockwechat.Interaction{OpenID: "oUser", Kind: mockwechat.InteractSubscribe, At: clk.Now().Add(-23 * time.Hour)})
	fmt.Println(u.LastInteractionKind, "at", u.LastInteraction.Format(time.DateTime), "(the window closes an hour from now)")

	c, _ := fake.FileComplaint(context.Background(), mockwechat.ComplaintSpec{OpenID: "oUser", NoOrder: true})
	u, _ = fake.User(c.AppID, "oUser")
	fmt.Printf("complaint with transid %q, deadline in %s; last interaction: %s\n", c.TransID, c.Deadline.Sub(c.FiledAt), u.LastInteractionKind)
	// Output:
	// subscribe at 2025-02-28 11:00:00 (the window closes an hour from now)
	// complaint with transid "", deadline in 72h0m0s; last interaction: complaint
}

package mockwechat

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestPushTimestampsWall: with PushTimestampsWall, a fake on a virtual
// clock pushes TimeStamps a merchant on wall time accepts, before and
// after the clock is advanced by days. Stamped with the virtual clock (the
// only way before), every push was refused as too old or too new.
func TestPushTimestampsWall(t *testing.T) {
	demo := DemoAccount()
	var handled []payfeedback.MsgType
	count := func(ctx context.Context, n *payfeedback.Notification) error {
		handled = append(handled, n.MsgType)
		return nil
	}
	merchant := httptest.NewServer(middleware.New(middleware.Config{Keys: middleware.StaticKeys{demo.AppID: demo.PaySignKey}})(
		middleware.Dispatcher{OnRequest: count, OnConfirm: count, OnReject: count}))
	defer merchant.Close()
	demo.NotifyURL = merchant.URL
	s, clk := newVirtual(t, Options{Accounts: []Account{demo}, PushTimestamps: PushTimestampsWall, RetrySchedule: []time.Duration{}})
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if err != nil || !d.Delivered {
		t.Fatalf("request push to a merchant on wall time: %+v %v", d, err)
	}
	if ts, _ := strconv.ParseInt(d.Attempts[0].TimeStamp, 10, 64); time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
		t.Fatalf("TimeStamp %s is not wall time", d.Attempts[0].TimeStamp)
	}
	clk.Advance(72 * time.Hour)
	if err := s.Confirm(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	d, err = s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgConfirm))
	if err != nil || !d.Delivered {
		t.Fatalf("confirm push 72 virtual hours later: %+v %v", d, err)
	}
	if len(handled) != 2 {
		t.Fatalf("the merchant handled %v", handled)
	}
	if _, err := New(Options{PushTimestamps: "fake"}); err == nil {
		t.Fatal("an unknown PushTimestamps accepted")
	}
}

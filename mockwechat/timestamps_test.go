package mockwechat

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
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
	// Another user's complaint 72 virtual hours later: a second push for
	// o1 in the same wall second would share its TimeStamp and signature,
	// which the middleware refuses (409) as a suspected forgery.
	clk.Advance(72 * time.Hour)
	c2, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o2"})
	if err != nil {
		t.Fatal(err)
	}
	d, err = s.WaitForDelivery(ctx, DeliveryDone(c2.FeedBackID, payfeedback.MsgRequest))
	if err != nil || !d.Delivered {
		t.Fatalf("request push 72 virtual hours later: %+v %v", d, err)
	}
	if len(handled) != 2 {
		t.Fatalf("the merchant handled %v", handled)
	}
	if _, err := New(Options{PushTimestamps: "fake"}); err == nil {
		t.Fatal("an unknown PushTimestamps accepted")
	}
}

// TestPushTimestampsCoincide: two pushes for one user in the same second
// of the fake's clock carry the same TimeStamp, and hence the same
// AppSignature (it covers only AppId, appkey, TimeStamp and OpenId), as
// two genuine notifications of WeChat's do. The fake used to move the
// second one a second on, dodging the receiver's replay rule.
func TestPushTimestampsCoincide(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	got := rc.notifications()
	if len(got) != 2 || got[0].MsgType != payfeedback.MsgRequest || got[1].MsgType != payfeedback.MsgConfirm {
		t.Fatalf("the receiver got %d notifications: %+v", len(got), got)
	}
	want := strconv.FormatInt(t0.Unix(), 10)
	for _, n := range got {
		if n.TimeStamp != want {
			t.Errorf("%s pushed with TimeStamp %s, want %s (the clock did not move)", n.MsgType, n.TimeStamp, want)
		}
	}
	if got[0].AppSignature != got[1].AppSignature {
		t.Errorf("AppSignatures %s and %s differ: same user, same TimeStamp", got[0].AppSignature, got[1].AppSignature)
	}
}

// TestPushTimestampRefusedSaysWhatToSet: the virtual-clock trap. A fake on
// a virtual clock (stamping pushes with it, the Go default) pushes to a
// merchant whose middleware reads the wall clock: the merchant refuses the
// TimeStamp as too old, and the attempt's error and the live log's line
// say what to set. They said nothing: the attempt held only the answer,
// and a test waiting for the delivery ended in a bare deadline.
func TestPushTimestampRefusedSaysWhatToSet(t *testing.T) {
	demo := DemoAccount()
	merchant := httptest.NewServer(middleware.New(middleware.Config{Keys: middleware.StaticKeys{demo.AppID: demo.PaySignKey}})(
		middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }}))
	defer merchant.Close()
	demo.NotifyURL = merchant.URL
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}, RetrySchedule: []time.Duration{}})
	sub := s.Subscribe(0)
	defer sub.Close()
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"the merchant refused the TimeStamp as too old", "the fake's virtual clock, 2025-03-01T10:00:00Z",
		"Config.Now = fake.Now", "Options.PushTimestamps = PushTimestampsWall", "--push-timestamps wall"}
	a := d.Attempts[0]
	for _, w := range want {
		if a.Status != 401 || !strings.Contains(a.Err, w) {
			t.Errorf("attempt: HTTP %d, error %q; want it to say %q", a.Status, a.Err, w)
		}
	}
	for {
		select {
		case e := <-sub.Events():
			if e.Kind != EventPush || e.Push.Attempt == nil {
				continue
			}
			line := e.String()
			for _, w := range want {
				if !strings.Contains(line, w) {
					t.Errorf("live log %q; want it to say %q", line, w)
				}
			}
			return
		case <-ctx.Done():
			t.Fatal("no answered push in the feed")
		}
	}
}

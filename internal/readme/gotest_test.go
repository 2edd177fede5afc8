package readme

// The README's pattern for a merchant's Go test against the fake, run as
// written: the block of README.md noted "part-of
// internal/readme/gotest_test.go" is TestComplaintHandled below, verbatim
// (TestGoSnippetsCompile checks it). With the merchant's middleware on the
// wall clock, as the README had it, every push was refused as "TimeStamp
// too old" and the wait ended in a bare context deadline.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// yourHandlers stands for the merchant's handlers: on a complaint, tell
// the user it is being looked into, through the API at baseURL (a
// complaint is marked handled, payfeedback/update, only once it is).
func yourHandlers(baseURL string) http.Handler {
	demo := mockwechat.DemoAccount()
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: demo.AppID, Secret: demo.Secret, BaseURL: baseURL})
	if err != nil {
		panic(err)
	}
	return middleware.Dispatcher{
		OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
			return client.SendMessage(ctx, n.OpenID, payfeedback.TextMessage{Content: "您的投诉已收到，我们正在处理"})
		},
		OnConfirm: func(context.Context, *payfeedback.Notification) error { return nil },
	}
}

func TestComplaintHandled(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a wait that fails ends, and says why
	defer cancel()
	clk := mockwechat.NewVirtualClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clk}) // demo account, 127.0.0.1:0
	defer fake.Close()                                           // waits for in-flight pushes
	demo := mockwechat.DemoAccount()

	// The merchant under test judges TimeStamps on the fake's clock (Now: fake.Now): the
	// fake stamps its pushes with its own time, virtual here, which time.Now calls too old.
	verify := middleware.New(middleware.Config{Keys: middleware.StaticKeys{demo.AppID: demo.PaySignKey}, Now: fake.Now})
	merchant := httptest.NewServer(verify(yourHandlers(fake.URL))) // your handlers, calling the fake
	defer merchant.Close()
	fake.SetNotifyURL(demo.AppID, merchant.URL)

	c, err := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{OpenID: "oUser", Goods: payfeedback.GoodsPhysical})
	if err != nil {
		t.Fatal(err)
	}
	// the fake pushes the complaint; wait for the merchant's message to the user (no sleeping)
	call, err := fake.WaitForCall(ctx, mockwechat.CallTo(payfeedback.PathSendMessage))
	if err != nil || call.ErrCode != 0 {
		t.Fatalf("complaint %s: no message to the user: %v %+v", c.FeedBackID, err, call)
	}
	if err := fake.Confirm(ctx, c.FeedBackID); err != nil { // the user confirms: a "confirm" is pushed
		t.Fatal(err)
	}
	if _, err := fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgConfirm)); err != nil {
		t.Fatalf("the confirm was not acknowledged: %v", err)
	}
	clk.Advance(15 * 24 * time.Hour) // retries, deadlines, overdue complaints: in milliseconds
}

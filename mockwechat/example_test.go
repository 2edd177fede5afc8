package mockwechat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// A test files a complaint, lets the merchant code under test call the API,
// and checks what the fake saw, with time under its control.
func Example() {
	clk := mockwechat.NewVirtualClock(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clk})
	defer fake.Close()
	ctx := context.Background()

	c, _ := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{OpenID: "oUser", Goods: payfeedback.GoodsVirtual})
	fmt.Println("filed:", c.State, "deadline in", c.Deadline.Sub(c.FiledAt))

	// The merchant's code would do this: fetch a token, mark it handled.
	demo := mockwechat.DemoAccount()
	resp, _ := fake.Client().Get(fake.URL + "/cgi-bin/token?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	q := url.Values{"access_token": {tok.AccessToken}, "openid": {"oUser"}, "feedbackid": {c.FeedBackID}}
	resp, _ = fake.Client().Get(fake.URL + "/payfeedback/update?" + q.Encode())
	resp.Body.Close()

	call, _ := fake.WaitForCall(ctx, mockwechat.CallTo(payfeedback.PathUpdateFeedback, "feedbackid", c.FeedBackID))
	fmt.Println("update answered errcode", call.ErrCode)

	clk.Advance(3 * 24 * time.Hour)
	c, _ = fake.Complaint(c.FeedBackID)
	fmt.Println("after 3 days:", c.State, "overdue:", c.Overdue)
	// Output:
	// filed: filed deadline in 72h0m0s
	// update answered errcode 0
	// after 3 days: handled overdue: false
}

// Faults make the fake misbehave on purpose: here the next token call
// answers errcode -1.
func ExampleServer_InjectFault() {
	fake := mockwechat.NewServer(mockwechat.Options{})
	defer fake.Close()
	fake.InjectFault(mockwechat.Fault{Endpoint: payfeedback.PathToken, ErrCode: payfeedback.CodeSystemError})
	demo := mockwechat.DemoAccount()
	for i := 0; i < 2; i++ {
		resp, _ := fake.Client().Get(fake.URL + "/cgi-bin/token?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret)
		var a struct {
			ErrCode int    `json:"errcode"`
			Token   string `json:"access_token"`
		}
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		fmt.Println("errcode", a.ErrCode, "token", a.Token != "")
	}
	// Output:
	// errcode -1 token false
	// errcode 0 token true
}

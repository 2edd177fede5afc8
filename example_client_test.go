package payfeedback_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// A client is pointed at the fake WeChat by its base URL; in production
// BaseURL stays empty (the real API host).
func ExampleNewClient() {
	srv := mockwechat.NewServer(mockwechat.Options{}) // the demo account
	defer srv.Close()
	acct := mockwechat.DemoAccount()

	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID:      acct.AppID,
		Secret:     acct.Secret,
		PaySignKey: acct.PaySignKey,
		BaseURL:    srv.URL,
	})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := client.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token lifetime:", tok.ExpiresAt.Sub(tok.ObtainedAt))
	// Printing a token never shows its value.
	fmt.Println("printed:", !strings.Contains(fmt.Sprint(tok), tok.Value))

	_, err = payfeedback.NewClient(payfeedback.ClientOptions{AppID: acct.AppID})
	fmt.Println(err)
	// Output:
	// token lifetime: 2h0m0s
	// printed: true
	// payfeedback: NewClient: ClientOptions.Secret is required (the appSecret of the token API)
}

func ExampleClient_UpdateFeedback() {
	ctx := context.Background()
	srv := mockwechat.NewServer(mockwechat.Options{})
	defer srv.Close()
	acct := mockwechat.DemoAccount()
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: acct.AppID, Secret: acct.Secret, BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}

	// A user complains (the fake pushes a request notification).
	comp, err := srv.FileComplaint(ctx, mockwechat.ComplaintSpec{Reason: "商品质量有问题", Goods: payfeedback.GoodsPhysical})
	if err != nil {
		log.Fatal(err)
	}
	// The merchant handles it, then marks it handled.
	if err := client.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID); err != nil {
		log.Fatal(err)
	}
	comp, _ = srv.Complaint(comp.FeedBackID)
	fmt.Println("state:", comp.State)

	// A complaint that does not exist: the API's errcode, with errors.As.
	err = client.UpdateFeedback(ctx, comp.OpenID, "13275936403980775178")
	var apiErr *payfeedback.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("errcode:", int(apiErr.Code), "invalid input:", payfeedback.IsInvalidInput(err))
	}
	// Output:
	// state: handled
	// errcode: 47001 invalid input: true
}

func ExampleClient_SendMessage() {
	ctx := context.Background()
	srv := mockwechat.NewServer(mockwechat.Options{})
	defer srv.Close()
	acct := mockwechat.DemoAccount()
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: acct.AppID, Secret: acct.Secret, BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	// Filing a complaint opens the 24-hour messaging window.
	comp, err := srv.FileComplaint(ctx, mockwechat.ComplaintSpec{Goods: payfeedback.GoodsVirtual})
	if err != nil {
		log.Fatal(err)
	}

	err = client.SendMessage(ctx, comp.OpenID, payfeedback.TextMessage{Content: "We are on it."})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range srv.Inbox(comp.OpenID) {
		fmt.Println(m.MsgType, strings.Contains(string(m.Raw), "We are on it."))
	}

	// Messages are validated before anything is sent.
	news := payfeedback.NewsMessage{Articles: make([]payfeedback.Article, 11)}
	fmt.Println(client.SendMessage(ctx, comp.OpenID, news))
	fmt.Println(client.SendMessage(ctx, comp.OpenID, payfeedback.VideoMessage{MediaID: "m"}))
	// Output:
	// text true
	// payfeedback: invalid news message: articles: at most 10 articles, got 11 (split it into several messages)
	// payfeedback: invalid video message: thumb_media_id: required
}

func ExampleClient_UploadMedia() {
	ctx := context.Background()
	srv := mockwechat.NewServer(mockwechat.Options{})
	defer srv.Close()
	acct := mockwechat.DemoAccount()
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: acct.AppID, Secret: acct.Secret, BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	comp, err := srv.FileComplaint(ctx, mockwechat.ComplaintSpec{Goods: payfeedback.GoodsPhysical})
	if err != nil {
		log.Fatal(err)
	}

	// Upload a picture of the replacement parcel, then send it.
	photo := strings.NewReader("\xff\xd8\xff\xe0 a JPEG")
	media, err := client.UploadMedia(ctx, payfeedback.MediaImage, "parcel.jpg", photo)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploaded:", media.Type)
	if err := client.SendMessage(ctx, comp.OpenID, payfeedback.ImageMessage{MediaID: media.ID}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("inbox:", srv.Inbox(comp.OpenID)[0].MsgType)
	// Output:
	// uploaded: image
	// inbox: image
}

func ExampleClient_DeliverNotify() {
	ctx := context.Background()
	srv := mockwechat.NewServer(mockwechat.Options{})
	defer srv.Close()
	acct := mockwechat.DemoAccount()
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: acct.AppID, Secret: acct.Secret, PaySignKey: acct.PaySignKey, BaseURL: srv.URL,
	})
	if err != nil {
		log.Fatal(err)
	}
	order, err := srv.AddOrder(mockwechat.Order{Goods: payfeedback.GoodsPhysical})
	if err != nil {
		log.Fatal(err)
	}

	err = client.DeliverNotify(ctx, payfeedback.Shipment{
		OpenID:     order.OpenID,
		TransID:    order.TransID,
		OutTradeNo: "20140301000001",
		Status:     payfeedback.DeliverShipped,
	})
	if err != nil {
		log.Fatal(err)
	}
	order, _ = srv.Order(order.TransID)
	fmt.Println("deliver_status:", order.DeliverStatus, "out_trade_no:", order.OutTradeNo)
	// Output:
	// deliver_status: 1 out_trade_no: 20140301000001
}

// Several clients (instances of a service) share one token through a
// TokenStore: only one of them asks WeChat for it.
func ExampleMemoryTokenStore() {
	ctx := context.Background()
	clock := mockwechat.NewVirtualClock(time.Date(2014, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := mockwechat.NewServer(mockwechat.Options{Clock: clock})
	defer srv.Close()
	acct := mockwechat.DemoAccount()
	comp, err := srv.FileComplaint(ctx, mockwechat.ComplaintSpec{Goods: payfeedback.GoodsPhysical})
	if err != nil {
		log.Fatal(err)
	}

	store := payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{Now: clock.Now})
	var clients []*payfeedback.Client
	for range 3 {
		c, err := payfeedback.NewClient(payfeedback.ClientOptions{
			AppID: acct.AppID, Secret: acct.Secret, BaseURL: srv.URL,
			TokenStore: store, Now: clock.Now,
		})
		if err != nil {
			log.Fatal(err)
		}
		clients = append(clients, c)
	}
	tokenCalls := func() (n int) {
		for _, c := range srv.Calls() {
			if c.Endpoint == payfeedback.PathToken {
				n++
			}
		}
		return n
	}
	for _, c := range clients {
		if err := c.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("token requests:", tokenCalls())

	// Two hours later the token has expired; the first client to notice
	// renews it for all.
	srv.Advance(2 * time.Hour)
	for _, c := range clients {
		if err := c.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("token requests:", tokenCalls())
	// Output:
	// token requests: 1
	// token requests: 2
}

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestConformance certifies the example with the whole suite, API cases
// and a chaos campaign of 300 complaints included, in-process on the
// fake's virtual clock.
func TestConformance(t *testing.T) {
	demo := mockwechat.DemoAccount()
	conformancetest.Run(t, nil, conformance.Options{
		AppID: demo.AppID, PaySignKey: demo.PaySignKey, Secret: demo.Secret, API: true, Chaos: 300,
		Merchant: func(env conformance.APIEnv) http.Handler {
			m, err := newMerchant(config{AppID: env.AppID, Secret: env.Secret, PaySignKey: env.PaySignKey, BaseURL: env.BaseURL, Now: env.Now})
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
		Path: notifyPath,
	})
}

// TestComplaintLifecycle runs the loop of the package doc: the fake files
// a complaint and pushes it, the merchant stores it, messages the user and
// marks it handled; the user confirms and the merchant records it.
func TestComplaintLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clock := mockwechat.NewVirtualClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clock})
	defer fake.Close()
	demo := mockwechat.DemoAccount()
	m, err := newMerchant(config{AppID: demo.AppID, Secret: demo.Secret, PaySignKey: demo.PaySignKey, BaseURL: fake.URL, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	shop := httptest.NewServer(m)
	defer shop.Close()
	if err := fake.SetNotifyURL(demo.AppID, shop.URL+notifyPath); err != nil {
		t.Fatal(err)
	}

	c, err := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{
		AppID: demo.AppID, OpenID: "o-demo", Reason: "商品质量有问题", Solution: "补发货给我", Goods: payfeedback.GoodsPhysical,
	})
	if err != nil {
		t.Fatal(err)
	}
	handled, err := fake.WaitForComplaint(ctx, c.FeedBackID, func(c mockwechat.Complaint) bool { return c.State == mockwechat.StateHandled })
	if err != nil {
		t.Fatalf("the merchant never marked the complaint handled: %v", err)
	}
	if handled.OpenID != "o-demo" {
		t.Errorf("handled complaint of %q, want o-demo", handled.OpenID)
	}
	// The push is delivered once the merchant's handler has returned.
	if _, err := fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgRequest)); err != nil {
		t.Fatal(err)
	}
	if inbox := fake.Inbox("o-demo"); len(inbox) != 1 || inbox[0].MsgType != "text" {
		t.Errorf("user's inbox: %+v, want one text message", inbox)
	}
	if got := listComplaints(t, shop.URL); len(got) != 1 || got[0].State != "handled" || got[0].Reason != "商品质量有问题" {
		t.Fatalf("stored complaints after handling: %+v", got)
	}

	if err := fake.Confirm(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgConfirm)); err != nil {
		t.Fatal(err)
	}
	got := listComplaints(t, shop.URL)
	if len(got) != 1 || got[0].State != "confirmed" || got[0].Reason == "" || got[0].TransID == "" {
		t.Errorf("stored complaints after the user confirmed: %+v (details of the request must be kept)", got)
	}
}

func listComplaints(t *testing.T, base string) []complaint {
	t.Helper()
	resp, err := http.Get(base + "/complaints")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []complaint
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

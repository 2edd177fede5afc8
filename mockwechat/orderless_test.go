package mockwechat

import (
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestComplaintWithoutOrder: a complaint filed without an order (TransId
// is optional in WeChat's document) creates no order, and its request,
// reject and confirm notifications carry no TransId. Its deadline is the
// shipped row of the deadline table for the goods kind given.
func TestComplaintWithoutOrder(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)

	tests := []struct {
		goods payfeedback.GoodsKind
		days  int
	}{
		{payfeedback.GoodsVirtual, 3},
		{payfeedback.GoodsPhysical, 15},
	}
	for _, tt := range tests {
		c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o-" + tt.goods.String(), NoOrder: true, Goods: tt.goods, Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
		if c.TransID != "" || c.Goods != tt.goods || c.Shipping != ShippingNoOrder ||
			!c.Deadline.Equal(t0.Add(time.Duration(tt.days)*24*time.Hour)) {
			t.Errorf("%s complaint without an order: %+v, want no transid, shipping %q, deadline %d days on", tt.goods, c, ShippingNoOrder, tt.days)
		}
		tok, _ := s.Token("")
		if got := update(t, s, tok, c.OpenID, c.FeedBackID); got != 0 {
			t.Fatalf("update of an order-less complaint: errcode %d", got)
		}
		if err := s.RejectWithReason(ctx, c.FeedBackID, "no"); err != nil {
			t.Fatal(err)
		}
		if err := s.Confirm(ctx, c.FeedBackID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if snap := s.world.Snapshot(); len(snap.Orders) != 0 {
		t.Errorf("filing without an order created orders: %+v", snap.Orders)
	}
	got := rc.notifications()
	if len(got) != 6 {
		t.Fatalf("receiver verified %d notifications, want 6", len(got))
	}
	for _, n := range got {
		if n.TransID != "" {
			t.Errorf("%s notification carries TransId %q", n.MsgType, n.TransID)
		}
	}
	for _, d := range s.Deliveries() {
		if body := d.Attempts[0].Body; strings.Contains(body, "TransId") {
			t.Errorf("%s document has a TransId element:\n%s", d.MsgType, body)
		}
	}

	// What an order-less complaint cannot have.
	for _, spec := range []ComplaintSpec{
		{NoOrder: true, TransID: "1234"},
		{NoOrder: true, Shipped: true},
		{NoOrder: true, PaidAt: t0.Add(-time.Hour)},
	} {
		if _, err := s.FileComplaint(ctx, spec); err == nil || !strings.Contains(err.Error(), "no_order") {
			t.Errorf("FileComplaint(%+v) = %v, want an error naming no_order", spec, err)
		}
	}
}

// TestAdminComplaintWithoutOrder: POST /_mock/complaints takes
// "no_order": true.
func TestAdminComplaintWithoutOrder(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	var c Complaint
	if st, raw := adminCall(t, s, "POST", "/_mock/complaints", `{"openid":"o1","no_order":true,"goods":"physical"}`, &c); st != 201 {
		t.Fatalf("HTTP %d %s", st, raw)
	}
	if c.TransID != "" || c.Shipping != ShippingNoOrder || !c.Deadline.Equal(t0.Add(15*24*time.Hour)) {
		t.Fatalf("order-less complaint over the admin API: %+v", c)
	}
	if st, raw := adminCall(t, s, "POST", "/_mock/complaints", `{"openid":"o1","no_order":true,"transid":"1"}`, nil); st != 400 {
		t.Fatalf("no_order with a transid: HTTP %d %s, want 400", st, raw)
	}
}

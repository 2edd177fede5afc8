package mockwechat

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/golden"
)

// TestGoldenPushes pins the exact documents the fake pushes for a
// complaint's life (seeded ids, virtual time), and checks each verifies.
func TestGoldenPushes(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	s, clk := newVirtual(t, Options{Accounts: []Account{demo}, Seed: 42})
	ctx := testCtx(t)
	c, err := s.FileComplaint(ctx, ComplaintSpec{Reason: "商品质量有问题", Solution: "补发货给我", ExtInfo: "明天六点前联系我 18610847266",
		PicURLs: []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"}, Goods: payfeedback.GoodsPhysical})
	if err != nil {
		t.Fatal(err)
	}
	s.WaitIdle(ctx)
	clk.Advance(time.Hour)
	tok, _ := s.Token("")
	if got := update(t, s, tok, c.OpenID, c.FeedBackID); got != 0 {
		t.Fatalf("update: %d", got)
	}
	s.RejectWithReason(ctx, c.FeedBackID, "还是没收到")
	s.WaitIdle(ctx)
	clk.Advance(time.Hour)
	update(t, s, tok, c.OpenID, c.FeedBackID)
	s.Confirm(ctx, c.FeedBackID)
	s.WaitIdle(ctx)
	var all bytes.Buffer
	for _, d := range s.Deliveries() {
		if !d.Delivered {
			t.Fatalf("delivery %d not delivered: %+v", d.ID, d)
		}
		all.WriteString(d.Attempts[0].Body)
		all.WriteString("\n\n")
	}
	golden.Check(t, filepath.Join("..", "testdata", "mock", "pushes.golden.xml"), all.Bytes())
	if n := len(rc.notifications()); n != 3 {
		t.Fatalf("receiver verified %d notifications, want 3", n)
	}
}

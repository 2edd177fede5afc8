package mockwechat

import (
	"net/url"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func TestNoGraceAndPerAccountQuota(t *testing.T) {
	limited := Account{AppID: "wxlimited", Secret: "s", PaySignKey: "k", TokenCallsPerDay: 1}
	s, _ := newVirtual(t, Options{TokenGrace: -1, Accounts: []Account{DemoAccount(), limited}})
	first := getToken(t, s, DemoAccount())
	getToken(t, s, DemoAccount())
	if got := tokenCheck(t, s, first); got != payfeedback.CodeInvalidCredential {
		t.Fatalf("previous token without grace: %d, want 40001", got)
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {limited.AppID}, "secret": {"s"}}
	if a := do(t, s, "GET", payfeedback.PathToken, q, ""); a.ErrCode != 0 {
		t.Fatalf("first call of a 1/day account: %s", a.raw)
	}
	if a := do(t, s, "GET", payfeedback.PathToken, q, ""); a.ErrCode != payfeedback.CodeQuotaExceeded {
		t.Fatalf("second call of a 1/day account: %s, want 45009", a.raw)
	}
	for i := 0; i < 5; i++ {
		getToken(t, s, DemoAccount()) // the other account is unlimited
	}
}

func TestSharedVirtualClock(t *testing.T) {
	clk := NewVirtualClock(t0)
	a := NewServer(Options{Clock: clk})
	defer a.Close()
	b := NewServer(Options{Clock: clk})
	defer b.Close()
	ctx := testCtx(t)
	ca, _ := a.FileComplaint(ctx, ComplaintSpec{})
	cb, _ := b.FileComplaint(ctx, ComplaintSpec{Goods: payfeedback.GoodsPhysical})
	b.Advance(3 * 24 * time.Hour)
	if got, _ := a.Complaint(ca.FeedBackID); !got.Overdue {
		t.Fatal("advancing through one server did not fire the other's events")
	}
	if got, _ := b.Complaint(cb.FeedBackID); got.Overdue {
		t.Fatal("physical complaint overdue after 3 days")
	}
	if !a.Now().Equal(b.Now()) || !a.Now().Equal(t0.Add(72*time.Hour)) {
		t.Fatalf("clocks %v and %v", a.Now(), b.Now())
	}
}

func TestDeliveryLogBounded(t *testing.T) {
	s, _ := newVirtual(t, Options{DeliveryLogSize: 3, Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k",
		NotifyURL: newHandlerServer(t, okHandler()).URL}}})
	ctx := testCtx(t)
	var ids []string
	for i := 0; i < 5; i++ {
		c, _ := s.FileComplaint(ctx, ComplaintSpec{})
		ids = append(ids, c.FeedBackID)
		s.WaitIdle(ctx)
	}
	ds := s.Deliveries()
	if len(ds) != 3 || ds[0].FeedBackID != ids[2] || ds[2].FeedBackID != ids[4] || ds[0].ID != 3 {
		t.Fatalf("bounded delivery log: %d deliveries, first %+v", len(ds), ds[0])
	}
}

func TestInteractAndUsers(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	if _, err := s.Interact("", ""); err == nil {
		t.Fatal("Interact without openid accepted")
	}
	if _, ok := s.User(DemoAccount().AppID, "o1"); ok {
		t.Fatal("unknown user found")
	}
	clk.Advance(time.Minute)
	u, err := s.Interact("", "o1")
	if err != nil || !u.LastInteraction.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Interact: %+v %v", u, err)
	}
	o, err := s.AddOrder(Order{OpenID: "o2", PaidAt: t0.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := s.User(o.AppID, "o2"); !ok || !u.LastInteraction.Equal(t0.Add(-time.Hour)) {
		t.Fatalf("paying is an interaction: %+v", u)
	}
	if _, err := s.AddOrder(Order{TransID: o.TransID}); err == nil {
		t.Fatal("duplicate transid accepted")
	}
}

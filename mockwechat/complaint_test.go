package mockwechat

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func update(t *testing.T, s *Server, tok, openID, fid string) payfeedback.ErrorCode {
	t.Helper()
	return do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok}, "openid": {openID}, "feedbackid": {fid}}, "").ErrCode
}

func TestUpdateErrors(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	ctx := testCtx(t)
	other := Account{AppID: "wx1111111111111111", Secret: "s2", PaySignKey: "k2"}
	if err := s.AddAccount(other); err != nil {
		t.Fatal(err)
	}
	c, err := s.FileComplaint(ctx, ComplaintSpec{AppID: DemoAccount().AppID, OpenID: "o-user", Reason: "broken"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := s.FileComplaint(ctx, ComplaintSpec{AppID: DemoAccount().AppID, OpenID: "o-user2"})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := s.FileComplaint(ctx, ComplaintSpec{AppID: other.AppID, OpenID: "o-user"})
	if err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, s, DemoAccount())
	tests := []struct {
		name, openID, fid string
		want              payfeedback.ErrorCode
	}{
		{"no openid", "", c.FeedBackID, payfeedback.CodeInvalidOpenID},
		{"unknown openid", "o-nobody", c.FeedBackID, payfeedback.CodeInvalidOpenID},
		{"no feedbackid", "o-user", "", payfeedback.CodeDataFormat},
		{"unknown feedbackid", "o-user", "123", payfeedback.CodeDataFormat},
		{"other account's complaint", "o-user", oc.FeedBackID, payfeedback.CodeDataFormat},
		{"openid not the complaint's", "o-user2", c.FeedBackID, payfeedback.CodeInvalidOpenID},
		{"ok", "o-user", c.FeedBackID, 0},
		{"again: idempotent", "o-user", c.FeedBackID, 0},
		{"other complaint", "o-user2", c2.FeedBackID, 0},
	}
	for _, tt := range tests {
		if got := update(t, s, tok, tt.openID, tt.fid); got != tt.want {
			t.Errorf("%s: errcode %d, want %d", tt.name, got, tt.want)
		}
	}
	got, _ := s.Complaint(c.FeedBackID)
	if got.State != StateHandled || got.Updates != 2 || !got.HandledAt.Equal(t0) {
		t.Fatalf("complaint after update: %+v", got)
	}
	if err := s.Confirm(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	if got := update(t, s, tok, "o-user", c.FeedBackID); got != payfeedback.CodeDataFormat {
		t.Fatalf("update of a confirmed complaint: %d, want 47001", got)
	}
	if err := s.SetPayPermission(DemoAccount().AppID, false); err != nil {
		t.Fatal(err)
	}
	if got := update(t, s, tok, "o-user2", c2.FeedBackID); got != payfeedback.CodeUnauthorized {
		t.Fatalf("without pay permission: %d, want 48001", got)
	}
}

func TestComplaintStateMachine(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	ctx := testCtx(t)
	tok := getToken(t, s, DemoAccount())
	file := func(spec ComplaintSpec) Complaint {
		t.Helper()
		c, err := s.FileComplaint(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	c := file(ComplaintSpec{OpenID: "o1", Goods: payfeedback.GoodsPhysical, Shipped: true})
	if c.State != StateFiled || !c.Deadline.Equal(t0.Add(15*24*time.Hour)) || c.Shipping != payfeedback.Shipped.String() {
		t.Fatalf("filed complaint: %+v", c)
	}
	if err := s.Reject(ctx, c.FeedBackID); !errors.Is(err, ErrState) {
		t.Fatalf("reject before handling: %v, want ErrState", err)
	}
	if got := update(t, s, tok, "o1", c.FeedBackID); got != 0 {
		t.Fatalf("update: %d", got)
	}
	if err := s.RejectWithReason(ctx, c.FeedBackID, "still broken"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Complaint(c.FeedBackID)
	if got.State != StateRejected || got.RejectReason != "still broken" {
		t.Fatalf("after reject: %+v", got)
	}
	if err := s.RequestArbitration(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, c.FeedBackID); !errors.Is(err, ErrState) {
		t.Fatalf("confirm in arbitration: %v, want ErrState", err)
	}
	if got := update(t, s, tok, "o1", c.FeedBackID); got != payfeedback.CodeDataFormat {
		t.Fatalf("update in arbitration: %d, want 47001", got)
	}
	if err := s.SubmitEvidence(ctx, c.FeedBackID, "shipped, tracking 123", []string{"http://x/1.jpg"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Arbitrate(ctx, c.FeedBackID, false); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Complaint(c.FeedBackID)
	if got.Arbitration.State != ArbitrationDecidedForMerchant || got.Open() {
		t.Fatalf("after arbitration: %+v", got.Arbitration)
	}

	// Overdue: a virtual unshipped order paid 2 days ago gets 1 day.
	v := file(ComplaintSpec{OpenID: "o2", Goods: payfeedback.GoodsVirtual, PaidAt: t0.Add(-48 * time.Hour)})
	if !v.Deadline.Equal(t0.Add(24 * time.Hour)) {
		t.Fatalf("deadline %v, want one day", v.Deadline)
	}
	if err := s.RequestArbitration(ctx, v.FeedBackID); !errors.Is(err, ErrState) {
		t.Fatalf("arbitration before overdue: %v", err)
	}
	clk.Advance(24*time.Hour - time.Second)
	if got, _ := s.Complaint(v.FeedBackID); got.Overdue {
		t.Fatal("overdue one second early")
	}
	clk.Advance(time.Second)
	if got, _ := s.Complaint(v.FeedBackID); !got.Overdue {
		t.Fatal("not overdue at the deadline")
	}
	if err := s.RequestArbitration(ctx, v.FeedBackID); err != nil {
		t.Fatal(err)
	}
	clk.Advance(DefaultEvidenceWindow)
	if got, _ := s.Complaint(v.FeedBackID); got.Arbitration.State != ArbitrationEvidenceMissed {
		t.Fatalf("arbitration after the evidence window: %v", got.Arbitration.State)
	}
	if err := s.SubmitEvidence(ctx, v.FeedBackID, "late", nil); !errors.Is(err, ErrState) {
		t.Fatalf("late evidence: %v, want ErrState", err)
	}

	// A handled complaint is not overdue at its deadline; a confirmed one closes the order.
	h := file(ComplaintSpec{OpenID: "o3"})
	tok = getToken(t, s, DemoAccount())
	if got := update(t, s, tok, "o3", h.FeedBackID); got != 0 {
		t.Fatalf("update: %d", got)
	}
	clk.Advance(4 * 24 * time.Hour)
	if got, _ := s.Complaint(h.FeedBackID); got.Overdue {
		t.Fatal("handled complaint marked overdue")
	}
	if _, err := s.FileComplaint(ctx, ComplaintSpec{TransID: h.TransID}); !errors.Is(err, ErrState) {
		t.Fatalf("second complaint on an order with an open one: %v", err)
	}
	if err := s.Confirm(ctx, h.FeedBackID); err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, h.FeedBackID); !errors.Is(err, ErrState) {
		t.Fatalf("confirm twice: %v", err)
	}
	again := file(ComplaintSpec{TransID: h.TransID})
	if again.OpenID != "o3" {
		t.Fatalf("complaint on an existing order has openid %q, want the order's", again.OpenID)
	}
}

func TestFileComplaintValidation(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	ctx := testCtx(t)
	if _, err := s.FileComplaint(ctx, ComplaintSpec{AppID: "wxnope"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown appid: %v", err)
	}
	if _, err := s.FileComplaint(ctx, ComplaintSpec{PicURLs: make([]string, 6)}); err == nil {
		t.Error("six pictures accepted")
	}
	c, err := s.FileComplaint(ctx, ComplaintSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.FeedBackID) < 19 || len(c.TransID) != 28 || len(c.OpenID) != 28 || c.OpenID[0] != 'o' {
		t.Errorf("generated ids: %+v", c)
	}
	if _, err := s.FileComplaint(ctx, ComplaintSpec{TransID: c.TransID, OpenID: "someone-else"}); err == nil {
		t.Error("complaint by another user on an order accepted")
	}
}

// TestRejectedComplaintGoesOverdue: the deadline applies to a rejected
// complaint as to a filed one (docs/protocol.md: a complaint waiting for
// the merchant), whether it was rejected before the deadline or restored
// as rejected from a snapshot; a complaint the merchant handled again is
// not overdue. A guard: it passed before, and fails when Fire or a
// restore forgets rejected complaints (both checked by mutation).
func TestRejectedComplaintGoesOverdue(t *testing.T) {
	demo := DemoAccount()
	demo.NotifyURL = newReceiver(t, demo.PaySignKey).URL
	s, clk := newVirtual(t, Options{Accounts: []Account{demo}})
	ctx := testCtx(t)
	sub := s.Subscribe(256)
	defer sub.Close()
	tok := getToken(t, s, demo)
	file := func(openID string) Complaint {
		c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: openID, Goods: payfeedback.GoodsVirtual, Shipped: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := update(t, s, tok, openID, c.FeedBackID); got != 0 {
			t.Fatalf("update: %d", got)
		}
		if err := s.RejectWithReason(ctx, c.FeedBackID, "还没退款"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	rejected := file("o-rejected")
	again := file("o-again")
	if got := update(t, s, tok, "o-again", again.FeedBackID); got != 0 { // handled again before the deadline
		t.Fatalf("update again: %d", got)
	}
	snap := s.Snapshot() // rejected stands rejected in it, its deadline ahead
	clk.Advance(rejected.Deadline.Sub(clk.Now()) - time.Second)
	if got, _ := s.Complaint(rejected.FeedBackID); got.Overdue {
		t.Fatal("a rejected complaint is overdue before its deadline")
	}
	clk.Advance(time.Second)
	if got, _ := s.Complaint(rejected.FeedBackID); got.State != StateRejected || !got.Overdue {
		t.Fatalf("a rejected complaint at its deadline: %s, overdue %v; want rejected and overdue", got.State, got.Overdue)
	}
	if got, _ := s.Complaint(again.FeedBackID); got.Overdue {
		t.Fatal("a complaint handled again after its reject is overdue")
	}
	heard := false
	for len(sub.Events()) > 0 {
		if e := <-sub.Events(); e.Change != nil && e.Change.What == ChangeComplaintOverdue && e.Change.FeedBackID == rejected.FeedBackID {
			heard = true
		}
	}
	if !heard {
		t.Fatal("no complaint-overdue event for the rejected complaint")
	}
	if err := s.RequestArbitration(ctx, rejected.FeedBackID); err != nil {
		t.Fatalf("arbitration of the overdue rejected complaint: %v", err)
	}

	restored := NewServer(Options{Scenario: snap}) // a virtual clock at the snapshot's time
	t.Cleanup(restored.Close)
	restored.Advance(rejected.Deadline.Sub(restored.Now()))
	if got, _ := restored.Complaint(rejected.FeedBackID); got.State != StateRejected || !got.Overdue {
		t.Fatalf("a rejected complaint restored from a snapshot, at its deadline: %s, overdue %v", got.State, got.Overdue)
	}
}

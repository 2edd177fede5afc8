package mockwechat

import (
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

const textTo1 = `{"touser":"o1","msgtype":"text","text":{"content":"x"}}`

// TestInteractionKinds: each window opener of WeChat's document is a kind
// of interaction, recorded with its time; a test scripts "the user
// subscribed yesterday" and the window runs from then.
func TestInteractionKinds(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	ctx := testCtx(t)
	u, err := s.RecordInteraction(Interaction{OpenID: "o1", Kind: InteractSubscribe, At: t0.Add(-23 * time.Hour)})
	if err != nil || !u.LastInteraction.Equal(t0.Add(-23*time.Hour)) || u.LastInteractionKind != InteractSubscribe {
		t.Fatalf("RecordInteraction: %+v %v", u, err)
	}
	tok, _ := s.Token("")
	if got := send(t, s, tok, textTo1); got.ErrCode != 0 {
		t.Fatalf("23 h after subscribing: %s", got.raw)
	}
	clk.Advance(time.Hour)
	tok, _ = s.Token("")
	if got := send(t, s, tok, textTo1); got.ErrCode != payfeedback.CodeOutOfWindow {
		t.Fatalf("24 h after subscribing: %s, want 45015", got.raw)
	}

	// An earlier interaction does not move the last one back.
	if _, err := s.RecordInteraction(Interaction{OpenID: "o1", Kind: InteractScan, At: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	u, _ = s.RecordInteraction(Interaction{OpenID: "o1", Kind: InteractClick, At: t0.Add(-2 * time.Hour)})
	if !u.LastInteraction.Equal(t0.Add(-time.Hour)) || u.LastInteractionKind != InteractScan {
		t.Fatalf("after an earlier click: %+v, want the scan an hour ago", u)
	}

	// Every kind is accepted; "" and zero At mean a message now.
	for _, k := range InteractionKinds() {
		if u, err := s.RecordInteraction(Interaction{OpenID: "o-" + string(k), Kind: k}); err != nil || u.LastInteractionKind != k || !u.LastInteraction.Equal(clk.Now()) {
			t.Errorf("kind %s: %+v %v", k, u, err)
		}
	}
	if u, _ := s.RecordInteraction(Interaction{OpenID: "o2"}); u.LastInteractionKind != InteractMessage {
		t.Errorf("no kind: %+v, want a message", u)
	}
	for _, bad := range []Interaction{
		{OpenID: "o3", Kind: "wave"},
		{OpenID: "o3", At: clk.Now().Add(time.Second)},
		{Kind: InteractMessage},
	} {
		if _, err := s.RecordInteraction(bad); err == nil {
			t.Errorf("RecordInteraction(%+v) accepted", bad)
		}
	}
	if _, ok := s.User(DemoAccount().AppID, "o3"); ok {
		t.Error("a refused interaction created the user")
	}

	// The fake's own events record their kind.
	if u, _ := s.Interact("", "o4"); u.LastInteractionKind != InteractMessage {
		t.Errorf("Interact: %+v, want a message", u)
	}
	o, _ := s.AddOrder(Order{OpenID: "o5"})
	if u, _ := s.User(o.AppID, "o5"); u.LastInteractionKind != InteractPayment {
		t.Errorf("AddOrder: %+v, want a payment", u)
	}
	c, _ := s.FileComplaint(ctx, ComplaintSpec{OpenID: "o4"})
	if u, _ := s.User(c.AppID, "o4"); u.LastInteractionKind != InteractComplaint {
		t.Errorf("FileComplaint: %+v, want a complaint", u)
	}
	s.Interact("", "o4")
	s.Confirm(ctx, c.FeedBackID)
	if u, _ := s.User(c.AppID, "o4"); u.LastInteractionKind != InteractComplaint {
		t.Errorf("Confirm: %+v, want a complaint", u)
	}
}

// TestAdminInteraction: POST /_mock/users takes a kind and a time.
func TestAdminInteraction(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	yesterday := t0.Add(-24 * time.Hour).Format(time.RFC3339)
	var u User
	if st, raw := adminCall(t, s, "POST", "/_mock/users", `{"openid":"o1","kind":"subscribe","at":"`+yesterday+`"}`, &u); st != 200 {
		t.Fatalf("HTTP %d %s", st, raw)
	}
	if u.LastInteractionKind != InteractSubscribe || !u.LastInteraction.Equal(t0.Add(-24*time.Hour)) {
		t.Fatalf("user: %+v", u)
	}
	if _, raw := adminCall(t, s, "GET", "/_mock/users/o1", "", nil); !strings.Contains(raw, `"last_interaction_kind":"subscribe"`) {
		t.Fatalf("GET user: %s", raw)
	}
	if st, raw := adminCall(t, s, "POST", "/_mock/users", `{"openid":"o1","kind":"wave"}`, nil); st != 400 || !strings.Contains(raw, "subscribe") {
		t.Fatalf("unknown kind: HTTP %d %s, want 400 listing the kinds", st, raw)
	}
	if st, raw := adminCall(t, s, "POST", "/_mock/users", `{"openid":"o2"}`, &u); st != 200 || u.LastInteractionKind != InteractMessage || !u.LastInteraction.Equal(t0) {
		t.Fatalf("the simple form: HTTP %d %s", st, raw)
	}
}

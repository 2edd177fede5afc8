package world

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) (*World, *time.Time) {
	t.Helper()
	now := t0
	w := New(Config{TokenTTL: 2 * time.Hour, TokenGrace: 5 * time.Minute, MessageWindow: 24 * time.Hour, NewsLimit: 10,
		MediaTTL: 72 * time.Hour, InboxSize: 3, MaxMedia: 10, EvidenceWindow: 72 * time.Hour, Seed: 7}, func() time.Time { return now })
	if _, err := w.AddAccount(Account{AppID: "wx1", Secret: "s", PaySignKey: "k", Reasons: []string{"质量问题"}}); err != nil {
		t.Fatal(err)
	}
	return w, &now
}

// TestTransitionEffects: transitions return what they cause instead of
// doing it.
func TestTransitionEffects(t *testing.T) {
	w, now := newWorld(t)
	c, fx, err := w.File(ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.Push) != 1 || fx.Push[0].MsgType != payfeedback.MsgRequest || len(fx.Timers) != 1 || fx.Timers[0].Key != resolveKey(c.FeedBackID) {
		t.Fatalf("File's effects: %+v", fx)
	}
	tok, _ := w.IssueToken("wx1", "tok")
	if _, fx, err := w.Update(tok.Value, "o1", c.FeedBackID, *now); err != nil || fx.Changes[0].What != events.ComplaintHandled {
		t.Fatalf("Update: %+v %v", fx, err)
	}
	_, fx, err = w.Reject(c.FeedBackID, "still broken")
	if err != nil || fx.Push[0].MsgType != payfeedback.MsgReject || fx.Push[0].Reason != "still broken" {
		t.Fatalf("Reject: %+v %v", fx, err)
	}
	_, fx, _ = w.Confirm(c.FeedBackID)
	if len(fx.Cancels) != 1 || fx.Cancels[0] != resolveKey(c.FeedBackID) || fx.Push[0].MsgType != payfeedback.MsgConfirm {
		t.Fatalf("Confirm: %+v", fx)
	}
	if fx := w.Fire(resolveKey(c.FeedBackID)); !fx.Empty() {
		t.Fatalf("a confirmed complaint's deadline fired: %+v", fx)
	}
	if _, _, err := w.Confirm(c.FeedBackID); !errors.Is(err, ErrState) {
		t.Fatalf("Confirm twice: %v", err)
	}
	w.Close()
	if _, _, err := w.File(ComplaintSpec{}); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("File on a closed world: %v", err)
	}
}

// TestSnapshotRestore: the whole world serialises to JSON and comes back
// the same; a restored world goes on making the same ids.
func TestSnapshotRestore(t *testing.T) {
	w, now := newWorld(t)
	c, _, _ := w.File(ComplaintSpec{OpenID: "o1", PicURLs: []string{"http://p/1"}})
	w.AddOrder(Order{OpenID: "o2", Goods: payfeedback.GoodsPhysical})
	tok, _ := w.IssueToken("wx1", "tok")
	w.Send(tok.Value, Outgoing{ToUser: "o1", MsgType: payfeedback.MessageText, Raw: []byte(`{"touser":"o1"}`)}, nil, *now)
	w.AddMedia("wx1", "image", "m1")
	w.RequestArbitration(c.FeedBackID) // refused: not overdue; the world is unchanged
	w.PushTimeStamp("wx1", "o1", *now)

	state := w.Snapshot()
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	w2, _ := newWorld(t)
	fx, err := w2.Restore(back)
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.Timers) != 1 || fx.Timers[0].Key != resolveKey(c.FeedBackID) {
		t.Fatalf("restored deadlines: %+v", fx.Timers)
	}
	if got := w2.Snapshot(); !reflect.DeepEqual(jsonOf(t, got), jsonOf(t, state)) {
		t.Fatalf("restored world differs:\n%s\n%s", jsonOf(t, got), jsonOf(t, state))
	}
	c1, _, _ := w.File(ComplaintSpec{})
	c2, _, _ := w2.File(ComplaintSpec{})
	if c1.FeedBackID != c2.FeedBackID || c1.OpenID != c2.OpenID {
		t.Fatal("a restored world makes other ids than the saved one")
	}
	if ts := w2.PushTimeStamp("wx1", "o1", *now); ts != now.Unix() {
		t.Fatalf("restored push TimeStamp %d, want %d: the time it is stamped at", ts, now.Unix())
	}
	if in := w2.InboxOf("wx1", "o1"); len(in) != 1 || in[0].Seq != 1 {
		t.Fatalf("restored inbox: %+v", in)
	}

	bad := w.Snapshot()
	bad.Complaints[0].AppID = "wxnope"
	if _, err := w2.Restore(bad); err == nil {
		t.Fatal("a state with a complaint of an unknown account restored")
	}
	if _, ok := w2.Complaint(c2.FeedBackID); !ok {
		t.Fatal("a failed Restore lost the world")
	}
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInboxRing(t *testing.T) {
	var b inbox
	for i := range 5 {
		b.add(Message{ToUser: string(rune('a' + i))}, 3)
	}
	got := b.list()
	if len(got) != 3 || got[0].Seq != 3 || got[2].Seq != 5 || got[2].ToUser != "e" {
		t.Fatalf("ring: %+v", got)
	}
	var r inbox
	r.restore(got, 9, 2)
	r.add(Message{ToUser: "f"}, 2)
	if l := r.list(); len(l) != 2 || l[0].Seq != 5 || l[1].Seq != 10 {
		t.Fatalf("restored ring: %+v", l)
	}
}

// TestResolveComplaint: a complaint is named by its whole id or by the
// start of it when no other id starts so; an ambiguous start is refused
// with the candidates, an unknown one with ErrNotFound, and neither error
// says "mockwechat:" twice (it read "complaint 1524: mockwechat: not
// found" before).
func TestResolveComplaint(t *testing.T) {
	w, _ := newWorld(t)
	for _, id := range []string{"1524000000000000001", "1524000000000000002", "1525000000000000001", "15"} {
		if _, _, err := w.File(ComplaintSpec{OpenID: "o" + id, FeedBackID: id}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		in, want string
		err      error
		says     string
	}{
		{"1524000000000000001", "1524000000000000001", nil, ""},
		{"1525", "1525000000000000001", nil, ""},
		{"15", "15", nil, ""}, // a whole id wins over the ids it starts
		{"152400000000000000", "", ErrAmbiguous, "2 complaints' ids start so (1524000000000000001, 1524000000000000002)"},
		{"152", "", ErrAmbiguous, "3 complaints' ids start so"},
		{"1526", "", ErrNotFound, "mockwechat: complaint 1526: not found"},
		{"", "", ErrNotFound, "not found"},
	}
	for _, tt := range tests {
		got, err := w.ResolveComplaint(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("ResolveComplaint(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			continue
		}
		if err != nil && (!strings.Contains(err.Error(), tt.says) || strings.Count(err.Error(), "mockwechat:") != 1) {
			t.Errorf("ResolveComplaint(%q): %q, want it to say %q, with one mockwechat: prefix", tt.in, err, tt.says)
		}
	}
	if _, _, err := w.Confirm("1526"); err == nil || err.Error() != "mockwechat: complaint 1526: not found" {
		t.Errorf("Confirm of an unknown complaint: %v", err)
	}
}

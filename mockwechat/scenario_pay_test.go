package mockwechat

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// TestStateBeforePayLoads: a state file written by the fake before
// snapshots carried Complaints 2.0 (testdata/state-before-pay.yaml, from
// commit 446a4c9, of a fake playing both) loads into a fake playing
// both: its V1.5 world is back, Complaints 2.0 starts empty with the
// fake's identity, and files again.
func TestStateBeforePayLoads(t *testing.T) {
	sc, err := LoadSnapshot("testdata/state-before-pay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Pay != nil {
		t.Fatalf("the old file has a pay key: %+v", sc.Pay)
	}
	fake, _ := newVirtual(t, Options{Pay: &PayOptions{KeysDir: payKeys(t)}})
	ctx := testCtx(t)
	if _, err := fake.FilePayComplaint(ctx, PayComplaintSpec{}); err != nil {
		t.Fatal(err)
	}
	m, _ := fake.PayMerchant()
	if err := fake.Restore(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.Complaints()); got != 2 {
		t.Errorf("V1.5 complaints after restoring the old state: %d, want 2", got)
	}
	if got := fake.PayComplaints(); len(got) != 0 {
		t.Errorf("Complaints 2.0 after restoring the old state: %d complaints, want none", len(got))
	}
	if after, _ := fake.PayMerchant(); after.SerialNo != m.SerialNo || after.APIv3Key != m.APIv3Key {
		t.Errorf("the identity changed: %+v, was %+v", after, m)
	}
	if _, err := fake.FilePayComplaint(ctx, PayComplaintSpec{}); err != nil {
		t.Errorf("filing after restoring the old state: %v", err)
	}
}

// TestPayScenarioTimeline: a scenario's Complaints 2.0 complaints and
// acts at or before the start are the world as it stands (nothing
// announced), later ones happen on the fake's clock; the merchant's acts
// play too; Reset goes back to the scenario's start, keeping the callback
// URL set since; a snapshot keeps what is still to come.
func TestPayScenarioTimeline(t *testing.T) {
	const file = `
clock: {start: 2025-03-01T10:00:00Z}
pay:
  merchants: [{notify_url: "http://127.0.0.1:9/cb"}]
  complaints:
    - {at: -1d, complaint_id: "100", problem_type: REFUND, apply_refund_amount: 100,
       complaint_order_info: [{transaction_id: "4200000000000000000000000001", out_trade_no: M1, amount: 300}]}
    - {at: +2h, complaint_id: "200", complaint_detail: 服务没有生效, problem_type: SERVICE_NOT_WORK, is_agent_mode: true}
  acts:
    - {at: -20h, complaint_id: "100", do: approve-refund, launch_refund_day: 2}
    - {at: -19h, complaint_id: "100", do: refund-arrived}
    - {at: +1h, complaint_id: "100", do: continue, text: 只退了一部分}
    - {at: +3h, complaint_id: "200", do: message, text: 还是不行}
`
	sc, err := ParseScenario("pay.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	fake := NewServer(Options{Scenario: sc, Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	clk, _ := fake.Clock()
	ctx := testCtx(t)
	c, _ := fake.PayComplaint("100")
	if c.Wire.ComplaintState != complaints.StateProcessed || c.Refund == nil || c.Refund.ArrivedAt.IsZero() || len(c.History) != 3 {
		t.Fatalf("at the start: %+v, want PROCESSED with its refund arrived", c)
	}
	if m, _ := fake.PayMerchant(); m.NotifyURL != "http://127.0.0.1:9/cb" {
		t.Errorf("the merchant's callback URL: %q", m.NotifyURL)
	}
	if _, ok := fake.PayComplaint("200"); ok {
		t.Fatal("the complaint of +2h is there at the start")
	}
	if d := fake.Snapshot().Pay.Deliveries; len(d) != 0 {
		t.Errorf("the past was announced: %d callbacks", len(d))
	}
	later := fake.Snapshot().Pay
	if len(later.Complaints) != 2 || later.Complaints[1].ComplaintID != "200" || len(later.Acts) != 2 {
		t.Fatalf("the snapshot's complaints and acts to come: %+v", later)
	}
	clk.Advance(3 * time.Hour)
	if c, _ := fake.PayComplaint("100"); c.Wire.ComplaintState != complaints.StatePending || c.Wire.UserComplaintTimes != 2 {
		t.Errorf("at +3h complaint 100: %+v, want continued (PENDING, twice)", c.Wire)
	}
	if c, ok := fake.PayComplaint("200"); !ok || !c.Wire.IncomingUserResponse || !c.Wire.IsAgentMode {
		t.Errorf("at +3h complaint 200: %+v, want filed, with the user's message", c.Wire)
	}
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fake.Snapshot().Pay.Deliveries; len(got) != 3 {
		t.Errorf("callbacks by +3h: %d, want 3 (continue, the filing, the message)", len(got))
	}
	if err := fake.SetPayNotifyURL("", "http://127.0.0.1:9/new"); err != nil {
		t.Fatal(err)
	}
	if err := fake.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := fake.PayComplaint("100"); c.Wire.ComplaintState != complaints.StateProcessed {
		t.Errorf("after Reset complaint 100 is %s, want PROCESSED as at the start", c.Wire.ComplaintState)
	}
	if _, ok := fake.PayComplaint("200"); ok {
		t.Error("after Reset the complaint of +2h is there")
	}
	if m, _ := fake.PayMerchant(); m.NotifyURL != "http://127.0.0.1:9/new" {
		t.Errorf("after Reset the callback URL is %q, want the one set since", m.NotifyURL)
	}
	clk.Advance(2 * time.Hour)
	if _, ok := fake.PayComplaint("200"); !ok {
		t.Error("after Reset the complaint of +2h is not filed at +2h")
	}
}

// TestPayScenarioErrors: what is wrong with a scenario's pay section is
// refused naming the file, the line and the column, and what to do.
func TestPayScenarioErrors(t *testing.T) {
	const head = "clock: {start: 2025-03-01T10:00:00Z}\npay:\n"
	for _, tt := range []struct {
		name, body   string
		line, column int
		want         string
	}{
		{"unknown key", "  complaints:\n    - {at: -1h, problem: REFUND}\n", 4, 17, `unknown key "problem"`},
		{"bad mode", "  mode: rsa\n", 3, 9, "public-key"},
		{"bad problem type", "  complaints:\n    - {at: -1h, problem_type: REFUNDS}\n", 4, 31, "REFUND"},
		{"no at", "  complaints:\n    - {complaint_id: \"1\"}\n", 4, 7, `missing key "at"`},
		{"act of no complaint", "  complaints:\n    - {at: -1h, complaint_id: \"1\"}\n  acts:\n    - {at: +1h, complaint_id: \"2\", do: message, text: x}\n", 6, 31, "no complaint of the scenario has complaint id 2"},
		{"message without text", "  complaints:\n    - {at: -1h, complaint_id: \"1\"}\n  acts:\n    - {at: +1h, complaint_id: \"1\", do: message}\n", 6, 7, "message needs text"},
		{"past act refused", "  complaints:\n    - {at: -2h, complaint_id: \"1\"}\n  acts:\n    - {at: -1h, complaint_id: \"1\", do: refund-arrived}\n", 6, 7, "no approved refund"},
		{"too many images", "  complaints:\n    - {at: -1h, images: [" + strings.Repeat("{filename: a.png, data: iVBO}, ", 10) + "]}\n", 4, 25, "want 9"},
		{"other merchant without keys", "  merchants: [{mchid: \"1900000999\"}]\n", 3, 15, "give its serial_no, public_key and apiv3_key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseScenario("pay.yaml", []byte(head+tt.body))
			if err == nil {
				_, err = New(Options{Scenario: sc, Pay: &PayOptions{KeysDir: payKeys(t)}})
			}
			var se *ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *ScenarioError", err)
			}
			if se.File != "pay.yaml" || se.Line != tt.line || se.Column != tt.column || !strings.Contains(se.Msg, tt.want) {
				t.Errorf("got %v (line %d, column %d), want pay.yaml:%d:%d saying %q", err, se.Line, se.Column, tt.line, tt.column, tt.want)
			}
		})
	}
	// A pay section on a fake that does not play Complaints 2.0.
	sc, err := ParseScenario("pay.yaml", []byte(head+"  merchants: [{notify_url: \"https://m.example/cb\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Options{Scenario: sc})
	var se *ScenarioError
	if !errors.As(err, &se) || se.Path != "pay" || se.Line != 3 || !strings.Contains(se.Msg, "does not play Complaints 2.0") {
		t.Errorf("a pay section without Options.Pay: %v", err)
	}
}

// TestPayExampleParses: the Complaints 2.0 example reads as a user's
// file (examples/scenarios runs it).
func TestPayExampleParses(t *testing.T) {
	b, err := os.ReadFile("../examples/scenarios/refund-escalated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScenario("refund-escalated.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Pay == nil || len(sc.Pay.Complaints) != 1 || len(sc.Pay.Acts) != 5 || sc.Pay.Complaints[0].Orders[0].Amount != 2999 {
		t.Fatalf("the example's pay: %+v", sc.Pay)
	}
}

// TestAdvanceWaitsForPayCallbacks: an Advance across a scenario's acts
// moves on only once the callback an act started is answered, as it
// waits for V1.5's pushes: the clock reads the act's time while the
// merchant is answering. It moved on at once: a callback signed at +1h
// reached a merchant verifying on a clock already at +3h, stale, and was
// refused (TestRefundEscalated failed so under -race).
func TestAdvanceWaitsForPayCallbacks(t *testing.T) {
	sc, err := ParseScenario("pay.yaml", []byte(`
clock: {start: 2025-03-01T10:00:00Z}
pay:
  complaints: [{at: -1h, complaint_id: "1"}]
  acts: [{at: +1h, complaint_id: "1", do: message, text: 还在吗}]
`))
	if err != nil {
		t.Fatal(err)
	}
	fake := NewServer(Options{Scenario: sc, Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	clk, _ := fake.Clock()
	inFlight, release := make(chan time.Time, 1), make(chan struct{})
	merchant := newHandlerServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight <- clk.Now()
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	if err := fake.SetPayNotifyURL("", merchant.URL); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		clk.Advance(3 * time.Hour)
		close(done)
	}()
	var seen time.Time
	select {
	case seen = <-inFlight:
	case <-testCtx(t).Done():
		t.Fatal("no callback")
	}
	now := clk.Now() // the merchant has not answered yet
	close(release)
	<-done
	want := time.Date(2025, 3, 1, 11, 0, 0, 0, time.UTC)
	if !seen.Equal(want) || !now.Equal(want) {
		t.Fatalf("while the merchant answered the callback of +1h the clock read %v, then %v: want %v (the Advance waiting)", seen, now, want)
	}
}

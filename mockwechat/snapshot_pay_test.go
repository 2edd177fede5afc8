package mockwechat

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// tinyPNG is a PNG's first bytes, enough for the world's format check.
var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// payWorldForSnapshot is a fake playing Complaints 2.0 on a virtual clock
// (starting now, so that a merchant verifying on real time takes its
// callbacks), its identity in dir, its callbacks going to a verifying
// merchant; it holds a complaint with images, a reply, an approved refund,
// the user's and the platform's acts, a delivered callback and one
// pending on the ladder (a dropped attempt, retried 5 s later on the
// fake's clock).
func payWorldForSnapshot(t *testing.T, dir string) (*Server, *VirtualClock, *payMerchantServer, string) {
	t.Helper()
	clk := NewVirtualClock(time.Now().Truncate(time.Second))
	fake := NewServer(Options{Clock: clk, Seed: 5, Pay: &PayOptions{KeysDir: dir}})
	t.Cleanup(fake.Close)
	merchant := newPayMerchantServer(t, fake)
	ctx := testCtx(t)
	if err := fake.SetPayNotifyURL("", merchant.URL); err != nil {
		t.Fatal(err)
	}
	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{ProblemType: complaints.ProblemRefund, PayerPhone: "13800138000",
		Orders:   []complaints.OrderInfo{{TransactionID: "4200000000000000000000000001", OutTradeNo: "M-1", Amount: 5000}},
		UserTags: []complaints.UserTag{complaints.TagTrusted}, Images: []PayImage{{Filename: "a.png", Data: tinyPNG}},
		NeedImmediateService: true, Extra: complaints.Extra{"drift": []byte(`{"x":[1,2]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Wire.ComplaintID
	client, keys := payClient(t, fake)
	if err := client.Respond(ctx, id, complaints.ResponseRequest{ComplaintedMchID: keys.MchID, ResponseContent: "已处理"}); err != nil {
		t.Fatal(err)
	}
	day := 3
	if err := client.UpdateRefundProgress(ctx, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove, LaunchRefundDay: &day}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		act PayAct
		in  PayActInput
	}{{PayActMessage, PayActInput{Text: "还没收到退款"}}, {PayActApplyPlatform, PayActInput{Reason: "商家未解决", Text: "请平台处理"}}} {
		if _, err := fake.PayAct(ctx, id, a.act, a.in); err != nil {
			t.Fatal(err)
		}
	}
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddFault(Fault{Endpoint: EndpointPayCallback, Drop: true, ActionType: complaints.ActionResponseByPlatform}); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.PayAct(ctx, id, PayActPlatformMessage, PayActInput{Text: "平台已介入"}); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	return fake, clk, merchant, id
}

// pendingPay is the one callback of the snapshot still pending.
func pendingPay(t *testing.T, sc *Scenario) ScenarioPayDelivery {
	t.Helper()
	var out []ScenarioPayDelivery
	for _, d := range sc.Pay.Deliveries {
		if !d.Delivered && !d.Failed {
			out = append(out, d)
		}
	}
	if len(out) != 1 || out[0].Next.IsZero() {
		t.Fatalf("pending callbacks %+v: want the dropped one, its retry scheduled", out)
	}
	return out[0]
}

// TestPaySnapshotRoundTrip: a snapshot of Complaints 2.0 (YAML and JSON),
// restored in another fake on the same keys directory, snapshots to the
// same bytes; the callback pending in it resumes on the restored fake's
// clock and reaches the merchant under its notification id; writing into
// a snapshot changes nothing in the fake; no private key is in it.
func TestPaySnapshotRoundTrip(t *testing.T) {
	dir := payKeys(t)
	fake, _, merchant, id := payWorldForSnapshot(t, dir)
	ctx := testCtx(t)
	snap := fake.Snapshot()
	pending := pendingPay(t, snap)
	if len(snap.Pay.Complaints) != 1 || len(snap.Pay.Complaints[0].History) != 6 || snap.Pay.Complaints[0].Refund == nil ||
		len(snap.Pay.Images) != 1 || snap.Pay.Merchants[0].NotifyURL != merchant.URL || snap.Pay.IDs == "" {
		t.Fatalf("the snapshot's pay: %+v", snap.Pay)
	}
	for _, format := range []string{"yaml", "json"} {
		t.Run(format, func(t *testing.T) {
			b1, err := MarshalScenario(snap, format)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b1, []byte("PRIVATE KEY")) {
				t.Fatal("the snapshot holds a private key")
			}
			sc, err := ParseScenario("state."+format, b1)
			if err != nil {
				t.Fatalf("the snapshot does not parse: %v", err)
			}
			clk2 := NewVirtualClock(snap.Clock.Start)
			other := NewServer(Options{Clock: clk2, Pay: &PayOptions{KeysDir: dir}})
			defer other.Close()
			if err := other.Restore(ctx, sc); err != nil {
				t.Fatal(err)
			}
			b2, err := MarshalScenario(other.Snapshot(), format)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b1, b2) {
				t.Fatalf("the restored fake's snapshot differs:\n%s", firstDiff(b1, b2))
			}
			// The pending callback resumes at its next attempt, on this fake's clock.
			before, _ := merchant.counts()
			clk2.Advance(pending.Next.Sub(clk2.Now()))
			if err := other.WaitPayIdle(ctx); err != nil {
				t.Fatal(err)
			}
			if after, _ := merchant.counts(); after != before+1 {
				t.Fatalf("after the pending callback's next attempt the merchant opened %d callbacks, want %d", after, before+1)
			}
			merchant.mu.Lock()
			last := merchant.opened[len(merchant.opened)-1]
			merchant.mu.Unlock()
			if last["complaint_id"] != id || last["action_type"] != string(complaints.ActionResponseByPlatform) {
				t.Errorf("the resumed callback opened %v: want RESPONSE_BY_PLATFORM of %s", last, id)
			}
			var resumed ScenarioPayDelivery
			for _, d := range other.Snapshot().Pay.Deliveries {
				if d.ID == pending.ID {
					resumed = d
				}
			}
			if !resumed.Delivered || len(resumed.Attempts) != len(pending.Attempts)+1 {
				t.Errorf("the resumed delivery %s: delivered %v with %d attempts, want delivered on attempt %d", pending.ID, resumed.Delivered, len(resumed.Attempts), len(pending.Attempts)+1)
			}
		})
	}

	// A snapshot is the caller's: writing into it changes nothing.
	want, _ := MarshalScenario(fake.Snapshot(), "yaml")
	s := fake.Snapshot()
	c := &s.Pay.Complaints[0]
	c.History[0].OperateDetails = "changed"
	c.Complaint.ComplaintOrderInfo[0].Amount = 1
	c.Complaint.Extra["drift"][0] = 'X'
	*c.Refund.LaunchRefundDay = 99
	c.Idempotent = map[string]string{"x": "y"}
	s.Pay.Images[0].Data[0] = 'X'
	s.Pay.Deliveries[0].Attempts[0].Headers["Wechatpay-Serial"] = "changed"
	s.Pay.Merchants[0].NotifyURL = "changed"
	if got, _ := MarshalScenario(fake.Snapshot(), "yaml"); !bytes.Equal(got, want) {
		t.Fatalf("writing into a snapshot changed the fake:\n%s", firstDiff(want, got))
	}
}

// firstDiff shows where two files part.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + la[i] + "\n+ " + lb[i]
		}
	}
	return "one is longer: " + strconv.Itoa(len(la)) + " and " + strconv.Itoa(len(lb)) + " lines"
}

// TestPaySnapshotWithoutSecrets: SnapshotWithoutSecrets leaves out the
// merchants' APIv3 keys (and every private key, as any snapshot); it
// restores into a fake of the same identity, whose own merchant takes the
// identity's APIv3 key; a merchant that is not the fake's own needs its
// key given back, and the error says where.
func TestPaySnapshotWithoutSecrets(t *testing.T) {
	dir := payKeys(t)
	fake, _, _, _ := payWorldForSnapshot(t, dir)
	m, _ := fake.PayMerchant()
	omit := fake.SnapshotWithoutSecrets()
	b, err := MarshalScenario(omit, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(m.APIv3Key)) || bytes.Contains(b, []byte("PRIVATE KEY")) || bytes.Contains(b, []byte("apiv3_key")) {
		t.Fatalf("the snapshot without secrets holds the APIv3 key or a private key:\n%s", b)
	}
	omit.Accounts = fake.Snapshot().Accounts // V1.5's secrets given back, as TestSnapshotWithoutSecrets does
	b, _ = MarshalScenario(omit, "yaml")
	sc, err := ParseScenario("omit.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	other := NewServer(Options{Clock: NewVirtualClock(sc.Clock.Start), Pay: &PayOptions{KeysDir: dir}})
	defer other.Close()
	if err := other.Restore(testCtx(t), sc); err != nil {
		t.Fatal(err)
	}
	if got, _ := other.PayMerchant(); got.APIv3Key != m.APIv3Key || len(other.PayComplaints()) != 1 {
		t.Errorf("restored without secrets: merchant %+v, %d complaints; want the identity's APIv3 key and the complaint", got, len(other.PayComplaints()))
	}

	// Another merchant's key must be given back.
	sc.Pay.Merchants = append(sc.Pay.Merchants, ScenarioPayMerchant{MchID: "1900000999", SerialNo: "5157F09EFDC096DE15EBE81A47057A72",
		PublicKey: sc.Pay.Merchants[0].PublicKey})
	b, _ = MarshalScenario(sc, "yaml")
	sc, err = ParseScenario("omit.yaml", b)
	if err == nil {
		err = other.Restore(testCtx(t), sc)
	}
	var se *ScenarioError
	if !errors.As(err, &se) || se.Path != "pay.merchants[1].apiv3_key" || se.Line == 0 || !strings.Contains(se.Msg, "without secrets") {
		t.Fatalf("restoring another merchant without its APIv3 key: %v, want an error at pay.merchants[1].apiv3_key saying the snapshot was taken without secrets", err)
	}
}

package mockwechat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
)

// probesOf returns the probes the fake sent to mchid, oldest first.
func probesOf(t *testing.T, fake *Server, mchid string) []paypush.Delivery {
	t.Helper()
	return fake.pay.callbacks.DeliveriesOf(func(d *paypush.Delivery) bool { return d.Probe && d.MchID == mchid })
}

// TestPayProbeSchedule: with ProbeEvery, advancing the virtual clock N
// intervals sends N probes to each merchant with a callback URL (none to
// a merchant without one); a verifying merchant refuses each, judged
// right; a merchant that acknowledges them is judged wrong, each probe
// delivered; the interval survives Reset and is changed at run time, 0
// stopping the probes.
func TestPayProbeSchedule(t *testing.T) {
	const every = 6 * time.Hour
	clk := NewVirtualClock(time.Now().Truncate(time.Second))
	fake := NewServer(Options{Clock: clk, Pay: &PayOptions{KeysDir: payKeys(t), ProbeEvery: every}})
	defer fake.Close()
	ctx := context.Background()
	pm, _ := fake.PayMerchant()
	if pm.ProbeEvery != every {
		t.Fatalf("PayMerchant().ProbeEvery = %s, want %s", pm.ProbeEvery, every)
	}

	clk.Advance(2 * every) // no callback URL yet: nothing to probe
	if n := len(probesOf(t, fake, pm.MchID)); n != 0 {
		t.Fatalf("%d probes to a merchant without a callback URL, want 0", n)
	}

	merchant := newPayMerchantServer(t, fake)
	if err := fake.SetPayNotifyURL("", merchant.URL); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3*every + time.Minute) // three instants of the schedule
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	probes := probesOf(t, fake, pm.MchID)
	if len(probes) != 3 {
		t.Fatalf("%d probes after 3 intervals, want 3", len(probes))
	}
	if _, refused := merchant.counts(); refused != 3 {
		t.Errorf("the verifying merchant refused %d probes, want 3", refused)
	}
	for i, p := range probes {
		if !p.Failed || p.Delivered || len(p.Attempts) != 1 || p.Attempts[0].Verdict != paypush.VerdictRefused {
			t.Errorf("probe %d: delivered %v failed %v attempts %+v, want one attempt refused (right)", i, p.Delivered, p.Failed, p.Attempts)
		}
		if i > 0 && p.Queued.Sub(probes[i-1].Queued) != every {
			t.Errorf("probe %d queued %s after the one before, want %s", i, p.Queued.Sub(probes[i-1].Queued), every)
		}
	}

	// a merchant that acknowledges anything: every probe delivered, wrong
	acking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer acking.Close()
	if err := fake.SetPayNotifyURL("", acking.URL); err != nil {
		t.Fatal(err)
	}
	sub := fake.Subscribe(256)
	defer sub.Close()
	clk.Advance(2 * every)
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	probes = probesOf(t, fake, pm.MchID)
	if len(probes) != 5 {
		t.Fatalf("%d probes after 5 intervals, want 5", len(probes))
	}
	for _, p := range probes[3:] {
		if !p.Delivered || p.Attempts[0].Verdict != paypush.VerdictAcknowledged {
			t.Errorf("a probe to the acknowledging merchant: delivered %v, attempts %+v: want acknowledged (wrong)", p.Delivered, p.Attempts)
		}
	}
	wrong := 0
	for len(sub.Events()) > 0 {
		e := <-sub.Events()
		if e.Kind == EventPayCallback && e.PayCallback.Delivery.Probe && e.PayCallback.Attempt != nil && e.PayCallback.Attempt.Wrong &&
			strings.Contains(e.String(), "acknowledged") {
			wrong++
		}
	}
	if wrong != 2 {
		t.Errorf("%d events of a probe acknowledged, wrongly, want 2 (the live log's warnings)", wrong)
	}

	// Reset keeps the interval, the next probe one interval after it
	if err := fake.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(probesOf(t, fake, pm.MchID))
	clk.Advance(every)
	fake.WaitPayIdle(ctx)
	if got := len(probesOf(t, fake, pm.MchID)); got != before+1 {
		t.Errorf("after Reset and one interval: %d probes, want %d", got, before+1)
	}

	// changed at run time: 0 stops them; under the minimum is refused
	if err := fake.SetPayProbeEvery(0); err != nil {
		t.Fatal(err)
	}
	before = len(probesOf(t, fake, pm.MchID))
	clk.Advance(3 * every)
	fake.WaitPayIdle(ctx)
	if got := len(probesOf(t, fake, pm.MchID)); got != before {
		t.Errorf("probes off: %d probes sent after", got-before)
	}
	if err := fake.SetPayProbeEvery(time.Second); err == nil {
		t.Error("SetPayProbeEvery(1s): no error, want one naming the minimum")
	}

	// a snapshot carries it, restored into a fake without probes
	if err := fake.SetPayProbeEvery(every); err != nil {
		t.Fatal(err)
	}
	sc := fake.Snapshot()
	if sc.Pay == nil || sc.Pay.ProbeEvery != every {
		t.Fatalf("the snapshot's pay: %+v, want probe_every %s", sc.Pay, every)
	}
	other := NewServer(Options{Clock: NewVirtualClock(clk.Now()), Pay: &PayOptions{}})
	defer other.Close()
	if err := other.Restore(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if m, _ := other.PayMerchant(); m.ProbeEvery != every {
		t.Errorf("restored: ProbeEvery %s, want %s", m.ProbeEvery, every)
	}
}

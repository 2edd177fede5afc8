package paypush

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
)

// bubbleRig is an engine in a synctest bubble: its POSTs served in memory
// by h, the bubble's clock its real time and a virtual clock its fake one.
func bubbleRig(t *testing.T, h http.HandlerFunc, edit func(*Options)) *rig {
	return newRig(t, t0, func(o *Options) {
		o.Transport = handlerTransport{h}
		if edit != nil {
			edit(o)
		}
	})
}

// TestDelayIsRealTime: a delayed attempt reaches the merchant that much
// real time later (the bubble's clock), and its order with it.
func TestDelayIsRealTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var arrivals []time.Time
		r := bubbleRig(t, func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			w.WriteHeader(204)
		}, func(o *Options) { o.Concurrency = 1 })
		r.host.setURL("http://merchant.test/notify")
		r.host.fault(Plan{Delay: 3 * time.Second})
		start := time.Now()
		first := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
		r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
		r.e.WaitIdle()
		if len(arrivals) != 2 || arrivals[0].Sub(start) != 3*time.Second || arrivals[1].Sub(start) != 3*time.Second {
			t.Fatalf("arrivals %v after the start", arrivals)
		}
		if d := r.delivery(t, first); !d.Delivered || d.Attempts[0].Fault != "delay 3s" {
			t.Errorf("%+v", d)
		}
	})
}

// TestTooSlow: a merchant that does not answer within the timeout (5 s,
// the bubble's clock) is judged too slow, and the callback retried.
func TestTooSlow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var slow atomic.Bool
		slow.Store(true)
		r := bubbleRig(t, func(w http.ResponseWriter, req *http.Request) {
			if slow.Load() {
				<-req.Context().Done()
				return
			}
			w.WriteHeader(200)
		}, func(o *Options) { o.Timeout = 0 }) // the default: 5 s
		r.host.setURL("http://merchant.test/notify")
		id := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
		r.e.WaitIdle()
		d := r.delivery(t, id)
		a := d.Attempts[0]
		if a.Verdict != VerdictTooSlow || a.Latency != 5*time.Second || !strings.Contains(a.Err, "no answer within 5s") || a.Status != 0 || d.Delivered {
			t.Fatalf("%+v", a)
		}
		slow.Store(false)
		r.clk.Advance(5 * time.Second)
		if d := r.delivery(t, id); !d.Delivered || d.Attempts[1].Verdict != VerdictAcknowledged {
			t.Fatalf("%+v", d)
		}
	})
}

// TestStopLeavesNothingRunning: Stop abandons the attempts in flight (not
// recorded), returns once the engine's goroutines are gone (the bubble
// ends only when every goroutine it started has), and keeps what was not
// delivered pending; after it nothing is attempted, and the retries on
// the clock do nothing.
func TestStopLeavesNothingRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{}, 16)
		r := bubbleRig(t, func(w http.ResponseWriter, req *http.Request) {
			started <- struct{}{}
			<-req.Context().Done() // never answers
		}, func(o *Options) { o.Concurrency = 2 })
		r.host.setURL("http://merchant.test/notify")
		r.host.fault(Plan{Duplicate: true})
		var ids []string
		for i := range 6 {
			ids = append(ids, r.e.Send(cb("20020250301000000000000000"+string(rune('0'+i)), complaints.ActionUserResponse)))
		}
		synctest.Wait() // the attempts are in flight
		if len(started) == 0 {
			t.Fatal("nothing in flight")
		}
		r.e.Stop()
		if !r.e.Idle() || r.e.Pending() != 6 {
			t.Errorf("after Stop: idle %v, %d pending", r.e.Idle(), r.e.Pending())
		}
		for _, id := range ids {
			if d := r.delivery(t, id); len(d.Attempts) != 0 || d.Done() {
				t.Errorf("an abandoned attempt was recorded: %+v", d)
			}
		}
		late := r.e.Send(cb("200202503010000000000000009", complaints.ActionUserResponse))
		r.clk.Advance(time.Hour)
		if d := r.delivery(t, late); len(d.Attempts) != 0 || len(started) > 6 {
			t.Errorf("attempted after Stop: %+v", d)
		}
		r.e.Stop() // twice is fine
	})
}

// TestReset: Reset forgets every delivery and abandons what was in
// flight or scheduled; ids go on, never given twice.
func TestReset(t *testing.T) {
	rcv := newReceiver(t, status(500))
	r := newRig(t, t0, nil)
	r.host.setURL(rcv.URL)
	old := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
	r.e.WaitIdle()
	r.e.Reset()
	if len(r.e.Deliveries()) != 0 || r.e.Pending() != 0 {
		t.Fatalf("after Reset: %d deliveries, %d pending", len(r.e.Deliveries()), r.e.Pending())
	}
	if _, err := r.e.Resend(old); err == nil {
		t.Errorf("Resend of a forgotten id succeeded")
	}
	r.clk.Advance(time.Hour)
	if n := len(rcv.requests()); n != 1 {
		t.Errorf("%d requests: a forgotten retry was sent", n)
	}
	if id := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse)); id == old {
		t.Errorf("an id given twice")
	}
	r.e.WaitIdle()
	if n := len(rcv.requests()); n != 2 {
		t.Errorf("%d requests, want 2: the engine goes on after Reset", n)
	}
}

// TestSnapshotRestore: a snapshot, through JSON, restores into a new
// engine of the same seed: the same deliveries, a pending one attempted
// at its Next, a held one's hold ended, and new ids going on after the
// restored ones. Snapshots are deep copies.
func TestSnapshotRestore(t *testing.T) {
	fail := newReceiver(t, status(500))
	ok := newReceiver(t, nil)
	r := newRig(t, t0, nil)
	r.host.setURL(ok.URL)
	delivered := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle() // before the fault is set
	r.host.fault(Plan{Duplicate: true})
	r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
	probe := r.e.Probe(paykeys.DefaultMchID)
	r.e.WaitIdle()
	r.host.setURL(fail.URL)
	pending := r.e.Send(cb("200202503010000000000000002", complaints.ActionUserResponse))
	r.e.WaitIdle()
	r.clk.Advance(5 * time.Second) // the second attempt; the third due in a minute
	snap := r.e.Snapshot()
	if len(snap) != 4 {
		t.Fatalf("%d deliveries", len(snap))
	}
	snap[0].Attempts[0].Headers["Wechatpay-Serial"] = "changed"
	snap[0].Attempts = append(snap[0].Attempts[:0], Attempt{})
	if d := r.delivery(t, delivered); len(d.Attempts) != 1 || d.Attempts[0].Headers["Wechatpay-Serial"] == "changed" {
		t.Fatalf("the snapshot shares the engine's memory")
	}
	snap = r.e.Snapshot()
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var back []Delivery
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}

	r2 := newRig(t, r.clk.Now(), nil)
	r2.host.setURL(ok.URL)
	if err := r2.e.Restore(back); err != nil {
		t.Fatal(err)
	}
	r2.e.WaitIdle()
	if diff := cmp.Diff(snap, r2.e.Snapshot()); diff != "" {
		t.Fatalf("restored (-saved +restored):\n%s", diff)
	}
	if r2.e.Pending() != 1 || r2.delivery(t, probe).Attempts[0].Verdict != VerdictAcknowledged {
		t.Errorf("%d pending", r2.e.Pending())
	}
	r2.clk.Advance(time.Minute - time.Nanosecond)
	if d := r2.delivery(t, pending); len(d.Attempts) != 2 {
		t.Fatalf("attempted before its Next: %+v", d)
	}
	r2.clk.Advance(time.Nanosecond)
	d := r2.delivery(t, pending)
	if !d.Delivered || len(d.Attempts) != 3 || !d.Attempts[2].Time.Equal(t0.Add(time.Minute+5*time.Second)) {
		t.Fatalf("%+v", d)
	}
	var rep Report
	r2.mu.Lock()
	for _, x := range r2.reports {
		if x.Phase == PhaseAttempt && x.Delivery.ID == pending {
			rep = x
		}
	}
	r2.mu.Unlock()
	if rep.Delivery.N != 3 {
		t.Errorf("the ladder restarted: attempt %d, want 3", rep.Delivery.N)
	}
	// New ids go on after the restored ones, as the first engine's would.
	if a, b := r.e.Send(cb("200202503010000000000000003", complaints.ActionUserResponse)), r2.e.Send(cb("200202503010000000000000003", complaints.ActionUserResponse)); a != b {
		t.Errorf("after Restore: id %s, the first engine %s", b, a)
	}

	for _, tc := range []struct {
		name string
		ds   []Delivery
		want string
	}{
		{"no id", []Delivery{{MchID: "1"}}, "has no id"},
		{"twice", []Delivery{snap[0], snap[0]}, "repeats the id"},
		{"no complaint", []Delivery{{ID: "x", MchID: "1"}}, "has no complaint_id"},
	} {
		if err := r2.e.Restore(tc.ds); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if len(r2.e.Deliveries()) != 5 {
		t.Errorf("a refused Restore changed the engine")
	}
}

// TestLogBounds: the finished deliveries kept are bounded by LogSize and
// LogBytes, the oldest forgotten; a body and an answer are clipped.
func TestLogBounds(t *testing.T) {
	long := strings.Repeat("失败", 2000)
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) { w.Write([]byte(long)) })
	r := newRig(t, t0, func(o *Options) { o.LogSize = 3 })
	r.host.setURL(rcv.URL)
	var ids []string
	for i := range 10 {
		ids = append(ids, r.e.Send(cb("20020250301000000000000000"+string(rune('0'+i)), complaints.ActionUserResponse)))
		r.e.WaitIdle()
	}
	ds := r.e.Deliveries()
	if len(ds) != 3 || ds[0].ID != ids[7] || ds[2].ID != ids[9] {
		t.Fatalf("%d kept", len(ds))
	}
	if _, ok := r.e.Delivery(ids[0]); ok {
		t.Errorf("the oldest is still kept")
	}
	if resp := ds[0].Attempts[0].Response; len(resp) > maxResponse+len("…") || !strings.HasSuffix(resp, "…") {
		t.Errorf("answer kept: %d bytes", len(resp))
	}

	r2 := newRig(t, t0, func(o *Options) { o.LogBytes = 8 << 10 })
	r2.host.setURL(rcv.URL)
	for i := range 20 {
		r2.e.Send(cb("20020250301000000000000000"+string(rune('a'+i)), complaints.ActionUserResponse))
		r2.e.WaitIdle()
	}
	var total int64
	ds = r2.e.Deliveries()
	for _, d := range ds {
		dd := delivery{Delivery: d}
		total += dd.size()
	}
	if len(ds) == 0 || len(ds) >= 20 || total > 8<<10 {
		t.Errorf("%d kept, %d bytes", len(ds), total)
	}
}

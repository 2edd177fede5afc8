package push

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
)

// fixedHost pushes every account's notifications to one URL.
type fixedHost struct{ url string }

func (h fixedHost) Target(string) (string, string)                 { return h.url, "key" }
func (h fixedHost) TimeStamp(string, string) int64                 { return 1700000000 }
func (h fixedHost) Fault(string, payfeedback.MsgType) (Plan, bool) { return Plan{}, false }

// TestReset: Reset forgets the delivery log, cancels the attempt in flight
// without recording it, and leaves the retries scheduled before it with
// nothing to do; deliveries sent after it are attempted, numbered on.
func TestReset(t *testing.T) {
	var hits atomic.Int32
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch hits.Add(1) {
		case 1: // fails: a retry is scheduled
			w.WriteHeader(http.StatusInternalServerError)
		case 2: // hangs until released or cancelled
			arrived <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer rc.Close()
	defer close(release)
	clk := clock.NewVirtual(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	sched := clk.Scheduler()
	e := New(Options{Host: fixedHost{rc.URL}, Sched: sched, Retry: []time.Duration{time.Minute}, Timeout: time.Minute, Concurrency: 2,
		LogSize: 10, LogBytes: 1 << 20})
	n := payfeedback.Notification{AppID: "wx1", OpenID: "o1", FeedBackID: "1", MsgType: payfeedback.MsgRequest}
	e.Send(n)
	e.WaitIdle()
	if d := e.Deliveries(); len(d) != 1 || d[0].NextAttempt.IsZero() {
		t.Fatalf("before Reset: %+v, want one delivery awaiting its retry", d)
	}
	n.FeedBackID = "2"
	e.Send(n)
	<-arrived // the second delivery's attempt is in flight
	e.Reset()
	done := make(chan struct{})
	go func() { e.WaitIdle(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("WaitIdle after Reset waits for the attempt in flight: it was not cancelled")
	}
	if d := e.Deliveries(); len(d) != 0 || e.Pending() != 0 {
		t.Fatalf("after Reset: %d deliveries, %d pending", len(d), e.Pending())
	}
	clk.Advance(time.Hour) // the retry scheduled before Reset
	e.WaitIdle()
	if h := hits.Load(); h != 2 {
		t.Fatalf("%d attempts reached the receiver: a forgotten retry was attempted", h)
	}
	n.FeedBackID = "3"
	e.Send(n)
	e.WaitIdle()
	d := e.Deliveries()
	if len(d) != 1 || d[0].ID != 3 || len(d[0].Attempts) != 1 || hits.Load() != 3 {
		t.Fatalf("after Reset, a new delivery: %+v (hits %d), want ID 3 attempted once", d, hits.Load())
	}
	e.Stop()
	e.Close()
}

// TestStop: after Stop, Send refuses and a retry that comes due stays
// pending, while the attempts already queued or being made go on.
func TestStop(t *testing.T) {
	var hits atomic.Int32
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch hits.Add(1) {
		case 1: // fails: a retry is scheduled a minute on
			w.WriteHeader(http.StatusInternalServerError)
		case 2: // hangs until released: the next one of its shard waits behind it
			arrived <- struct{}{}
			<-release
			io.WriteString(w, "success")
		default:
			io.WriteString(w, "success")
		}
	}))
	defer rc.Close()
	clk := clock.NewVirtual(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	e := New(Options{Host: fixedHost{rc.URL}, Sched: clk.Scheduler(), Retry: []time.Duration{time.Minute}, Timeout: time.Minute,
		Concurrency: 1, LogSize: 10, LogBytes: 1 << 20})
	defer e.Close()
	n := payfeedback.Notification{AppID: "wx1", OpenID: "o1", FeedBackID: "1", MsgType: payfeedback.MsgRequest}
	e.Send(n)
	e.WaitIdle() // delivery 1 failed, its retry a minute on
	n.FeedBackID = "2"
	e.Send(n)
	<-arrived // delivery 2 is being attempted
	n.FeedBackID = "3"
	e.Send(n) // queued behind it (one shard)
	e.Stop()
	n.FeedBackID = "4"
	if e.Send(n) {
		t.Error("Send after Stop queued a delivery")
	}
	close(release)
	e.WaitIdle()
	clk.Advance(time.Hour) // delivery 1's retry comes due
	e.WaitIdle()
	if h := hits.Load(); h != 3 {
		t.Errorf("%d attempts reached the receiver, want 3 (1, 2 being made, 3 queued before Stop)", h)
	}
	if p := e.Pending(); p != 1 {
		t.Errorf("%d deliveries pending, want 1 (the one whose retry came due after Stop)", p)
	}
}

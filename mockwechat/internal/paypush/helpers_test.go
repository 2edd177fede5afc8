package paypush

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// identity is the fake's keys, made once for the test binary (RSA key
// generation takes a while on a loaded machine). It does not change once
// made.
var identity = sync.OnceValues(func() (*paykeys.Identity, error) {
	return paykeys.Open(paykeys.Options{Now: func() time.Time { return t0 }})
})

func testIdentity(t testing.TB) *paykeys.Identity {
	t.Helper()
	id, err := identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func signing(t testing.TB, m paykeys.Mode, began time.Time) *paykeys.Signing {
	t.Helper()
	s, err := paykeys.NewSigning(paykeys.SigningOptions{Identity: testIdentity(t), Mode: m, SwitchBegan: began, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// host is a Host for tests: one callback URL for every merchant, and a
// queue of fault plans taken one per attempt.
type host struct {
	mu     sync.Mutex
	url    string
	key    string
	plans  []Plan
	faults []complaints.ActionType // the action types Fault was asked about
}

func (h *host) Target(string) (string, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.url, h.key
}

func (h *host) Fault(_ string, a complaints.ActionType) (Plan, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, a)
	if len(h.plans) == 0 {
		return Plan{}, false
	}
	p := h.plans[0]
	h.plans = h.plans[1:]
	return p, true
}

func (h *host) setURL(u string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.url = u
}

func (h *host) fault(ps ...Plan) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plans = append(h.plans, ps...)
}

// received is one request a receiver saw.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a merchant's callback URL on loopback: it records every
// request and answers with answer (nil: 204).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(w http.ResponseWriter, r *http.Request, body []byte)
}

func newReceiver(t testing.TB, answer func(w http.ResponseWriter, r *http.Request, body []byte)) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body})
		rc.mu.Unlock()
		if rc.answer == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		rc.answer(w, r, body)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// status answers with the statuses given, one per request, the last one
// repeated.
func status(codes ...int) func(w http.ResponseWriter, r *http.Request, body []byte) {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		mu.Lock()
		c := codes[0]
		if len(codes) > 1 {
			codes = codes[1:]
		}
		mu.Unlock()
		w.WriteHeader(c)
		if c >= 400 {
			io.WriteString(w, `{"code":"FAIL","message":"失败"}`)
		}
	}
}

// rig is an engine on a virtual clock, its host and its reports.
type rig struct {
	e       *Engine
	clk     *clock.Virtual
	host    *host
	mu      sync.Mutex
	reports []Report
}

// newRig returns an engine on a virtual clock at start whose attempts
// the clock waits for, its Now the clock's (or now, if given), with the
// options edit makes. The engine is stopped when the test ends.
func newRig(t testing.TB, start time.Time, edit func(*Options)) *rig {
	t.Helper()
	r := &rig{clk: clock.NewVirtual(start), host: &host{key: testIdentity(t).Merchant().APIv3Key}}
	o := Options{Host: r.host, Sched: r.clk.Scheduler(), Signing: signing(t, paykeys.ModePublicKey, time.Time{}),
		Now: r.clk.Now, Seed: 1, Concurrency: 4, Timeout: 5 * time.Second,
		Observe: func(rep Report) { r.mu.Lock(); r.reports = append(r.reports, rep); r.mu.Unlock() }}
	if edit != nil {
		edit(&o)
	}
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	r.e = e
	detach := r.clk.Attach(clock.Hooks{Settle: e.WaitIdle})
	t.Cleanup(func() { detach(); e.Stop() })
	return r
}

func (r *rig) phases(id string) []Phase {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Phase
	for _, rep := range r.reports {
		if rep.Delivery.ID == id {
			out = append(out, rep.Phase)
		}
	}
	return out
}

func (r *rig) delivery(t testing.TB, id string) Delivery {
	t.Helper()
	d, ok := r.e.Delivery(id)
	if !ok {
		t.Fatalf("no delivery %s", id)
	}
	return d
}

func cb(complaintID string, a complaints.ActionType) payworld.Callback {
	ev := complaints.EventStateChange
	if a == complaints.ActionCreateComplaint {
		ev = complaints.EventCreate
	}
	return payworld.Callback{MchID: paykeys.DefaultMchID, ComplaintID: complaintID, EventType: ev, ActionType: a}
}

// handlerTransport serves requests with a handler in memory, on the
// request's goroutine tree: for synctest bubbles, where loopback sockets
// would keep the bubble from ever being idle. The request's context ends
// the round trip, as a network's would.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	done := make(chan *http.Response, 1)
	go func() {
		rec := httptest.NewRecorder()
		t.h.ServeHTTP(rec, req)
		done <- rec.Result()
	}()
	select {
	case resp := <-done:
		return resp, nil
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
}

package paypush

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
)

// open decrypts a received callback's resource with the test merchant's
// APIv3 key.
func open(t *testing.T, body []byte) (*apiv3.Notification, complaints.Event) {
	t.Helper()
	n, err := apiv3.ParseNotification(body)
	if err != nil {
		t.Fatal(err)
	}
	a, err := apiv3.NewAEAD(testIdentity(t).Merchant().APIv3Key)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := a.OpenResource(&n.Resource)
	if err != nil {
		t.Fatalf("resource of %s: %v", body, err)
	}
	ev, err := complaints.ParseEvent(plain)
	if err != nil {
		t.Fatal(err)
	}
	return n, ev
}

func TestNewRefusesMissingOptions(t *testing.T) {
	good := func() Options {
		return Options{Host: &host{}, Sched: clock.NewVirtual(t0).Scheduler(), Signing: signing(t, paykeys.ModePublicKey, time.Time{}), Now: time.Now}
	}
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"host", func(o *Options) { o.Host = nil }, "Options.Host is nil"},
		{"sched", func(o *Options) { o.Sched = nil }, "Options.Sched is nil"},
		{"signing", func(o *Options) { o.Signing = nil }, "Options.Signing is nil"},
		{"now", func(o *Options) { o.Now = nil }, "Options.Now is nil"},
		{"negative", func(o *Options) { o.Timeout = -1 }, "must not be negative"},
	} {
		o := good()
		tc.edit(&o)
		if _, err := New(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := New(good()); err != nil {
		t.Errorf("the good options: %v", err)
	}
}

func TestLadder(t *testing.T) {
	l := Ladder()
	if len(l) != 1000 {
		t.Fatalf("%d retries, want 1000", len(l))
	}
	var total time.Duration
	for i, d := range l {
		want := 5 * time.Minute
		switch {
		case i == 0:
			want = 5 * time.Second
		case i <= 10:
			want = time.Minute
		}
		if d != want {
			t.Errorf("retry %d after %v, want %v", i+1, d, want)
		}
		total += d
	}
	if total > 7*24*time.Hour {
		t.Errorf("the ladder lasts %v, more than WeChat's week", total)
	}
}

// TestRetryLadderOnTheFakeClock: a merchant that always answers 500 gets
// the callback at 0, 5 s, then a minute apart ten times, then every 5
// minutes, on the fake's clock, not a moment earlier; after the 1000th
// retry the delivery fails, reported, and nothing more is scheduled.
func TestRetryLadderOnTheFakeClock(t *testing.T) {
	rcv := newReceiver(t, status(500))
	r := newRig(t, t0, nil)
	r.host.setURL(rcv.URL)
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	offsets := []time.Duration{0, 5 * time.Second}
	for i := 1; i <= 10; i++ {
		offsets = append(offsets, 5*time.Second+time.Duration(i)*time.Minute)
	}
	offsets = append(offsets, offsets[len(offsets)-1]+5*time.Minute, offsets[len(offsets)-1]+10*time.Minute)
	for i, off := range offsets {
		r.clk.AdvanceTo(t0.Add(off - time.Nanosecond))
		if n := len(r.delivery(t, id).Attempts); i > 0 && n != i {
			t.Fatalf("at %v: %d attempts, want %d", off-time.Nanosecond, n, i)
		}
		r.clk.AdvanceTo(t0.Add(off))
		d := r.delivery(t, id)
		if len(d.Attempts) != i+1 || !d.Attempts[i].Time.Equal(t0.Add(off)) || d.Attempts[i].Verdict != VerdictRefused || d.Attempts[i].Status != 500 {
			t.Fatalf("at %v: attempts %+v", off, d.Attempts)
		}
		if ts := rcv.requests()[i].header.Get(apiv3.HeaderTimestamp); ts != strconv.FormatInt(t0.Add(off).Unix(), 10) {
			t.Errorf("attempt %d stamped %s, want the fake's %v", i+1, ts, t0.Add(off))
		}
	}
	// The rest of the ladder: 1001 attempts in all, then failed.
	r.clk.Advance(90 * time.Hour)
	d := r.delivery(t, id)
	if len(d.Attempts) != 1001 || !d.Failed || d.Delivered || !d.Next.IsZero() || r.e.Pending() != 0 {
		t.Fatalf("after the ladder: %d attempts, failed %v, next %v, pending %d", len(d.Attempts), d.Failed, d.Next, r.e.Pending())
	}
	if ph := r.phases(id); ph[len(ph)-1] != PhaseFailed {
		t.Errorf("last report %s, want failed", ph[len(ph)-1])
	}
	r.mu.Lock()
	last := r.reports[len(r.reports)-2]
	r.mu.Unlock()
	if last.Phase != PhaseAttempt || last.Delivery.N != 1001 || last.Delivery.Of != 1001 {
		t.Errorf("the last attempt reported as %+v", last)
	}
	if n := len(rcv.requests()); n != 1001 {
		t.Errorf("the merchant got %d requests, want 1001", n)
	}
}

// TestNoCallbackURL: while the merchant has no callback URL, each attempt
// fails saying so and the ladder goes on; once it has one, the retry is
// delivered.
func TestNoCallbackURL(t *testing.T) {
	rcv := newReceiver(t, nil)
	r := newRig(t, t0, nil)
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	d := r.delivery(t, id)
	if len(d.Attempts) != 1 || d.Attempts[0].Verdict != VerdictNoAnswer || !strings.Contains(d.Attempts[0].Err, "no callback URL") || d.Next != t0.Add(5*time.Second) {
		t.Fatalf("%+v", d)
	}
	r.host.setURL(rcv.URL)
	r.clk.Advance(5 * time.Second)
	if d := r.delivery(t, id); !d.Delivered || d.Attempts[1].Status != 204 || d.Attempts[1].URL != rcv.URL {
		t.Fatalf("%+v", d)
	}
}

// TestTargetRefused: a callback URL outside loopback is refused before
// any packet, the attempt saying what to allow.
func TestTargetRefused(t *testing.T) {
	r := newRig(t, t0, nil)
	r.host.setURL("http://10.255.255.1:9/notify")
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	d := r.delivery(t, id)
	if a := d.Attempts[0]; a.Verdict != VerdictNoAnswer || !strings.Contains(a.Err, "neither loopback nor an allowed target") || !strings.Contains(a.Err, "--allow-notify 10.255.255.1/32") {
		t.Errorf("%+v", a)
	}
}

// TestEnvelope: the envelope and headers as docs/complaints-v3.md gives
// them, signed at the fake's time by the mode's key.
func TestEnvelope(t *testing.T) {
	rcv := newReceiver(t, nil)
	r := newRig(t, t0, nil)
	r.host.setURL(rcv.URL)
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	got := rcv.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	n, ev := open(t, got[0].body)
	if len(id) != 36 || n.ID != id || n.CreateTime != "2025-03-01T18:00:00+08:00" || n.EventType != "COMPLAINT.CREATE" || n.Summary != "产生新投诉" ||
		n.ResourceType != "encrypt-resource" || n.Resource.AssociatedData != "" || n.Resource.OriginalType != "complaint" || len(n.Resource.Nonce) != 12 {
		t.Errorf("envelope %s", got[0].body)
	}
	if ev.ComplaintID != "200202503010000000000000001" || ev.ActionType != complaints.ActionCreateComplaint || string(ev.Raw) != r.delivery(t, id).Plaintext {
		t.Errorf("plaintext %s", ev.Raw)
	}
	var members map[string]json.RawMessage
	json.Unmarshal(ev.Raw, &members)
	if len(members) != 2 {
		t.Errorf("plaintext %s: want complaint_id and action_type only", ev.Raw)
	}
	h := got[0].header
	id0 := testIdentity(t)
	for k, want := range map[string]string{"Content-Type": "application/json", apiv3.HeaderTimestamp: strconv.FormatInt(t0.Unix(), 10),
		apiv3.HeaderSerial: id0.PublicKeyID(), apiv3.HeaderSignatureType: apiv3.Scheme} {
		if h.Get(k) != want {
			t.Errorf("%s: %q, want %q", k, h.Get(k), want)
		}
	}
	if len(h.Get(apiv3.HeaderNonce)) != 32 || len(h.Get(apiv3.HeaderRequestID)) != 32 {
		t.Errorf("nonce %q, request id %q", h.Get(apiv3.HeaderNonce), h.Get(apiv3.HeaderRequestID))
	}
	v, _ := id0.Verifier(paykeys.ModePublicKey, r.clk.Now)
	if err := v.Verify(apiv3.SignatureHeadersOf(h), got[0].body); err != nil {
		t.Errorf("the signature: %v", err)
	}
	a := r.delivery(t, id).Attempts[0]
	if a.Body != string(got[0].body) || a.Headers[apiv3.HeaderSignature] != h.Get(apiv3.HeaderSignature) || a.Headers[apiv3.HeaderRequestID] == "" {
		t.Errorf("the attempt recorded %+v", a)
	}
}

// TestFaultsOnTheWire: what each fault does to the request, as received.
func TestFaultsOnTheWire(t *testing.T) {
	id := testIdentity(t)
	v, _ := id.Verifier(paykeys.ModePublicKey, func() time.Time { return t0 })
	for _, tc := range []struct {
		name  string
		plan  Plan
		check func(t *testing.T, h http.Header, body []byte)
	}{
		{"stale", Plan{Stale: 6 * time.Minute}, func(t *testing.T, h http.Header, body []byte) {
			if h.Get(apiv3.HeaderTimestamp) != strconv.FormatInt(t0.Add(-6*time.Minute).Unix(), 10) {
				t.Errorf("timestamp %s", h.Get(apiv3.HeaderTimestamp))
			}
			if err := v.Verify(apiv3.SignatureHeadersOf(h), body); !errors.Is(err, apiv3.ErrTooOld) {
				t.Errorf("verify: %v, want too old", err)
			}
		}},
		{"other key", Plan{OtherKey: true}, func(t *testing.T, h http.Header, body []byte) {
			if s := h.Get(apiv3.HeaderSerial); s == id.PublicKeyID() || s == id.PlatformSerial() || len(s) != 40 {
				t.Errorf("serial %s", s)
			}
		}},
		{"tampered signature", Plan{TamperSignature: true}, func(t *testing.T, h http.Header, body []byte) {
			if _, err := base64.StdEncoding.DecodeString(h.Get(apiv3.HeaderSignature)); err != nil {
				t.Errorf("the tampered signature is not Base64: %v", err)
			}
			if err := v.Verify(apiv3.SignatureHeadersOf(h), body); !errors.Is(err, apiv3.ErrBadSignature) {
				t.Errorf("verify: %v", err)
			}
			open(t, body) // the body is intact
		}},
		{"tampered body", Plan{TamperBody: true}, func(t *testing.T, h http.Header, body []byte) {
			if err := v.Verify(apiv3.SignatureHeadersOf(h), body); !errors.Is(err, apiv3.ErrBadSignature) {
				t.Errorf("verify: %v", err)
			}
			n, _ := apiv3.ParseNotification(body)
			a, _ := apiv3.NewAEAD(id.Merchant().APIv3Key)
			if _, err := a.OpenResource(&n.Resource); !errors.Is(err, apiv3.ErrDecrypt) {
				t.Errorf("the tampered ciphertext opens: %v", err)
			}
		}},
		{"unknown members", Plan{UnknownMembers: true}, func(t *testing.T, h http.Header, body []byte) {
			if err := v.Verify(apiv3.SignatureHeadersOf(h), body); err != nil {
				t.Errorf("verify: %v", err)
			}
			var env struct {
				EventVersion string                     `json:"event_version"`
				NotifyInfo   map[string]any             `json:"notify_info"`
				Resource     map[string]json.RawMessage `json:"resource"`
			}
			json.Unmarshal(body, &env)
			if env.EventVersion == "" || env.NotifyInfo == nil || env.Resource["key_version"] == nil {
				t.Errorf("no unknown members in the envelope %s", body)
			}
			_, ev := open(t, body)
			if !strings.Contains(string(ev.Raw), `"out_trade_no"`) || ev.ActionType != complaints.ActionUserResponse {
				t.Errorf("plaintext %s", ev.Raw)
			}
		}},
		{"misspelled action type", Plan{ActionType: complaints.ActionUserApplyPlatformSerivce}, func(t *testing.T, h http.Header, body []byte) {
			if _, ev := open(t, body); ev.ActionType != complaints.ActionUserApplyPlatformSerivce {
				t.Errorf("action type %s", ev.ActionType)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t, nil)
			r := newRig(t, t0, nil)
			r.host.setURL(rcv.URL)
			r.host.fault(tc.plan)
			nid := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
			r.e.WaitIdle()
			got := rcv.requests()
			if len(got) != 1 {
				t.Fatalf("%d requests", len(got))
			}
			tc.check(t, got[0].header, got[0].body)
			d := r.delivery(t, nid)
			if d.Attempts[0].Fault != tc.plan.String() || d.Attempts[0].Wrong != tc.plan.mustRefuse() {
				t.Errorf("attempt %+v", d.Attempts[0])
			}
			if n, _ := apiv3.ParseNotification(got[0].body); n.ID != nid {
				t.Errorf("id %s, want %s", n.ID, nid)
			}
		})
	}
}

// TestDropIsNotSent: a dropped attempt reaches nobody, is recorded and
// counts as failed: the retry comes 5 s later.
func TestDropIsNotSent(t *testing.T) {
	rcv := newReceiver(t, nil)
	r := newRig(t, t0, nil)
	r.host.setURL(rcv.URL)
	r.host.fault(Plan{Drop: true})
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
	r.e.WaitIdle()
	d := r.delivery(t, id)
	if len(rcv.requests()) != 0 || len(d.Attempts) != 1 || d.Attempts[0].Fault != "drop" || d.Attempts[0].Verdict != VerdictNoAnswer || d.Attempts[0].Body == "" || d.Next != t0.Add(5*time.Second) {
		t.Fatalf("%d requests; %+v", len(rcv.requests()), d)
	}
	r.clk.Advance(5 * time.Second)
	if d := r.delivery(t, id); !d.Delivered || len(rcv.requests()) != 1 {
		t.Fatalf("%+v", d)
	}
}

// TestDuplicateIsConcurrent: a duplicate is two identical requests at
// once: the receiver holds each until both have arrived (sent one after
// the other, the first would wait out the timeout).
func TestDuplicateIsConcurrent(t *testing.T) {
	arrived := make(chan struct{}, 2)
	both := make(chan struct{})
	var once sync.Once
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		arrived <- struct{}{}
		if len(arrived) == 2 {
			once.Do(func() { close(both) })
		}
		select {
		case <-both:
			w.WriteHeader(204)
		case <-r.Context().Done():
		}
	})
	r := newRig(t, t0, nil)
	r.host.setURL(rcv.URL)
	r.host.fault(Plan{Duplicate: true})
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
	r.e.WaitIdle()
	got := rcv.requests()
	d := r.delivery(t, id)
	if len(got) != 2 || string(got[0].body) != string(got[1].body) || len(d.Attempts) != 2 {
		t.Fatalf("%d requests, %d attempts", len(got), len(d.Attempts))
	}
	for _, k := range []string{apiv3.HeaderSignature, apiv3.HeaderNonce, apiv3.HeaderTimestamp, apiv3.HeaderRequestID} {
		if got[0].header.Get(k) != got[1].header.Get(k) {
			t.Errorf("%s differs between the copies", k)
		}
	}
	if !d.Delivered || d.Attempts[0].Verdict != VerdictAcknowledged || d.Attempts[1].Verdict != VerdictAcknowledged {
		t.Errorf("%+v", d)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rep := range r.reports {
		if rep.Phase == PhaseAttempt && rep.Delivery.N != 1 {
			t.Errorf("a copy counted on the ladder: %+v", rep.Delivery)
		}
	}
}

// TestOrderPerComplaint: the callbacks of one complaint reach the merchant
// in the order sent, whatever the concurrency, and complaints do not wait
// for one another.
func TestOrderPerComplaint(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]string{} // complaint → notification ids in arrival order
	rcv := newReceiver(t, nil)
	r := newRig(t, t0, func(o *Options) { o.Concurrency = 8 })
	r.host.setURL(rcv.URL)
	sent := map[string][]string{}
	for i := range 30 {
		for _, c := range []string{"200202503010000000000000001", "200202503010000000000000002", "200202503010000000000000003"} {
			a := complaints.ActionTypes()[i%len(complaints.ActionTypes())]
			sent[c] = append(sent[c], r.e.Send(cb(c, a)))
		}
	}
	r.e.WaitIdle()
	for _, q := range rcv.requests() {
		n, ev := open(t, q.body)
		mu.Lock()
		seen[ev.ComplaintID] = append(seen[ev.ComplaintID], n.ID)
		mu.Unlock()
	}
	for c, ids := range sent {
		if strings.Join(seen[c], ",") != strings.Join(ids, ",") {
			t.Errorf("complaint %s: received %v, sent %v", c, seen[c], ids)
		}
	}
}

// TestOutOfOrder: a callback held out of order reaches the merchant after
// the complaint's next one; alone, it goes at the first retry delay.
func TestOutOfOrder(t *testing.T) {
	rcv := newReceiver(t, nil)
	r := newRig(t, t0, func(o *Options) { o.Concurrency = 1 })
	r.host.setURL(rcv.URL)
	r.host.fault(Plan{OutOfOrder: true, UnknownMembers: true})
	first := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	if len(rcv.requests()) != 0 || r.delivery(t, first).Next != t0.Add(5*time.Second) {
		t.Fatalf("the held callback was sent, or is not due at the first retry delay")
	}
	second := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
	r.e.WaitIdle()
	got := rcv.requests()
	if len(got) != 2 {
		t.Fatalf("%d requests", len(got))
	}
	n0, _ := open(t, got[0].body)
	n1, ev1 := open(t, got[1].body)
	if n0.ID != second || n1.ID != first {
		t.Errorf("received %s then %s, want %s then %s", n0.ID, n1.ID, second, first)
	}
	if !strings.Contains(string(ev1.Raw), "out_trade_no") {
		t.Errorf("the held attempt lost the rest of its plan: %s", ev1.Raw)
	}
	if d := r.delivery(t, first); !d.Delivered || d.Attempts[0].Fault != "unknown-members" {
		t.Errorf("%+v", d)
	}
	if ph := r.phases(first); len(ph) < 2 || ph[0] != PhaseQueued || ph[1] != PhaseHeld {
		t.Errorf("reports %v", ph)
	}
	r.clk.Advance(time.Minute) // the void end of hold sends nothing more
	if len(rcv.requests()) != 2 {
		t.Errorf("%d requests after the hold's end", len(rcv.requests()))
	}

	// Alone: released at the first retry delay.
	r.host.fault(Plan{OutOfOrder: true})
	lone := r.e.Send(cb("200202503010000000000000009", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	r.clk.Advance(5*time.Second - time.Nanosecond)
	if len(rcv.requests()) != 2 {
		t.Fatalf("released early")
	}
	r.clk.Advance(time.Nanosecond)
	if d := r.delivery(t, lone); !d.Delivered || !d.Attempts[0].Time.Equal(r.clk.Now()) {
		t.Errorf("%+v", d)
	}
}

// TestResendKeepsTheID: a resent notification carries the same id and
// plaintext, signed and encrypted anew at the fake's time; a pending one
// is attempted at once, its ladder from the start; an unknown id is
// ErrUnknown.
func TestResendKeepsTheID(t *testing.T) {
	rcv := newReceiver(t, nil)
	r := newRig(t, t0, nil)
	r.host.setURL(rcv.URL)
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionUserResponse))
	r.e.WaitIdle()
	r.clk.Advance(time.Hour)
	got, err := r.e.Resend(id)
	if err != nil || got != id {
		t.Fatalf("Resend: %q, %v", got, err)
	}
	r.e.WaitIdle()
	reqs := rcv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	n0, ev0 := open(t, reqs[0].body)
	n1, ev1 := open(t, reqs[1].body)
	if n0.ID != n1.ID || string(ev0.Raw) != string(ev1.Raw) || n0.CreateTime != n1.CreateTime {
		t.Errorf("the resent callback differs: %s / %s", reqs[0].body, reqs[1].body)
	}
	if n0.Resource.Nonce == n1.Resource.Nonce || reqs[0].header.Get(apiv3.HeaderSignature) == reqs[1].header.Get(apiv3.HeaderSignature) {
		t.Errorf("not encrypted and signed anew")
	}
	if ts := reqs[1].header.Get(apiv3.HeaderTimestamp); ts != strconv.FormatInt(t0.Add(time.Hour).Unix(), 10) {
		t.Errorf("resent at %s, want the fake's now", ts)
	}
	if d := r.delivery(t, id); !d.Delivered || len(d.Attempts) != 2 {
		t.Errorf("%+v", d)
	}

	// A pending one: attempted now, then retried from the ladder's start.
	rcv2 := newReceiver(t, status(500))
	r.host.setURL(rcv2.URL)
	pid := r.e.Send(cb("200202503010000000000000002", complaints.ActionUserResponse))
	r.e.WaitIdle()
	r.clk.Advance(5 * time.Second) // second attempt; the third is due a minute later
	if _, err := r.e.Resend(pid); err != nil {
		t.Fatal(err)
	}
	r.e.WaitIdle()
	d := r.delivery(t, pid)
	if len(d.Attempts) != 3 || d.Next != r.clk.Now().Add(5*time.Second) {
		t.Errorf("after a resend: %d attempts, next %v, want 3 and 5 s from now", len(d.Attempts), d.Next.Sub(r.clk.Now()))
	}
	r.clk.Advance(5 * time.Second)
	if n := len(r.delivery(t, pid).Attempts); n != 4 {
		t.Errorf("%d attempts, want 4 (the old retry a minute on is void)", n)
	}

	if _, err := r.e.Resend("00000000-0000-0000-0000-000000000000"); !errors.Is(err, ErrUnknown) {
		t.Errorf("an unknown id: %v", err)
	}
}

// TestResendAsTheAttemptEnds: a Resend that comes once the attempt is
// settled but before the engine has stopped counting it (here, from the
// observer of the attempt's own "delivered" report) is not lost: the
// callback is attempted again, as a Resend of one not being attempted is.
func TestResendAsTheAttemptEnds(t *testing.T) {
	const complaint = "200202503010000000000000001"
	rcv := newReceiver(t, nil)
	var (
		e      *Engine
		once   sync.Once
		resent = make(chan error, 1)
	)
	r := newRig(t, t0, func(o *Options) {
		observe := o.Observe
		o.Observe = func(rep Report) {
			observe(rep)
			if rep.Phase == PhaseDelivered && rep.Delivery.ComplaintID == complaint {
				once.Do(func() {
					_, err := e.Resend(rep.Delivery.ID)
					resent <- err
				})
			}
		}
	})
	e = r.e
	r.host.setURL(rcv.URL)
	id := r.e.Send(cb(complaint, complaints.ActionUserResponse))
	r.e.WaitIdle()
	if err := <-resent; err != nil {
		t.Fatalf("Resend: %v", err)
	}
	r.e.WaitIdle()
	if n := len(rcv.requests()); n != 2 {
		t.Fatalf("%d requests, want 2: the resend was lost", n)
	}
	if d := r.delivery(t, id); !d.Delivered || len(d.Attempts) != 2 {
		t.Errorf("after the resend: delivered %v, %d attempts, want true and 2", d.Delivered, len(d.Attempts))
	}
}

// TestProbeVerdicts: a probe's signature is WECHATPAY/SIGNTEST/ and
// Base64; it is sent once whatever the answer, takes no fault, and the
// merchant's answer is judged.
func TestProbeVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		answer    int // 0: the receiver is gone
		verdict   string
		wrong     bool
		delivered bool
	}{
		{"acknowledged: wrong", 204, VerdictAcknowledged, true, true},
		{"acknowledged with 200: wrong", 200, VerdictAcknowledged, true, true},
		{"refused: right", 401, VerdictRefused, false, false},
		{"refused with 500: right", 500, VerdictRefused, false, false},
		{"no answer", 0, VerdictNoAnswer, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t, status(max(tc.answer, 200)))
			r := newRig(t, t0, nil)
			r.host.setURL(rcv.URL)
			if tc.answer == 0 {
				rcv.Close()
			}
			r.host.fault(Plan{TamperBody: true})
			id := r.e.Probe(paykeys.DefaultMchID)
			r.e.WaitIdle()
			r.clk.Advance(time.Hour)
			d := r.delivery(t, id)
			if !d.Probe || d.ComplaintID != "" || len(d.Attempts) != 1 || d.Attempts[0].Verdict != tc.verdict || d.Attempts[0].Wrong != tc.wrong ||
				d.Delivered != tc.delivered || d.Failed == tc.delivered || !d.Done() {
				t.Fatalf("%+v", d)
			}
			if len(r.host.faults) != 0 || d.Attempts[0].Fault != "" {
				t.Errorf("a probe took a fault: %v", r.host.faults)
			}
			sig := d.Attempts[0].Headers[apiv3.HeaderSignature]
			rest, ok := strings.CutPrefix(sig, apiv3.ProbeSignaturePrefix)
			if _, err := base64.StdEncoding.DecodeString(rest); !ok || err != nil {
				t.Errorf("probe signature %q", sig)
			}
			if tc.answer != 0 {
				_, ev := open(t, rcv.requests()[0].body)
				if len(ev.ComplaintID) != 27 || !strings.HasPrefix(ev.ComplaintID, "200220250301") {
					t.Errorf("the probe's complaint id %q", ev.ComplaintID)
				}
			}
			if ph := r.phases(id); ph[len(ph)-1] != map[bool]Phase{true: PhaseDelivered, false: PhaseFailed}[tc.delivered] {
				t.Errorf("reports %v", ph)
			}
		})
	}
}

// TestIDs: 36 characters, reproducible from the seed, distinct across
// seeds and counters, and recognised by their own seed only.
func TestIDs(t *testing.T) {
	a, b, c := newIDSource(1), newIDSource(1), newIDSource(2)
	seen := map[string]bool{}
	for n := uint64(1); n <= 10000; n++ {
		id := a.id(n)
		if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
			t.Fatalf("id %q", id)
		}
		if id != b.id(n) || id == c.id(n) || seen[id] {
			t.Fatalf("id %d: %s", n, id)
		}
		seen[id] = true
		if got, ok := a.counter(id); !ok || got != n {
			t.Fatalf("counter(%s) = %d, %v", id, got, ok)
		}
		if _, ok := c.counter(id); ok {
			t.Fatalf("seed 2 claims %s", id)
		}
	}
}

// TestBadAPIv3Key: a merchant whose APIv3 key cannot encrypt gets no
// callback; the attempt says why, and the ladder goes on.
func TestBadAPIv3Key(t *testing.T) {
	rcv := newReceiver(t, nil)
	r := newRig(t, t0, nil)
	r.host.setURL(rcv.URL)
	r.host.key = "short"
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	d := r.delivery(t, id)
	if len(rcv.requests()) != 0 || d.Attempts[0].Verdict != VerdictNoAnswer || !strings.Contains(d.Attempts[0].Err, "APIv3 key") || d.Next.IsZero() {
		t.Fatalf("%+v", d)
	}
}

// TestReports: the observer hears a callback queued, attempted (with the
// attempt, numbered on the ladder) and delivered, and Done once per
// attempt.
func TestReports(t *testing.T) {
	rcv := newReceiver(t, status(500, 204))
	var done atomic.Int32
	heard := make(chan struct{}, 8) // Done must not block
	r := newRig(t, t0, func(o *Options) { o.Done = func() { done.Add(1); heard <- struct{}{} } })
	r.host.setURL(rcv.URL)
	id := r.e.Send(cb("200202503010000000000000001", complaints.ActionCreateComplaint))
	r.e.WaitIdle()
	r.clk.Advance(5 * time.Second)
	// Done comes after the engine counts the attempt over (WaitIdle and the
	// clock's settling return then), from the worker, without the lock:
	// wait to hear both.
	for n := range 2 {
		select {
		case <-heard:
		case <-time.After(30 * time.Second):
			t.Fatalf("Done heard %d times in 30 s, want 2", n)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var got []string
	for _, rep := range r.reports {
		if rep.Delivery.ID != id || rep.Delivery.ComplaintID != "200202503010000000000000001" || rep.Delivery.Of != 1001 {
			t.Errorf("report %+v", rep)
		}
		s := string(rep.Phase) + " " + strconv.Itoa(rep.Delivery.N)
		if rep.Attempt != nil {
			s += " " + strconv.Itoa(rep.Attempt.Status)
		}
		got = append(got, s)
	}
	if want := "queued 1,attempt 1 500,queued 2,attempt 2 204,delivered 2"; strings.Join(got, ",") != want {
		t.Errorf("reports %s, want %s", strings.Join(got, ","), want)
	}
	if done.Load() != 2 {
		t.Errorf("Done heard %d times, want 2", done.Load())
	}
}

package stream

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// sse is one event read from a stream.
type sse struct {
	id, name, data string
}

// reader reads SSE events from a response body.
type reader struct {
	sc *bufio.Scanner
}

func (r *reader) next(t *testing.T) sse {
	t.Helper()
	var e sse
	for r.sc.Scan() {
		line := r.sc.Text()
		switch {
		case line == "":
			if e.name != "" || e.data != "" {
				return e
			}
		case strings.HasPrefix(line, "id: "):
			e.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			e.name = line[7:]
		case strings.HasPrefix(line, "data: "):
			e.data = line[6:]
		}
	}
	t.Fatalf("stream ended: %v", r.sc.Err())
	return e
}

type fixture struct {
	feed *events.Feed
	hub  *Hub
	srv  *httptest.Server
}

func newFixture(t *testing.T, o Options) *fixture {
	t.Helper()
	f := &fixture{feed: events.NewFeed(time.Now)}
	o.Subscribe = f.feed.SubscribeWith
	f.hub = New(o)
	f.srv = httptest.NewServer(f.hub)
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.feed.Close)
	return f
}

// connect opens a stream with the query and waits until the hub counts it.
func (f *fixture) connect(t *testing.T, query string) (*reader, *http.Response) {
	t.Helper()
	before := f.hub.Clients()
	resp, err := http.Get(f.srv.URL + "?" + query)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The hub counts (and subscribes for) a client before it answers the
	// headers: nothing to wait for.
	if f.hub.Clients() <= before {
		t.Fatalf("the hub counts %d clients after one more connected, was %d", f.hub.Clients(), before)
	}
	return &reader{sc: bufio.NewScanner(resp.Body)}, resp
}

// waitFor polls cond until it holds, failing after 10 s: for what sends
// no event (a client the server noticed leaving). It stops as soon as
// cond holds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatal("condition not met within 10 s")
		case <-tick.C:
		}
	}
}

func (f *fixture) complaint(id string, what events.What) {
	f.feed.Publish(events.KindComplaint, func(e *events.Event) {
		e.Change = &events.Change{What: what, FeedBackID: id, OpenID: "o1", State: "filed"}
	})
}

func (f *fixture) call(feedbackID string) {
	f.feed.Publish(events.KindCall, func(e *events.Event) {
		e.Call = &calllog.Call{Endpoint: "/payfeedback/update", Method: "GET", Query: url.Values{"feedbackid": {feedbackID}, "access_token": {"***abcdef"}}}
	})
}

func TestStreamEventsInOrder(t *testing.T) {
	f := newFixture(t, Options{})
	r, _ := f.connect(t, "")
	f.complaint("1001", events.ComplaintFiled)
	f.call("1001")
	f.feed.Publish(events.KindClock, func(e *events.Event) {
		e.Clock = &events.ClockMove{From: time.Unix(0, 0), To: time.Unix(3600, 0)}
	})
	for i, want := range []struct{ name, line string }{
		{"complaint", "complaint 1001 filed by o1 (filed)"},
		{"call", "API GET /payfeedback/update errcode=0 feedbackid=1001 0 ms"},
		{"clock", "clock 1970-01-01T00:00:00Z → 1970-01-01T01:00:00Z (+1h0m0s)"},
	} {
		e := r.next(t)
		var m Message
		if err := json.Unmarshal([]byte(e.data), &m); err != nil {
			t.Fatalf("event %d: data %q: %v", i, e.data, err)
		}
		if e.name != want.name || m.Line != want.line || e.id != itoa(m.Seq) || string(m.Kind) != want.name {
			t.Errorf("event %d: %+v %+v, want %s %q", i, e, m, want.name, want.line)
		}
	}
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func TestStreamFilters(t *testing.T) {
	f := newFixture(t, Options{})
	pushes, _ := f.connect(t, "kinds=complaint")
	one, _ := f.connect(t, "feedback_id=2002")
	f.call("1001")
	f.complaint("1001", events.ComplaintFiled)
	f.call("2002")
	f.complaint("2002", events.ComplaintFiled)
	if e := pushes.next(t); e.name != "complaint" || !strings.Contains(e.data, `"feedback_id":"1001"`) {
		t.Errorf("kinds=complaint: first event %+v", e)
	}
	if e := pushes.next(t); e.name != "complaint" || !strings.Contains(e.data, `"feedback_id":"2002"`) {
		t.Errorf("kinds=complaint: second event %+v", e)
	}
	if e := one.next(t); e.name != "call" || !strings.Contains(e.data, `"feedbackid":["2002"]`) {
		t.Errorf("feedback_id=2002: first event %+v", e)
	}
	if e := one.next(t); e.name != "complaint" || !strings.Contains(e.data, `"feedback_id":"2002"`) {
		t.Errorf("feedback_id=2002: second event %+v", e)
	}
	resp, err := http.Get(f.srv.URL + "?kinds=complaint,gossip")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown kind: HTTP %d, want 400", resp.StatusCode)
	}
}

// TestStreamSlowClientNeverBlocks: a client that does not read fills its
// queue and misses events; publishing never waits for it, and every event
// a client does not get is counted in a gap event it gets instead: nothing
// is lost without saying so.
func TestStreamSlowClientNeverBlocks(t *testing.T) {
	f := newFixture(t, Options{ClientBuffer: 16, PerSecond: 1 << 30})
	slow, _ := f.connect(t, "kinds=complaint")
	fast, _ := f.connect(t, "kinds=complaint")
	const n = 3000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			f.complaint(itoa(uint64(i)), events.ComplaintHandled)
		}
	}()
	account := func(r *reader) (got, missed int) {
		for got+missed < n {
			e := r.next(t)
			switch e.name {
			case "complaint":
				got++
			case EventGap:
				var v struct{ Missed int }
				json.Unmarshal([]byte(e.data), &v)
				missed += v.Missed
			}
		}
		return got, missed
	}
	if got, missed := account(fast); got+missed != n {
		t.Errorf("the reading client: %d events and %d missed, want %d in all", got, missed, n)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publishing blocked on a client that does not read")
	}
	got, missed := account(slow)
	if missed == 0 || got+missed != n {
		t.Errorf("the client that did not read: %d events and %d missed; want some missed, %d in all", got, missed, n)
	}
}

// TestStreamCallsBounded: beyond PerSecond events of a kind, the events
// are counted and told as one skipped event; another kind still passes.
func TestStreamCallsBounded(t *testing.T) {
	f := newFixture(t, Options{PerSecond: 5})
	r, _ := f.connect(t, "")
	for range 50 {
		f.call("1001")
	}
	f.complaint("1001", events.ComplaintHandled)
	calls, complaints, skipped := 0, 0, 0
	for skipped == 0 {
		e := r.next(t)
		switch e.name {
		case "call":
			calls++
		case "complaint":
			complaints++
		case EventSkipped:
			var v struct{ Events int }
			json.Unmarshal([]byte(e.data), &v)
			skipped = v.Events
		}
	}
	if calls > 10 || calls+skipped != 50 || complaints != 1 {
		t.Errorf("%d calls forwarded, %d told skipped, %d complaints; want at most 10 calls forwarded (a window may turn), 50 in all, and the complaint", calls, skipped, complaints)
	}
}

// TestStreamSubscribesWhileConnected: with nobody connected the hub holds
// no subscription (the feed costs the fake nothing); closing the feed
// ends every stream.
func TestStreamSubscribesWhileConnected(t *testing.T) {
	f := newFixture(t, Options{})
	if f.feed.Listening() {
		t.Fatal("the feed has a listener before any client")
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, f.feed.Listening)
	cancel()
	resp.Body.Close()
	waitFor(t, func() bool { return !f.feed.Listening() && f.hub.Clients() == 0 })

	r, _ := f.connect(t, "")
	f.feed.Close()
	for r.sc.Scan() {
	}
	waitFor(t, func() bool { return f.hub.Clients() == 0 })
}

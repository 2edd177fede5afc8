package complaints

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// handlerTransport serves requests with a handler in the caller's
// goroutine: no network, so a synctest bubble's clock covers the client,
// the fake and their signatures alike.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil { // a client request may have none; a server's always has one
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}

// TestPacing: with Pacing, no minute holds more calls of an endpoint than
// its limit; a burst of a tenth of it goes at once, the rest are spread;
// each endpoint has its own budget.
func TestPacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		at := map[string][]time.Time{}
		f := newFake(t, func(s seen, _ int) answer {
			mu.Lock()
			defer mu.Unlock()
			at[s.Method] = append(at[s.Method], time.Now())
			if s.Method == "GET" {
				return ok(sample(t, "detail_minimal"))
			}
			return noContent()
		})
		const limit = 20
		c := newTestClient(t, "http://wechat.test", &http.Client{Transport: handlerTransport{f}},
			ClientOptions{Pacing: &Pacing{PerMinute: map[Endpoint]int{EndpointResponse: limit}}})
		start := time.Now()
		reply := ResponseRequest{ComplaintedMchID: testMchID, ResponseContent: "您好"}
		const calls = 50
		for range calls {
			if err := c.Respond(context.Background(), testComplaintID, reply); err != nil {
				t.Fatal(err)
			}
		}
		// The detail has its own budget (200 a minute, 20 at once).
		for range 20 {
			if _, err := c.Detail(context.Background(), testComplaintID); err != nil {
				t.Fatal(err)
			}
		}
		posts, gets := at["POST"], at["GET"]
		if len(posts) != calls || len(gets) != 20 {
			t.Fatalf("%d replies and %d details reached the fake", len(posts), len(gets))
		}
		burst := limit / 10
		for i, when := range posts[:burst] {
			if !when.Equal(start) {
				t.Errorf("reply %d of the burst waited %v", i, when.Sub(start))
			}
		}
		if posts[burst].Equal(start) {
			t.Error("the call after the burst did not wait")
		}
		for i := range posts {
			n := 0
			for _, other := range posts[i:] {
				if other.Sub(posts[i]) < time.Minute {
					n++
				}
			}
			if n > limit {
				t.Fatalf("%d replies in the minute from %v", n, posts[i].Sub(start))
			}
		}
		// 48 calls beyond the burst, at 18 a minute.
		if got, want := posts[calls-1].Sub(start), time.Duration(calls-burst)*time.Minute/time.Duration(limit-burst); got < want-time.Millisecond || got > want+time.Millisecond {
			t.Errorf("50 replies took %v, want %v", got, want)
		}
		if d := gets[len(gets)-1].Sub(gets[0]); d != 0 {
			t.Errorf("20 details waited %v: their budget is the detail's, not the reply's", d)
		}
	})
}

// TestPacingHonoursContext: a call that would wait past its context's
// deadline fails at once.
func TestPacingHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, func(seen, int) answer { return noContent() })
		c := newTestClient(t, "http://wechat.test", &http.Client{Transport: handlerTransport{f}},
			ClientOptions{Pacing: &Pacing{PerMinute: map[Endpoint]int{EndpointComplete: 1}}})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r := CompleteRequest{ComplaintedMchID: testMchID}
		if err := c.Complete(ctx, testComplaintID, r); err != nil {
			t.Fatal(err)
		}
		before := time.Now()
		if err := c.Complete(ctx, testComplaintID, r); err == nil {
			t.Error("a call that must wait a minute within 10 s was sent")
		}
		if waited := time.Since(before); waited != 0 {
			t.Errorf("it failed after %v, not at once", waited)
		}
		if n := len(f.seenRequests()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

func TestPacingOptions(t *testing.T) {
	for name, p := range map[string]*Pacing{
		"unknown endpoint": {PerMinute: map[Endpoint]int{"refunds": 10}},
		"zero":             {PerMinute: map[Endpoint]int{EndpointList: 0}},
		"negative":         {PerMinute: map[Endpoint]int{EndpointList: -5}},
	} {
		_, err := NewClient(ClientOptions{Pacing: p, API: testAPIOptions(t, "http://wechat.test", nil)})
		if err == nil {
			t.Errorf("%s: NewClient accepted %+v", name, p.PerMinute)
		}
	}
	for _, e := range Endpoints() {
		if DefaultPerMinute(e) < 1 {
			t.Errorf("DefaultPerMinute(%s) = %d", e, DefaultPerMinute(e))
		}
	}
	for e, n := range map[Endpoint]int{EndpointList: 200, EndpointHistory: 200, EndpointResponse: 60, EndpointImageUpload: 60, EndpointComplete: 1500} {
		if DefaultPerMinute(e) != n {
			t.Errorf("DefaultPerMinute(%s) = %d, want the published %d", e, DefaultPerMinute(e), n)
		}
	}
}

package mockwechat

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestEventsStream: GET /_mock/events streams the fake's events as SSE;
// the stream outlives the server's read timeout; Close ends it at once.
func TestEventsStream(t *testing.T) {
	s := NewServer(Options{Clock: NewVirtualClock(t0), ReadTimeout: 200 * time.Millisecond})
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()
	resp, err := s.Client().Get(s.URL + "/_mock/events?kinds=complaint,clock")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLine := func(prefix string) string {
		t.Helper()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the stream ended before %q", prefix)
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q within 5 s", prefix)
			}
		}
	}
	waitLine(": connected")
	// The stream carries events for twice the read timeout: the server
	// does not end it when its read deadline passes.
	pace := time.NewTicker(20 * time.Millisecond)
	defer pace.Stop()
	for past := time.Now().Add(400 * time.Millisecond); time.Now().Before(past); <-pace.C {
		s.Advance(time.Minute)
		waitLine("event: clock")
	}
	c, err := s.FileComplaint(context.Background(), ComplaintSpec{OpenID: "o1", Reason: "没收到货", Goods: payfeedback.GoodsVirtual})
	if err != nil {
		t.Fatal(err)
	}
	waitLine("event: complaint")
	if data := waitLine("data: "); !strings.Contains(data, `"feedback_id":"`+c.FeedBackID+`"`) || !strings.Contains(data, `"line":"complaint `) {
		t.Fatalf("data %s", data)
	}
	s.Advance(time.Hour)
	waitLine("event: clock")

	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
		closed = true
	case <-time.After(3 * time.Second):
		t.Fatal("Close waits for an open event stream")
	}
	for range lines {
	}
}

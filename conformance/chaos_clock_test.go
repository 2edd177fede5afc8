package conformance

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestCampaignClockLetsRetriesGoInTheirOrder: a retry waits while anything
// else is being sent, then goes alone, earliest first, and the clock moves
// to its instant.
func TestCampaignClockLetsRetriesGoInTheirOrder(t *testing.T) {
	var k campaignClock
	var mu sync.Mutex
	var order []string
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, s)
	}
	k.enter() // A
	k.enter() // B, this goroutine
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := k.after(context.Background(), 30*time.Second); err != nil {
			t.Error(err)
		}
		note("A")
		k.leave()
	}()
	// B is still sending: A cannot go. B's own retry is earlier, so it
	// goes first, once B waits too.
	if err := k.after(context.Background(), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	note("B")
	if got := k.elapsed(); got != 15*time.Second {
		t.Errorf("after B's retry the clock is at %s, want 15s", got)
	}
	k.leave()
	<-done
	if len(order) != 2 || order[0] != "B" || order[1] != "A" {
		t.Errorf("retries went in the order %v, want [B A]", order)
	}
	if got := k.elapsed(); got != 30*time.Second {
		t.Errorf("the clock is at %s, want 30s", got)
	}
}

// TestCampaignClockCancelled: a retry whose run ends is taken off the
// clock, and its sender counts again, so that the others are not held.
func TestCampaignClockCancelled(t *testing.T) {
	var k campaignClock
	k.enter()
	k.enter() // keeps the clock from moving
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := k.after(ctx, time.Minute); err != context.Canceled {
		t.Fatalf("after on a cancelled run: %v", err)
	}
	if k.due.Len() != 0 || k.busy != 2 {
		t.Errorf("%d retries pending, %d senders; want none pending and both senders counted", k.due.Len(), k.busy)
	}
}

func TestRetryAfter(t *testing.T) {
	at := func(v string) Exchange {
		return Exchange{Response: &WireResponse{Status: http.StatusServiceUnavailable, Header: map[string]string{"Retry-After": v}}}
	}
	tests := []struct {
		name string
		ex   Exchange
		want time.Duration
		back bool
	}{
		{"seconds", at("20"), 20 * time.Second, true},
		{"a date", at(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), time.Hour, true},
		{"a year", at("31536000"), maxRetryAfter, true},
		{"garbage", at("soon"), 0, true},
		{"none on a 500", Exchange{Response: &WireResponse{Status: 500}}, 0, false},
		{"a 429", Exchange{Response: &WireResponse{Status: http.StatusTooManyRequests}}, 0, true},
		{"no answer", Exchange{Error: "reset"}, 0, false},
	}
	for _, tc := range tests {
		got := retryAfter(tc.ex)
		if d := got - tc.want; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("%s: retryAfter = %s, want %s", tc.name, got, tc.want)
		}
		if backPressure(tc.ex) != tc.back {
			t.Errorf("%s: backPressure = %v, want %v", tc.name, !tc.back, tc.back)
		}
	}
}

package payfeedback

import (
	"testing"
	"time"
)

// TestRetryBackoff: each wait lies between half and all of a backoff that
// doubles from InitialBackoff up to MaxBackoff.
func TestRetryBackoff(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	full := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, d := range full {
		d *= time.Millisecond
		lo, hi := d, time.Duration(0)
		for range 200 {
			w := p.backoff(i + 1)
			lo, hi = min(lo, w), max(hi, w)
		}
		if lo < d/2 || hi > d {
			t.Errorf("retry %d: waits from %v to %v, want within [%v, %v]", i+1, lo, hi, d/2, d)
		}
		if hi-lo < d/8 {
			t.Errorf("retry %d: waits from %v to %v: no jitter", i+1, lo, hi)
		}
	}
	tests := []struct {
		in, want RetryPolicy
	}{
		{RetryPolicy{}, RetryPolicy{InitialBackoff: DefaultRetryBackoff, MaxBackoff: DefaultMaxRetryBackoff}},
		{RetryPolicy{InitialBackoff: 5 * time.Second}, RetryPolicy{InitialBackoff: 5 * time.Second, MaxBackoff: 5 * time.Second}},
		{RetryPolicy{MaxBackoff: 10 * time.Millisecond}, RetryPolicy{InitialBackoff: 10 * time.Millisecond, MaxBackoff: 10 * time.Millisecond}},
	}
	for _, tt := range tests {
		if got := tt.in.withDefaults(); got != tt.want {
			t.Errorf("withDefaults(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

package push

import (
	"strings"
	"testing"
	"time"
)

func TestPlan(t *testing.T) {
	for _, tt := range []struct {
		p    Plan
		name string
		ok   bool
	}{
		{Plan{}, "", true},
		{Plan{Hold: Drop}, "drop", true},
		{Plan{Hold: Late, Delay: time.Minute}, "late 1m0s", true},
		{Plan{Hold: OutOfOrder}, "out-of-order", true},
		{Plan{Extras: Duplicate | TamperFields}, "duplicate+tamper-fields", true},
		{Plan{Extras: TamperSignature}, "tamper-signature", true},
		{Plan{Hold: Drop, Extras: Duplicate}, "drop", false},
		{Plan{Hold: Late}, "late 0s", false},
		{Plan{Delay: time.Second}, "", false},
		{Plan{Hold: 9}, "", false},
		{Plan{Extras: 1 << 6}, "", false},
	} {
		if got := tt.p.String(); got != tt.name {
			t.Errorf("%+v: String() = %q, want %q", tt.p, got, tt.name)
		}
		if err := tt.p.Valid(); (err == nil) != tt.ok {
			t.Errorf("%+v: Valid() = %v, want ok %v", tt.p, err, tt.ok)
		}
	}
}

// TestDeliveryLogBytes: finished deliveries are forgotten oldest first
// beyond the byte budget as well as the count; pending ones stay.
func TestDeliveryLogBytes(t *testing.T) {
	l := newDeliveryLog(100, 10<<10)
	body := strings.Repeat("x", 3<<10)
	for i := range 10 {
		d := &delivery{Delivery: Delivery{Ref: Ref{ID: uint64(i + 1)}, Attempts: []Attempt{{Body: body}}}}
		l.pending[d.ID] = d
		l.finish(d)
	}
	pending := &delivery{Delivery: Delivery{Ref: Ref{ID: 11}, Attempts: []Attempt{{Body: body}, {Body: body}, {Body: body}, {Body: body}}}}
	l.pending[pending.ID] = pending
	got := l.snapshot()
	if l.bytes > 10<<10 || len(got) != 3 || got[0].ID != 9 || got[2].ID != 11 {
		t.Fatalf("%d bytes kept, deliveries %d..%d (%d)", l.bytes, got[0].ID, got[len(got)-1].ID, len(got))
	}
	got[0].Attempts[0].Body = "changed"
	if l.snapshot()[0].Attempts[0].Body != body {
		t.Fatal("a snapshot shares the log's attempts")
	}
}

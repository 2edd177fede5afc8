package payfeedback

import (
	"testing"
	"time"
)

const day = 24 * time.Hour

func TestShippingDeadline(t *testing.T) {
	for _, tt := range []struct {
		kind GoodsKind
		want time.Duration
	}{{GoodsVirtual, 24 * time.Hour}, {GoodsPhysical, 72 * time.Hour}} {
		if got := ShippingDeadline(tt.kind); got != tt.want {
			t.Errorf("ShippingDeadline(%v) = %v, want %v", tt.kind, got, tt.want)
		}
	}
}

// TestResolutionDeadline covers every cell of the table in docs/protocol.md, "Deadlines", plus the
// case WeChat's document leaves open (not shipped, shipping deadline not passed),
// which the project treats as the shipped row.
func TestResolutionDeadline(t *testing.T) {
	tests := []struct {
		kind  GoodsKind
		state ShippingState
		want  time.Duration
	}{
		{GoodsVirtual, NotShippedOverdue, 1 * day},
		{GoodsPhysical, NotShippedOverdue, 2 * day},
		{GoodsVirtual, Shipped, 3 * day},
		{GoodsPhysical, Shipped, 15 * day},
		{GoodsVirtual, NotShippedInTime, 3 * day},
		{GoodsPhysical, NotShippedInTime, 15 * day},
	}
	for _, tt := range tests {
		if got := ResolutionDeadline(tt.kind, tt.state); got != tt.want {
			t.Errorf("ResolutionDeadline(%v, %v) = %v, want %v", tt.kind, tt.state, got, tt.want)
		}
	}
}

// TestShippingStateAt: the shipping deadline has passed only strictly after
// paidAt+deadline; a shipment counts when it came before (or at) the
// complaint.
func TestShippingStateAt(t *testing.T) {
	paid := time.Date(2025, 11, 27, 10, 0, 0, 0, time.UTC)
	var never time.Time
	tests := []struct {
		name       string
		kind       GoodsKind
		shipped    time.Time
		complained time.Time
		want       ShippingState
	}{
		{"virtual, not shipped, 1h", GoodsVirtual, never, paid.Add(time.Hour), NotShippedInTime},
		{"virtual, not shipped, exactly 24h", GoodsVirtual, never, paid.Add(24 * time.Hour), NotShippedInTime},
		{"virtual, not shipped, 24h+1s", GoodsVirtual, never, paid.Add(24*time.Hour + time.Second), NotShippedOverdue},
		{"virtual, not shipped, 24h+1ns", GoodsVirtual, never, paid.Add(24*time.Hour + 1), NotShippedOverdue},
		{"physical, not shipped, 24h+1s", GoodsPhysical, never, paid.Add(24*time.Hour + time.Second), NotShippedInTime},
		{"physical, not shipped, exactly 72h", GoodsPhysical, never, paid.Add(72 * time.Hour), NotShippedInTime},
		{"physical, not shipped, 72h+1s", GoodsPhysical, never, paid.Add(72*time.Hour + time.Second), NotShippedOverdue},
		{"virtual, shipped before complaint", GoodsVirtual, paid.Add(time.Hour), paid.Add(30 * time.Hour), Shipped},
		{"virtual, shipped late but before complaint", GoodsVirtual, paid.Add(48 * time.Hour), paid.Add(50 * time.Hour), Shipped},
		{"virtual, shipped at the complaint", GoodsVirtual, paid.Add(30 * time.Hour), paid.Add(30 * time.Hour), Shipped},
		{"virtual, shipped after complaint, overdue", GoodsVirtual, paid.Add(31 * time.Hour), paid.Add(30 * time.Hour), NotShippedOverdue},
		{"physical, shipped after complaint, in time", GoodsPhysical, paid.Add(31 * time.Hour), paid.Add(30 * time.Hour), NotShippedInTime},
		{"physical, shipped before complaint", GoodsPhysical, paid.Add(71 * time.Hour), paid.Add(100 * time.Hour), Shipped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShippingStateAt(tt.kind, paid, tt.shipped, tt.complained); got != tt.want {
				t.Errorf("ShippingStateAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestResolveBy(t *testing.T) {
	paid := time.Date(2013, 5, 28, 12, 18, 31, 0, time.FixedZone("CST", 8*3600))
	var never time.Time
	tests := []struct {
		name       string
		kind       GoodsKind
		shipped    time.Time
		complained time.Time
		want       time.Time
	}{
		{"virtual overdue", GoodsVirtual, never, paid.Add(25 * time.Hour), paid.Add(25*time.Hour + 1*day)},
		{"virtual at the boundary is not overdue", GoodsVirtual, never, paid.Add(24 * time.Hour), paid.Add(24*time.Hour + 3*day)},
		{"physical overdue", GoodsPhysical, never, paid.Add(72*time.Hour + time.Second), paid.Add(72*time.Hour + time.Second + 2*day)},
		{"physical at the boundary is not overdue", GoodsPhysical, never, paid.Add(72 * time.Hour), paid.Add(72*time.Hour + 15*day)},
		{"virtual shipped", GoodsVirtual, paid.Add(time.Hour), paid.Add(2 * time.Hour), paid.Add(2*time.Hour + 3*day)},
		{"physical shipped", GoodsPhysical, paid.Add(time.Hour), paid.Add(80 * time.Hour), paid.Add(80*time.Hour + 15*day)},
		{"physical shipped after the complaint", GoodsPhysical, paid.Add(81 * time.Hour), paid.Add(80 * time.Hour), paid.Add(80*time.Hour + 2*day)},
	}
	for _, tt := range tests {
		if got := ResolveBy(tt.kind, paid, tt.shipped, tt.complained); !got.Equal(tt.want) {
			t.Errorf("%s: ResolveBy = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestGoodsKindText(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    GoodsKind
		wantErr bool
	}{
		{"virtual", GoodsVirtual, false},
		{"service", GoodsVirtual, false},
		{"physical", GoodsPhysical, false},
		{"Physical", 0, true},
		{"", 0, true},
		{"digital", 0, true},
	} {
		got, err := ParseGoodsKind(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseGoodsKind(%q) = %v, %v", tt.in, got, err)
		}
		var k GoodsKind
		if err := k.UnmarshalText([]byte(tt.in)); (err != nil) != tt.wantErr || k != tt.want {
			t.Errorf("UnmarshalText(%q) = %v, %v", tt.in, k, err)
		}
	}
	for _, k := range []GoodsKind{GoodsVirtual, GoodsPhysical} {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back GoodsKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v does not round-trip through text: %q → %v, %v", k, b, back, err)
		}
	}
	if _, err := GoodsKind(7).MarshalText(); err == nil {
		t.Error("MarshalText of an unknown kind succeeded")
	}
	if GoodsKind(7).String() != "GoodsKind(7)" || ShippingState(9).String() != "ShippingState(9)" {
		t.Error("String of an unknown value does not show it")
	}
	for _, s := range []ShippingState{Shipped, NotShippedInTime, NotShippedOverdue} {
		if s.String() == "" || s.String()[0] == 'S' {
			t.Errorf("ShippingState %d has no name", int(s))
		}
	}
}

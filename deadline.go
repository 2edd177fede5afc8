package payfeedback

import (
	"fmt"
	"time"
)

// GoodsKind is what an order sold; it sets the deadlines of docs/protocol.md, "Deadlines".
type GoodsKind int

// The goods kinds of docs/protocol.md, "Deadlines".
const (
	// GoodsVirtual: virtual goods and services.
	GoodsVirtual GoodsKind = iota
	// GoodsPhysical: physical goods.
	GoodsPhysical
)

// String returns "virtual" or "physical".
func (k GoodsKind) String() string {
	switch k {
	case GoodsVirtual:
		return "virtual"
	case GoodsPhysical:
		return "physical"
	}
	return fmt.Sprintf("GoodsKind(%d)", int(k))
}

// ParseGoodsKind parses "virtual" (also "service") or "physical".
func ParseGoodsKind(s string) (GoodsKind, error) {
	switch s {
	case "virtual", "service":
		return GoodsVirtual, nil
	case "physical":
		return GoodsPhysical, nil
	}
	return 0, fmt.Errorf("payfeedback: unknown goods kind %q: want virtual or physical", clip(s))
}

// MarshalText implements encoding.TextMarshaler.
func (k GoodsKind) MarshalText() ([]byte, error) {
	if k != GoodsVirtual && k != GoodsPhysical {
		return nil, fmt.Errorf("payfeedback: unknown goods kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *GoodsKind) UnmarshalText(b []byte) error {
	v, err := ParseGoodsKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ShippingState is an order's shipping state when the user complained.
type ShippingState int

// The shipping states that choose a resolution deadline.
const (
	// Shipped: the merchant reported the order shipped.
	Shipped ShippingState = iota
	// NotShippedInTime: not shipped, but the shipping deadline had not yet
	// passed. WeChat's document is silent on this case; payfeedback treats it like
	// Shipped (docs/protocol.md, "Deadlines").
	NotShippedInTime
	// NotShippedOverdue: not shipped and the shipping deadline had passed.
	NotShippedOverdue
)

// String names the state.
func (s ShippingState) String() string {
	switch s {
	case Shipped:
		return "shipped"
	case NotShippedInTime:
		return "not shipped, within the shipping deadline"
	case NotShippedOverdue:
		return "not shipped, shipping deadline passed"
	}
	return fmt.Sprintf("ShippingState(%d)", int(s))
}

// ShippingDeadline is how long after payment the merchant must ship:
// 24 hours for virtual goods and services, 72 hours for physical goods.
func ShippingDeadline(kind GoodsKind) time.Duration {
	if kind == GoodsPhysical {
		return 72 * time.Hour
	}
	return 24 * time.Hour
}

// ResolutionDeadline is how long after a complaint the merchant has to
// resolve it (docs/protocol.md, "Deadlines"):
//
//	                        virtual/service  physical
//	not shipped, overdue    1 day            2 days
//	shipped (or in time)    3 days           15 days
func ResolutionDeadline(kind GoodsKind, state ShippingState) time.Duration {
	const day = 24 * time.Hour
	overdue := state == NotShippedOverdue
	switch {
	case kind == GoodsPhysical && overdue:
		return 2 * day
	case kind == GoodsPhysical:
		return 15 * day
	case overdue:
		return 1 * day
	default:
		return 3 * day
	}
}

// ShippingStateAt returns the shipping state of an order paid at paidAt
// when a complaint is filed at complainedAt. shippedAt is the zero Time for
// an order not shipped (or shipped after complainedAt). The shipping
// deadline has passed only strictly after paidAt+ShippingDeadline.
func ShippingStateAt(kind GoodsKind, paidAt, shippedAt, complainedAt time.Time) ShippingState {
	if !shippedAt.IsZero() && !shippedAt.After(complainedAt) {
		return Shipped
	}
	if complainedAt.After(paidAt.Add(ShippingDeadline(kind))) {
		return NotShippedOverdue
	}
	return NotShippedInTime
}

// ResolveBy returns the moment a complaint filed at complainedAt must be
// resolved by, from the order's kind and shipping history.
func ResolveBy(kind GoodsKind, paidAt, shippedAt, complainedAt time.Time) time.Time {
	state := ShippingStateAt(kind, paidAt, shippedAt, complainedAt)
	return complainedAt.Add(ResolutionDeadline(kind, state))
}

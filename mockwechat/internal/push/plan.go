package push

import (
	"errors"
	"strings"
	"time"
)

// Plan is what an injected fault does to one push attempt. The zero Plan
// is a plain attempt.
//
// A plan holds the attempt back (Drop, Late, OutOfOrder: each alone) or
// sends it with extras (Duplicate, TamperSignature, TamperFields: any
// combination), never both: Valid says so.
type Plan struct {
	// Hold says whether and how the attempt is held back.
	Hold Hold
	// Delay is how much later a Late attempt is made, on the fake's clock.
	Delay time.Duration
	// Extras are what a sent attempt carries besides the genuine document.
	Extras Extras
}

// Hold says whether an attempt is sent now or held back.
type Hold uint8

// The holds.
const (
	// SendNow: the attempt is made now (with its Extras).
	SendNow Hold = iota
	// Drop: the attempt is logged but never sent, and counts as failed,
	// so the retry schedule runs.
	Drop
	// Late: the attempt is made Delay later on the fake's clock.
	Late
	// OutOfOrder: the notification waits until another notification of
	// the account has been attempted, or the first retry delay.
	OutOfOrder
)

// Extras are what a sent attempt carries besides the genuine document, a
// set of flags.
type Extras uint8

// The extras.
const (
	// Duplicate: the same bytes are sent twice.
	Duplicate Extras = 1 << iota
	// TamperSignature: the AppSignature is altered; a correct receiver
	// refuses it and the retry carries a good one.
	TamperSignature
	// TamperFields: after the genuine document, a forged copy with the
	// same AppSignature and TimeStamp but another FeedBackId, TransId and
	// Reason; its answer never counts as an acknowledgement.
	TamperFields
)

// extraNames names each extra in logs, in the order they apply.
var extraNames = []struct {
	x    Extras
	name string
}{{Duplicate, "duplicate"}, {TamperSignature, "tamper-signature"}, {TamperFields, "tamper-fields"}}

// Valid reports whether the plan can be carried out.
func (p Plan) Valid() error {
	switch {
	case p.Hold > OutOfOrder:
		return errors.New("push plan: unknown hold")
	case p.Hold != SendNow && p.Extras != 0:
		return errors.New("push plan: drop, late and out-of-order each go alone (duplicate, tamper-signature and tamper-fields combine)")
	case p.Hold == Late && p.Delay <= 0:
		return errors.New("push plan: late needs a positive delay")
	case p.Hold != Late && p.Delay != 0:
		return errors.New("push plan: a delay goes with late only")
	case p.Extras&^(Duplicate|TamperSignature|TamperFields) != 0:
		return errors.New("push plan: unknown extra")
	}
	return nil
}

// String names the plan in the delivery log: "drop", "late 1m0s",
// "out-of-order", "duplicate+tamper-fields"…; "" for a plain attempt.
func (p Plan) String() string {
	switch p.Hold {
	case Drop:
		return "drop"
	case Late:
		return "late " + p.Delay.String()
	case OutOfOrder:
		return "out-of-order"
	}
	var parts []string
	for _, e := range extraNames {
		if p.Extras&e.x != 0 {
			parts = append(parts, e.name)
		}
	}
	return strings.Join(parts, "+")
}

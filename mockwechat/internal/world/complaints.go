package world

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
)

// ComplaintState is where a complaint is in the state machine of
// docs/protocol.md:
//
//	filed ──update──▶ handled ──user confirms──▶ confirmed (closed)
//	  │                  │
//	  │                  └──user rejects──▶ rejected ──update──▶ handled …
//	  └──user confirms (withdraws)──▶ confirmed
//
// Overdue and arbitration are not states but marks on a complaint (see
// Complaint.Overdue and Complaint.Arbitration).
type ComplaintState string

// The complaint states.
const (
	// StateFiled: the user complained; the merchant must handle it.
	StateFiled ComplaintState = "filed"
	// StateHandled: the merchant called /payfeedback/update; the user may
	// confirm or reject.
	StateHandled ComplaintState = "handled"
	// StateConfirmed: the user confirmed the complaint resolved (closed).
	StateConfirmed ComplaintState = "confirmed"
	// StateRejected: the user rejected the merchant's handling; the
	// merchant may handle it again, the user may ask for arbitration.
	StateRejected ComplaintState = "rejected"
)

// ArbitrationState is the MP console's arbitration state.
type ArbitrationState int

// The arbitration states 0–4. The console said only "3/4 arbitrated";
// the fake reads 3 as decided for the user and 4 for the merchant.
const (
	ArbitrationAwaitingEvidence   ArbitrationState = 0 // awaiting merchant evidence
	ArbitrationEvidenceMissed     ArbitrationState = 1 // evidence deadline missed
	ArbitrationUnderReview        ArbitrationState = 2 // evidence submitted, under arbitration
	ArbitrationDecidedForUser     ArbitrationState = 3 // arbitrated for the user
	ArbitrationDecidedForMerchant ArbitrationState = 4 // arbitrated for the merchant
)

// String names the state.
func (a ArbitrationState) String() string {
	switch a {
	case ArbitrationAwaitingEvidence:
		return "awaiting merchant evidence"
	case ArbitrationEvidenceMissed:
		return "evidence deadline missed"
	case ArbitrationUnderReview:
		return "evidence submitted, under arbitration"
	case ArbitrationDecidedForUser:
		return "arbitrated for the user"
	case ArbitrationDecidedForMerchant:
		return "arbitrated for the merchant"
	}
	return fmt.Sprintf("ArbitrationState(%d)", int(a))
}

// Arbitration is a complaint's arbitration by WeChat.
type Arbitration struct {
	State       ArbitrationState `json:"state"`
	RequestedAt time.Time        `json:"requested_at"`
	// EvidenceDeadline is RequestedAt + the evidence window.
	EvidenceDeadline time.Time `json:"evidence_deadline"`
	// Note and PicURLs are the merchant's evidence (at most 5 pictures).
	Note       string    `json:"note,omitempty"`
	PicURLs    []string  `json:"pic_urls,omitempty"`
	EvidenceAt time.Time `json:"evidence_at,omitzero"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
}

// ComplaintSpec is what a user files. Unknown users and orders are created.
//
// A complaint may also be filed without an order (NoOrder): WeChat's
// document marks TransId optional, and the notifications of such a
// complaint (request, confirm, reject) carry none. Having no payment to
// count a shipping deadline from, it gets the deadline of a shipped order
// of the Goods given (3 days virtual, 15 days physical), as a complaint
// about an order still within its shipping deadline does; its Shipping
// reads ShippingNoOrder.
type ComplaintSpec struct {
	// AppID is the account; "" means the only account when there is one.
	AppID string `json:"appid,omitempty"`
	// OpenID is the user; "" is generated (or the order's, when TransID
	// names an existing order).
	OpenID string `json:"openid,omitempty"`
	// TransID is the order complained about; "" is generated (none with
	// NoOrder).
	TransID string `json:"transid,omitempty"`
	// FeedBackID is the complaint's id; "" is generated. A given one is
	// 1 to 32 decimal digits, unused (scenarios name their complaints).
	FeedBackID string   `json:"feedback_id,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Solution   string   `json:"solution,omitempty"`
	ExtInfo    string   `json:"ext_info,omitempty"`
	PicURLs    []string `json:"pic_urls,omitempty"`
	// Goods, Shipped and PaidAt describe a new order (ignored for an
	// existing one): PaidAt zero is now; Shipped means shipped at PaidAt.
	// Without an order, Goods alone sets the deadline.
	Goods   payfeedback.GoodsKind `json:"goods"`
	Shipped bool                  `json:"shipped,omitempty"`
	PaidAt  time.Time             `json:"paid_at,omitzero"`
	// NoOrder files the complaint without an order: no order is created
	// or looked up, and TransID, Shipped and PaidAt must be left unset.
	NoOrder bool `json:"no_order,omitempty"`
}

// ShippingNoOrder is the Shipping of a complaint filed without an order.
const ShippingNoOrder = "no order"

// Complaint is a complaint and where it stands. TransID is "" for a
// complaint filed without an order.
type Complaint struct {
	FeedBackID string         `json:"feedback_id"`
	AppID      string         `json:"appid"`
	OpenID     string         `json:"openid"`
	TransID    string         `json:"transid"`
	State      ComplaintState `json:"state"`
	// Overdue is set when the Deadline passed while the complaint waited
	// for the merchant (filed, or rejected); it stays set.
	Overdue bool      `json:"overdue"`
	FiledAt time.Time `json:"filed_at"`
	// Deadline is payfeedback.ResolveBy for the order at filing time.
	Deadline time.Time `json:"deadline"`
	// Shipping is the order's shipping state at filing time
	// (payfeedback.ShippingState's text), or ShippingNoOrder.
	Shipping   string                `json:"shipping"`
	Goods      payfeedback.GoodsKind `json:"goods"`
	Reason     string                `json:"reason,omitempty"`
	Solution   string                `json:"solution,omitempty"`
	ExtInfo    string                `json:"ext_info,omitempty"`
	PicURLs    []string              `json:"pic_urls,omitempty"`
	HandledAt  time.Time             `json:"handled_at,omitzero"`
	ClosedAt   time.Time             `json:"closed_at,omitzero"`
	RejectedAt time.Time             `json:"rejected_at,omitzero"`
	// RejectReason is the reason the user gave when rejecting.
	RejectReason string `json:"reject_reason,omitempty"`
	// Updates counts the merchant's successful /payfeedback/update calls.
	Updates     int          `json:"updates"`
	Arbitration *Arbitration `json:"arbitration,omitempty"`
}

// Open reports whether the complaint still needs someone to act.
func (c Complaint) Open() bool {
	if c.Arbitration != nil {
		return c.Arbitration.State != ArbitrationDecidedForUser && c.Arbitration.State != ArbitrationDecidedForMerchant
	}
	return c.State != StateConfirmed
}

// Clone returns a deep copy of c.
func (c Complaint) Clone() Complaint {
	c.PicURLs = slices.Clone(c.PicURLs)
	if c.Arbitration != nil {
		a := *c.Arbitration
		a.PicURLs = slices.Clone(a.PicURLs)
		c.Arbitration = &a
	}
	return c
}

// complaint is a Complaint and its place in filing order (w.mu).
type complaint struct {
	Complaint
	seq int
}

// notification builds the notification of a complaint event.
func notification(c *Complaint, t payfeedback.MsgType) payfeedback.Notification {
	n := payfeedback.Notification{
		AppID:      c.AppID,
		OpenID:     c.OpenID,
		MsgType:    t,
		FeedBackID: c.FeedBackID,
		Reason:     c.Reason,
	}
	switch t {
	case payfeedback.MsgRequest:
		n.TransID = c.TransID
		n.Solution = c.Solution
		n.ExtInfo = c.ExtInfo
		n.PicURLs = slices.Clone(c.PicURLs)
	case payfeedback.MsgReject:
		if c.RejectReason != "" {
			n.Reason = c.RejectReason
		}
	}
	return n
}

// checkSize refuses a complaint whose notification would be larger than
// receivers accept (the middleware's limit, payfeedback.MaxNotificationSize).
// Ids not chosen yet are counted at their longest.
func checkSize(c Complaint, t payfeedback.MsgType) error {
	for _, id := range []*string{&c.FeedBackID, &c.OpenID, &c.TransID} {
		if *id == "" {
			*id = "0000000000000000000000000000"
		}
	}
	n := notification(&c, t)
	n.TimeStamp, n.SignMethod, n.AppSignature = "1700000000", payfeedback.SignMethodSHA1, "0000000000000000000000000000000000000000"
	b, err := n.Encode()
	if err != nil {
		return fmt.Errorf("mockwechat: the complaint cannot be encoded as a notification: %w", err)
	}
	if len(b) > payfeedback.MaxNotificationSize {
		return fmt.Errorf("mockwechat: the %s notification would be %d bytes: receivers accept at most %d (payfeedback.MaxNotificationSize): shorten the reason, solution, ext_info or pictures",
			t, len(b), payfeedback.MaxNotificationSize)
	}
	return nil
}

// Complaint returns a deep copy of a complaint.
func (w *World) Complaint(feedbackID string) (Complaint, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.complaints[feedbackID]
	if !ok {
		return Complaint{}, false
	}
	return c.Clone(), true
}

// Complaints returns deep copies of the complaints that match (nil: all)
// in filing order, starting after the complaint after ("": the first), at
// most limit of them (≤ 0: all).
func (w *World) Complaints(after string, limit int, match func(*Complaint) bool) ([]Complaint, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	from := 0
	if after != "" {
		c, ok := w.complaints[after]
		if !ok {
			return nil, fmt.Errorf("mockwechat: after=%s: no such complaint: %w", text.Clip(after, 64), ErrNotFound)
		}
		from = c.seq
	}
	out := []Complaint{}
	for _, c := range w.filed[from:] {
		if limit > 0 && len(out) == limit {
			break
		}
		if match == nil || match(&c.Complaint) {
			out = append(out, c.Clone())
		}
	}
	return out, nil
}

// maxCandidates is how many complaints an ambiguous prefix's error names.
const maxCandidates = 5

// ResolveComplaint returns the feedback id that id names: a complaint's
// whole id, or the start of exactly one complaint's, as git and docker
// take ids ("1524" for 1524000000000000001), so that an id cut short in a
// log or a console still names its complaint. It wraps ErrNotFound when
// no complaint's id starts so, and ErrAmbiguous, naming the first
// candidates in filing order, when several do.
func (w *World) ResolveComplaint(id string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.complaints[id]; ok {
		return id, nil
	}
	var found []string
	n := 0
	if id != "" {
		for _, c := range w.filed {
			if strings.HasPrefix(c.FeedBackID, id) {
				n++
				if len(found) < maxCandidates {
					found = append(found, c.FeedBackID)
				}
			}
		}
	}
	switch n {
	case 0:
		return "", fmt.Errorf("mockwechat: complaint %s: %w", text.Clip(id, 64), ErrNotFound)
	case 1:
		return found[0], nil
	}
	more := ""
	if n > len(found) {
		more = fmt.Sprintf(" and %d more", n-len(found))
	}
	return "", fmt.Errorf("mockwechat: complaint %s is %w: %d complaints' ids start so (%s%s): give more of the id",
		text.Clip(id, 64), ErrAmbiguous, n, strings.Join(found, ", "), more)
}

// complaintOf finds a complaint (w.mu held).
func (w *World) complaintOf(id string) (*complaint, error) {
	c, ok := w.complaints[id]
	if !ok {
		return nil, fmt.Errorf("mockwechat: complaint %s: %w", text.Clip(id, 64), ErrNotFound)
	}
	return c, nil
}

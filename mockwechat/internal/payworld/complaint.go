package payworld

import (
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// Complaint is a complaint and what the world keeps about it, as plain
// data: what the detail endpoint answers (Wire), the phone in clear, the
// negotiation history, and the state of its refund and immediate-service
// replies.
type Complaint struct {
	// Wire is the complaint as the detail endpoint answers it: payer_phone
	// encrypted with the merchant's API public key.
	Wire complaints.Complaint `json:"complaint"`
	// PayerPhone is the user's phone in clear, what Wire.PayerPhone
	// encrypts.
	PayerPhone string `json:"payer_phone"`
	// History is the negotiation history, oldest first.
	History []complaints.NegotiationHistory `json:"history"`
	// Refund is the merchant's decision on the refund asked for (nil: none
	// yet).
	Refund *Refund `json:"refund,omitempty"`
	// Idempotent maps each idempotent_id of an immediate-service reply
	// processed to the log_id it made.
	Idempotent map[string]string `json:"idempotent,omitempty"`
}

// Refund is the merchant's decision on a refund, and its arrival.
type Refund struct {
	Action          complaints.RefundAction `json:"action"`
	LaunchRefundDay *int                    `json:"launch_refund_day,omitempty"`
	RejectReason    string                  `json:"reject_reason,omitempty"`
	DecidedAt       time.Time               `json:"decided_at"`
	// ArrivedAt is when an approved refund reached the user (zero: not
	// yet).
	ArrivedAt time.Time `json:"arrived_at,omitzero"`
}

// ID returns the complaint's id.
func (c Complaint) ID() string { return c.Wire.ComplaintID }

// State returns the complaint's state.
func (c Complaint) State() complaints.ComplaintState { return c.Wire.ComplaintState }

// Clone returns a deep copy of c: nothing it holds is shared with c.
func (c Complaint) Clone() Complaint {
	c.Wire = cloneComplaint(c.Wire)
	if c.History != nil {
		h := make([]complaints.NegotiationHistory, len(c.History))
		for i := range c.History {
			h[i] = cloneHistory(c.History[i])
		}
		c.History = h
	}
	if c.Refund != nil {
		r := *c.Refund
		r.LaunchRefundDay = clonePtr(r.LaunchRefundDay)
		c.Refund = &r
	}
	c.Idempotent = cloneMap(c.Idempotent)
	return c
}

// record is a Complaint and its place in filing order (w.mu).
type record struct {
	Complaint
	seq uint64
}

// encryptPhone encrypts r's phone for key into payer_phone.
func encryptPhone(r *record, key *rsa.PublicKey) error {
	ct, err := apiv3.EncryptOAEP(key, r.PayerPhone)
	if err != nil {
		return fmt.Errorf("payworld: encrypt payer_phone: %w", err)
	}
	r.Wire.PayerPhone = ct
	return nil
}

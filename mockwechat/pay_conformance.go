package mockwechat

import (
	"context"

	"github.com/payfeedback/payfeedback/complaints"
)

// What the conformance suite needs beyond the Complaints 2.0 Go API: its
// plan sends callbacks it signs itself, as WeChat, about complaints the
// merchant must find at the fake, so it files and resolves them without
// the fake's own callbacks.

// FilePayComplaintQuietly files a Complaints 2.0 complaint as
// FilePayComplaint does, PENDING, without announcing it: no
// COMPLAINT.CREATE callback is sent. For a caller that sends the callbacks
// itself (the conformance suite's Complaints 2.0 plan).
func (s *Server) FilePayComplaintQuietly(ctx context.Context, spec PayComplaintSpec) (PayComplaint, error) {
	if err := ctxErr(ctx); err != nil {
		return PayComplaint{}, err
	}
	p, err := s.payOn()
	if err != nil {
		return PayComplaint{}, err
	}
	c, fx, err := p.world.File(payComplaintSpecToWorld(spec))
	if err != nil {
		return PayComplaint{}, err
	}
	fx.Callbacks = nil
	s.applyPay(fx)
	return payComplaintFromWorld(c), nil
}

// ResolvePayComplaint makes a Complaints 2.0 complaint PROCESSED without a
// callback, as the merchant's reply and completion would (a
// MERCHANT_RESPONSE entry when it is PENDING, then a
// MERCHANT_CONFIRM_COMPLETE one); a PROCESSED complaint is left as it is.
// The merchant's call log does not show it: it is WeChat's side of the
// story, for a caller that announces the change itself.
func (s *Server) ResolvePayComplaint(ctx context.Context, complaintID string) (PayComplaint, error) {
	if err := ctxErr(ctx); err != nil {
		return PayComplaint{}, err
	}
	p, err := s.payOn()
	if err != nil {
		return PayComplaint{}, err
	}
	c, ok := p.world.Complaint(complaintID)
	if !ok {
		_, err := p.world.Detail(p.id.Merchant().MchID, complaintID) // the world's own not-found error
		return PayComplaint{}, err
	}
	mchid := c.Wire.ComplaintedMchID
	if c.Wire.ComplaintState == complaints.StatePending {
		fx, err := p.world.Respond(mchid, complaintID, complaints.ResponseRequest{ComplaintedMchID: mchid, ResponseContent: "已处理"})
		if err != nil {
			return PayComplaint{}, err
		}
		s.applyPay(fx)
	}
	if c.Wire.ComplaintState != complaints.StateProcessed {
		fx, err := p.world.Complete(mchid, complaintID, complaints.CompleteRequest{ComplaintedMchID: mchid})
		if err != nil {
			return PayComplaint{}, err
		}
		s.applyPay(fx)
	}
	c, _ = p.world.Complaint(complaintID)
	return payComplaintFromWorld(c), nil
}

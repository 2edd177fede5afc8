package mockwechat

import (
	"context"
	"fmt"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// The Go API over complaints: the user's and WeChat's acts, each the
// world's transition with its effects handed to the bus.

// FileComplaint files a complaint as a user would: it creates the user and
// the order when new (or files without an order: ComplaintSpec.NoOrder;
// an order has at most one open complaint, the kit's choice: ErrState),
// sets the deadline of payfeedback.ResolveBy, counts as the user's
// interaction, and pushes a "request" notification to the
// account's payfeedback_url (asynchronously: see WaitForDelivery). A
// complaint whose notification would exceed what receivers accept
// (payfeedback.MaxNotificationSize) is refused.
func (s *Server) FileComplaint(ctx context.Context, spec ComplaintSpec) (Complaint, error) {
	c, err := s.fileComplaint(ctx, complaintSpecToWorld(spec))
	return complaintFromWorld(c), err
}

func (s *Server) fileComplaint(ctx context.Context, spec world.ComplaintSpec) (world.Complaint, error) {
	if err := ctxErr(ctx); err != nil {
		return world.Complaint{}, err
	}
	c, fx, err := s.world.File(spec)
	s.apply(fx)
	return c, err
}

// Confirm plays the user confirming the complaint resolved: allowed when it
// is filed (the user withdraws it: the kit's choice, as the document
// describes confirm after the merchant's handling only), handled or
// rejected, and not under arbitration. It closes the complaint and pushes
// "confirm".
func (s *Server) Confirm(ctx context.Context, feedbackID string) error {
	return s.act(ctx, func() (world.Complaint, events.Effects, error) { return s.world.Confirm(feedbackID) })
}

// Reject plays the user rejecting the merchant's handling: allowed only
// when the complaint is handled. It pushes "reject" carrying the
// complaint's reason.
func (s *Server) Reject(ctx context.Context, feedbackID string) error {
	return s.RejectWithReason(ctx, feedbackID, "")
}

// RejectWithReason is Reject with the user's reason for rejecting, carried
// in the notification's Reason.
func (s *Server) RejectWithReason(ctx context.Context, feedbackID, reason string) error {
	return s.act(ctx, func() (world.Complaint, events.Effects, error) { return s.world.Reject(feedbackID, reason) })
}

// RequestArbitration plays the user asking WeChat to arbitrate: allowed
// when the complaint is overdue or rejected, and not confirmed. The
// arbitration starts in state 0 (awaiting merchant evidence) and moves to
// state 1 when Options.EvidenceWindow passes without evidence.
func (s *Server) RequestArbitration(ctx context.Context, feedbackID string) error {
	return s.act(ctx, func() (world.Complaint, events.Effects, error) { return s.world.RequestArbitration(feedbackID) })
}

// SubmitEvidence plays the merchant submitting arbitration evidence in the
// MP console (a note and at most 5 pictures): allowed in state 0; moves the
// arbitration to state 2.
func (s *Server) SubmitEvidence(ctx context.Context, feedbackID, note string, picURLs []string) error {
	return s.act(ctx, func() (world.Complaint, events.Effects, error) {
		return s.world.SubmitEvidence(feedbackID, note, picURLs)
	})
}

// Arbitrate plays WeChat deciding an arbitration (state 1 or 2): for the
// user (state 3) or for the merchant (state 4). It closes the complaint.
func (s *Server) Arbitrate(ctx context.Context, feedbackID string, forUser bool) error {
	return s.act(ctx, func() (world.Complaint, events.Effects, error) { return s.world.Arbitrate(feedbackID, forUser) })
}

func (s *Server) act(ctx context.Context, transition func() (world.Complaint, events.Effects, error)) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	_, fx, err := transition()
	s.apply(fx)
	return err
}

// Complaint returns a complaint by feedback id.
func (s *Server) Complaint(feedbackID string) (Complaint, bool) {
	c, ok := s.world.Complaint(feedbackID)
	return complaintFromWorld(c), ok
}

// Complaints returns every complaint in filing order.
func (s *Server) Complaints() []Complaint {
	cs, _ := s.world.Complaints("", 0, nil)
	return convertAll(cs, complaintFromWorld)
}

// WaitForComplaint waits until the complaint satisfies match (checked now
// and after every change; nil matches at once) or ctx ends (a ctx without
// a deadline: Options.WaitTimeout), and returns it. When ctx ends first,
// the error says where the complaint stands, wrapping ctx's error.
func (s *Server) WaitForComplaint(ctx context.Context, feedbackID string, match func(Complaint) bool) (Complaint, error) {
	var m func(world.Complaint) bool
	if match != nil {
		m = func(c world.Complaint) bool { return match(complaintFromWorld(c)) }
	}
	ctx, cancel, bounded := s.waitCtx(ctx)
	defer cancel()
	c, err := s.waitForComplaint(ctx, feedbackID, m)
	what := "complaint " + text.Clip(feedbackID, 64) + " to match (WaitForComplaint)"
	return complaintFromWorld(c), s.waitError(ctx, bounded, err, what, s.seenComplaint(feedbackID))
}

func (s *Server) waitForComplaint(ctx context.Context, feedbackID string, match func(world.Complaint) bool) (world.Complaint, error) {
	return events.Wait(ctx, s.feed, func() (world.Complaint, bool, error) {
		c, ok := s.world.Complaint(feedbackID)
		if !ok {
			return c, false, fmt.Errorf("mockwechat: complaint %s: %w", text.Clip(feedbackID, 64), ErrNotFound)
		}
		return c, match == nil || match(c), nil
	})
}

package mockwechat

import (
	"context"

	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// The Go API over the world's accounts, users, orders, media and tokens.
// Each call is the world's, its effects handed to the bus; the unexported
// forms in the world's own types serve the admin API too.

// AddAccount adds an official account to the world. It fails when the
// account is incomplete or its appid exists.
func (s *Server) AddAccount(a Account) error { return s.addAccount(accountToWorld(a)) }

func (s *Server) addAccount(a world.Account) error {
	fx, err := s.world.AddAccount(a)
	s.apply(fx)
	return err
}

// Accounts returns the accounts, credentials included (the admin API masks
// them), deep copies sorted by appid.
func (s *Server) Accounts() []Account { return convertAll(s.world.Accounts(), accountFromWorld) }

// PatchAccount changes an account's settings (nil fields stay) and returns
// the account; appID "" means the only account.
func (s *Server) PatchAccount(appID string, p AccountPatch) (Account, error) {
	a, err := s.patchAccount(appID, accountPatchToWorld(p))
	return accountFromWorld(a), err
}

func (s *Server) patchAccount(appID string, p world.AccountPatch) (world.Account, error) {
	a, fx, err := s.world.PatchAccount(appID, p)
	s.apply(fx)
	return a, err
}

// SetNotifyURL sets an account's payfeedback_url; "" stops pushes.
func (s *Server) SetNotifyURL(appID, u string) error {
	_, err := s.PatchAccount(appID, AccountPatch{NotifyURL: &u})
	return err
}

// SetPayPermission grants or withdraws an account's pay permission; without
// it /payfeedback/update and /pay/delivernotify answer 48001.
func (s *Server) SetPayPermission(appID string, allowed bool) error {
	_, err := s.PatchAccount(appID, AccountPatch{PayPermission: &allowed})
	return err
}

// SetMessagePermission grants or withdraws an account's customer-service
// message permission; without it /cgi-bin/message/custom/send answers
// 48001.
func (s *Server) SetMessagePermission(appID string, allowed bool) error {
	_, err := s.PatchAccount(appID, AccountPatch{MessagePermission: &allowed})
	return err
}

// SetReasons sets an account's merchant-defined complaint reasons: at most
// MaxChoices, each 1 to MaxChoiceLen characters (runes, not bytes).
func (s *Server) SetReasons(appID string, reasons []string) error {
	_, err := s.PatchAccount(appID, AccountPatch{Reasons: &reasons})
	return err
}

// SetSolutions sets an account's merchant-defined solutions, with the rules
// of SetReasons.
func (s *Server) SetSolutions(appID string, solutions []string) error {
	_, err := s.PatchAccount(appID, AccountPatch{Solutions: &solutions})
	return err
}

// Reasons returns an account's merchant-defined reasons; nil for an
// unknown account.
func (s *Server) Reasons(appID string) []string {
	a, _ := s.world.Account(appID)
	return a.Reasons
}

// Solutions returns an account's merchant-defined solutions; nil for an
// unknown account.
func (s *Server) Solutions(appID string) []string {
	a, _ := s.world.Account(appID)
	return a.Solutions
}

// Interact records that the user sent the account a message now, creating
// the user when new. It opens the messaging window. RecordInteraction
// records another kind, or another time.
func (s *Server) Interact(appID, openID string) (User, error) {
	return s.RecordInteraction(Interaction{AppID: appID, OpenID: openID})
}

// RecordInteraction records a user's interaction with an account — a
// message, a menu click, a subscription, a QR-code scan, a payment or a
// complaint, now or earlier on the fake's clock — creating the user when
// new. The messaging window runs from the user's last interaction: an
// interaction earlier than one already recorded changes nothing.
func (s *Server) RecordInteraction(in Interaction) (User, error) {
	u, err := s.recordInteraction(interactionToWorld(in))
	return userFromWorld(u), err
}

func (s *Server) recordInteraction(in world.Interaction) (world.User, error) {
	u, fx, err := s.world.Interact(in)
	s.apply(fx)
	return u, err
}

// User returns a user of an account.
func (s *Server) User(appID, openID string) (User, bool) {
	u, ok := s.world.User(appID, openID)
	return userFromWorld(u), ok
}

// AddOrder adds a paid order (TransID "" is generated, PaidAt zero is now,
// OpenID "" is generated), creating the user; paying counts as an
// interaction. It fails when the transid exists.
func (s *Server) AddOrder(o Order) (Order, error) {
	w, err := s.addOrder(orderToWorld(o))
	return orderFromWorld(w), err
}

func (s *Server) addOrder(o world.Order) (world.Order, error) {
	o, fx, err := s.world.AddOrder(o)
	s.apply(fx)
	return o, err
}

// Order returns an order by transid.
func (s *Server) Order(transID string) (Order, bool) {
	o, ok := s.world.Order(transID)
	return orderFromWorld(o), ok
}

// AddMedia registers a media id without an upload, for tests that need one
// quickly. kind is image, voice, video or thumb.
func (s *Server) AddMedia(appID, kind string) (Media, error) {
	m, err := s.addMedia(appID, kind)
	return mediaFromWorld(m), err
}

func (s *Server) addMedia(appID, kind string) (world.Media, error) {
	m, fx, err := s.world.AddMedia(appID, kind, s.world.NewValue())
	s.apply(fx)
	return m, err
}

// Token issues a token for an account as the token API would, without a
// call (nor its daily quota), for tests that need one quickly.
func (s *Server) Token(appID string) (string, error) {
	t, err := s.world.IssueToken(appID, s.world.NewValue())
	return t.Value, err
}

// Inbox returns the messages delivered to openID by any account (accounts
// by appid, each oldest first): the last Options.InboxSize per user.
func (s *Server) Inbox(openID string) []Message {
	return convertAll(s.world.Inbox(openID), messageFromWorld)
}

// InboxOf returns the messages one account delivered to a user.
func (s *Server) InboxOf(appID, openID string) []Message {
	return convertAll(s.world.InboxOf(appID, openID), messageFromWorld)
}

// ctxErr is ctx's error; a nil ctx never ends.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

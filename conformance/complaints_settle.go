package conformance

import (
	"errors"
	"fmt"
)

// settlePay checks the options of a Complaints 2.0 run and applies its
// defaults (those the plans share are settle's).
func (s *settings) settlePay() error {
	switch {
	case s.PayKeys == nil:
		return errors.New("conformance: Options.PayKeys is required with PlanComplaints: the keys the suite signs callbacks with (LoadPayKeys reads the directory the fake WeChat writes, payfeedback mock --pay-keys DIR)")
	case s.Merchant != nil && s.Handler != nil:
		return errors.New("conformance: with PlanComplaints, Options.Merchant builds the merchant's handler wired to the embedded fake WeChat: leave Options.Handler empty")
	case (s.API || s.Merchant != nil) && s.Observer != nil:
		return errors.New("conformance: with Options.API the embedded fake WeChat observes the merchant's work: leave Options.Observer empty")
	case s.APIAddr != "" && !s.API && s.Merchant == nil:
		return errors.New("conformance: Options.APIAddr is where the embedded fake WeChat listens, which runs only with Options.API: set both")
	case s.RespondWithin < 0:
		return errors.New("conformance: Options.RespondWithin must not be negative (0: DefaultRespondWithin, 24 h)")
	}
	if s.Merchant != nil {
		s.API = true // the merchant is wired to the fake: the API cases judge it
	}
	if s.RespondWithin == 0 {
		s.RespondWithin = DefaultRespondWithin
	}
	mode, err := ParseKeyMode(string(s.KeyMode))
	if err != nil {
		return err
	}
	s.KeyMode = mode
	if err := s.PayKeys.check(); err != nil {
		return fmt.Errorf("conformance: Options.PayKeys: %w", err)
	}
	switch {
	case mode.usesPublicKey() && s.PayKeys.PublicKey == nil:
		return fmt.Errorf("conformance: key mode %s signs callbacks with the WeChat Pay public key, and Options.PayKeys has none (%s): give it, or key mode %s", mode, FileWeChatPayPrivateKey, KeyModePlatformCertificate)
	case mode.usesPlatform() && s.PayKeys.Platform == nil:
		return fmt.Errorf("conformance: key mode %s signs callbacks with the platform certificate, and Options.PayKeys has none (%s, %s): give it, or key mode %s", mode, FilePlatformCertificate, FilePlatformKey, KeyModePublicKey)
	}
	if s.StaleAge == 0 {
		s.StaleAge = DefaultCallbackSkew
	}
	if s.FutureSkew == 0 {
		s.FutureSkew = DefaultCallbackSkew
	}
	if s.Oversize == 0 {
		s.Oversize = DefaultCallbackOversize
	}
	return nil
}

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
	case s.Merchant != nil:
		return errors.New("conformance: Options.Merchant builds a V1.5 merchant wired to the V1.5 fake: give a Complaints 2.0 merchant as Options.Handler")
	case s.API, s.VirtualClock, s.APIAddr != "":
		return errors.New("conformance: Options.API, APIAddr and VirtualClock start the V1.5 fake WeChat; the Complaints 2.0 plan's --api part is not in this build: give Options.Observer to judge the cases that need it")
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

package mockwechat

import (
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// MaxChoices is how many merchant-defined complaint reasons, and how many
// solutions, an account may have; each is 1 to MaxChoiceLen characters.
const (
	MaxChoices   = 3
	MaxChoiceLen = 15
)

// account is an Account and its mutable state, guarded by Server.mu except
// the token slots (Server.tokMu) and the limiter (safe by itself).
type account struct {
	Account
	limiter   *rate.Limiter // nil: unlimited
	cur, prev *token        // guarded by tokMu
}

func (s *Server) newAccount(a Account) *account {
	a.Reasons = append([]string(nil), a.Reasons...)
	a.Solutions = append([]string(nil), a.Solutions...)
	acc := &account{Account: a}
	n := a.TokenCallsPerDay
	if n == 0 {
		n = s.set.TokenCallsPerDay
	}
	if n > 0 {
		acc.limiter = rate.NewLimiter(rate.Every(24*time.Hour/time.Duration(n)), n)
		// Start full at the fake's current time, virtual or real.
		acc.limiter.AllowN(s.sched.now(), 0)
	}
	return acc
}

// AddAccount adds an official account to the world. It fails when the
// account is incomplete or its appid exists.
func (s *Server) AddAccount(a Account) error {
	if err := a.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[a.AppID]; ok {
		return fmt.Errorf("mockwechat: account %s exists", a.AppID)
	}
	s.accounts[a.AppID] = s.newAccount(a)
	return nil
}

// Accounts returns the accounts, credentials included (the admin API masks
// them).
func (s *Server) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Account, 0, len(s.accounts))
	for _, a := range s.accounts {
		c := a.Account
		c.Reasons = append([]string(nil), c.Reasons...)
		c.Solutions = append([]string(nil), c.Solutions...)
		out = append(out, c)
	}
	sortBy(out, func(a Account) string { return a.AppID })
	return out
}

// SetNotifyURL sets an account's payfeedback_url; "" stops pushes.
func (s *Server) SetNotifyURL(appID, u string) error {
	if err := checkURL(u); err != nil {
		return err
	}
	return s.withAccount(appID, func(a *account) error {
		a.NotifyURL = u
		return nil
	})
}

// SetPayPermission grants or withdraws an account's pay permission; without
// it /payfeedback/update and /pay/delivernotify answer 48001.
func (s *Server) SetPayPermission(appID string, allowed bool) error {
	return s.withAccount(appID, func(a *account) error {
		a.NoPayPermission = !allowed
		return nil
	})
}

// SetReasons sets an account's merchant-defined complaint reasons: at most
// MaxChoices, each 1 to MaxChoiceLen characters (runes, not bytes).
func (s *Server) SetReasons(appID string, reasons []string) error {
	if err := checkChoices("reason", reasons); err != nil {
		return err
	}
	return s.withAccount(appID, func(a *account) error {
		a.Reasons = append([]string(nil), reasons...)
		return nil
	})
}

// SetSolutions sets an account's merchant-defined solutions, with the rules
// of SetReasons.
func (s *Server) SetSolutions(appID string, solutions []string) error {
	if err := checkChoices("solution", solutions); err != nil {
		return err
	}
	return s.withAccount(appID, func(a *account) error {
		a.Solutions = append([]string(nil), solutions...)
		return nil
	})
}

// Reasons returns an account's merchant-defined reasons.
func (s *Server) Reasons(appID string) []string {
	var out []string
	s.withAccount(appID, func(a *account) error {
		out = append([]string(nil), a.Reasons...)
		return nil
	})
	return out
}

// Solutions returns an account's merchant-defined solutions.
func (s *Server) Solutions(appID string) []string {
	var out []string
	s.withAccount(appID, func(a *account) error {
		out = append([]string(nil), a.Solutions...)
		return nil
	})
	return out
}

func checkChoices(what string, items []string) error {
	if len(items) > MaxChoices {
		return fmt.Errorf("mockwechat: %d %ss given: an account has at most %d", len(items), what, MaxChoices)
	}
	for i, it := range items {
		n := utf8.RuneCountInString(it)
		if !utf8.ValidString(it) || n < 1 || n > MaxChoiceLen {
			return fmt.Errorf("mockwechat: %s %d has %d characters: want 1 to %d characters (runes, not bytes)", what, i+1, n, MaxChoiceLen)
		}
	}
	return nil
}

// withAccount runs f on the account under the world lock.
func (s *Server) withAccount(appID string, f func(a *account) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(appID)
	if err != nil {
		return err
	}
	return f(a)
}

// accountLocked finds an account; appID "" means the only account, when
// there is exactly one.
func (s *Server) accountLocked(appID string) (*account, error) {
	if appID == "" {
		if len(s.accounts) == 1 {
			for _, a := range s.accounts {
				return a, nil
			}
		}
		return nil, fmt.Errorf("mockwechat: no appid given and the fake has %d accounts: say which", len(s.accounts))
	}
	a, ok := s.accounts[appID]
	if !ok {
		return nil, fmt.Errorf("mockwechat: no account %s: add it first (AddAccount or POST /_mock/accounts): %w", clip(appID, 64), ErrNotFound)
	}
	return a, nil
}

func checkURL(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("mockwechat: notify URL %q is not an absolute http(s) URL", clip(u, 128))
	}
	return nil
}

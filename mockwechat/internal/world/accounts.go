package world

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// MaxChoices is how many merchant-defined complaint reasons, and how many
// solutions, an account may have; each is 1 to MaxChoiceLen characters.
const (
	MaxChoices   = 3
	MaxChoiceLen = 15
)

// Account is one official account of the fake world.
type Account struct {
	// AppID is the account's appid (required).
	AppID string `json:"appid"`
	// Secret is the appSecret the token API checks (required). It is never
	// recorded in the call log nor shown by the admin API.
	Secret string `json:"secret"`
	// PaySignKey signs the notifications pushed to NotifyURL and verifies
	// deliver-notify signatures (required). Never shown by the admin API.
	PaySignKey string `json:"paysignkey"`
	// NotifyURL is the account's payfeedback_url; "" means no pushes.
	NotifyURL string `json:"notify_url"`
	// NoPayPermission makes /payfeedback/update and /pay/delivernotify
	// answer 48001 (api unauthorized) for this account.
	NoPayPermission bool `json:"no_pay_permission"`
	// NoMessagePermission makes /cgi-bin/message/custom/send answer 48001
	// (api unauthorized) for this account: it lacks the customer-service
	// message permission, which an account applies for.
	NoMessagePermission bool `json:"no_message_permission"`
	// TokenCallsPerDay limits token calls for this account (45009 beyond,
	// counted per day, reset at midnight Beijing time); 0 means the
	// fake's default.
	TokenCallsPerDay int `json:"token_calls_per_day,omitempty"`
	// Reasons and Solutions are the merchant-defined complaint reasons and
	// solutions: at most MaxChoices each, 1 to MaxChoiceLen characters.
	Reasons   []string `json:"reasons"`
	Solutions []string `json:"solutions"`
}

// Clone returns a deep copy of a.
func (a Account) Clone() Account {
	a.Reasons = slices.Clone(a.Reasons)
	a.Solutions = slices.Clone(a.Solutions)
	return a
}

// Masked returns a copy fit to show: secret and key replaced by "***",
// reasons and solutions never nil.
func (a Account) Masked() Account {
	a = a.Clone()
	a.Secret, a.PaySignKey = "***", "***"
	if a.Reasons == nil {
		a.Reasons = []string{}
	}
	if a.Solutions == nil {
		a.Solutions = []string{}
	}
	return a
}

// Validate checks the account is complete and its choices fit.
func (a Account) Validate() error {
	switch {
	case a.AppID == "":
		return fmt.Errorf("mockwechat: account has no appid: set Account.AppID")
	case a.Secret == "":
		return fmt.Errorf("mockwechat: account %s has no secret: set Account.Secret", text.Clip(a.AppID, 64))
	case a.PaySignKey == "":
		return fmt.Errorf("mockwechat: account %s has no paySignKey: set Account.PaySignKey", text.Clip(a.AppID, 64))
	case a.TokenCallsPerDay < 0:
		return fmt.Errorf("mockwechat: account %s: TokenCallsPerDay must be 0 (default) or positive", text.Clip(a.AppID, 64))
	}
	if err := checkChoices("reason", a.Reasons); err != nil {
		return err
	}
	if err := checkChoices("solution", a.Solutions); err != nil {
		return err
	}
	return checkURL(a.NotifyURL)
}

// AccountPatch changes some of an account's settings; nil fields stay.
type AccountPatch struct {
	NotifyURL         *string   `json:"notify_url"`
	PayPermission     *bool     `json:"pay_permission"`
	MessagePermission *bool     `json:"message_permission"`
	Reasons           *[]string `json:"reasons"`
	Solutions         *[]string `json:"solutions"`
}

// AccountState is an account and its daily token count.
type AccountState struct {
	Account `yaml:",inline"`
	Quota   Quota `json:"quota"`
	// Token and PreviousToken are the latest access_token and the one it
	// superseded (valid during the grace period).
	Token         string `json:"token,omitempty"`
	PreviousToken string `json:"previous_token,omitempty"`
}

// AddAccount adds an official account. It fails when the account is
// incomplete or its appid exists.
func (w *World) AddAccount(a Account) (events.Effects, error) {
	if err := a.Validate(); err != nil {
		return events.Effects{}, err
	}
	if err := w.lock(); err != nil {
		return events.Effects{}, err
	}
	defer w.mu.Unlock()
	if _, ok := w.accounts[a.AppID]; ok {
		return events.Effects{}, fmt.Errorf("mockwechat: account %s exists", text.Clip(a.AppID, 64))
	}
	w.accounts[a.AppID] = &AccountState{Account: a.Clone()}
	return events.Effects{Changes: []events.Change{{What: events.AccountAdded, AppID: a.AppID}}}, nil
}

// Accounts returns deep copies of the accounts by appid, credentials
// included.
func (w *World) Accounts() []Account {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Account, 0, len(w.accounts))
	for _, a := range w.accounts {
		out = append(out, a.Account.Clone())
	}
	slices.SortFunc(out, func(a, b Account) int { return cmp.Compare(a.AppID, b.AppID) })
	return out
}

// Account returns a deep copy of an account; appID "" means the only one.
func (w *World) Account(appID string) (Account, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, err := w.account(appID)
	if err != nil {
		return Account{}, err
	}
	return a.Account.Clone(), nil
}

// PatchAccount changes an account's settings, all or none.
func (w *World) PatchAccount(appID string, p AccountPatch) (Account, events.Effects, error) {
	if p.NotifyURL != nil {
		if err := checkURL(*p.NotifyURL); err != nil {
			return Account{}, events.Effects{}, err
		}
	}
	for _, c := range []struct {
		what  string
		items *[]string
	}{{"reason", p.Reasons}, {"solution", p.Solutions}} {
		if c.items != nil {
			if err := checkChoices(c.what, *c.items); err != nil {
				return Account{}, events.Effects{}, err
			}
		}
	}
	if err := w.lock(); err != nil {
		return Account{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	a, err := w.account(appID)
	if err != nil {
		return Account{}, events.Effects{}, err
	}
	if p.NotifyURL != nil {
		a.NotifyURL = *p.NotifyURL
	}
	if p.PayPermission != nil {
		a.NoPayPermission = !*p.PayPermission
	}
	if p.MessagePermission != nil {
		a.NoMessagePermission = !*p.MessagePermission
	}
	if p.Reasons != nil {
		a.Reasons = slices.Clone(*p.Reasons)
	}
	if p.Solutions != nil {
		a.Solutions = slices.Clone(*p.Solutions)
	}
	return a.Account.Clone(), events.Effects{Changes: []events.Change{{What: events.AccountChanged, AppID: a.AppID}}}, nil
}

// Target returns where and with which key to push for an account now.
func (w *World) Target(appID string) (notifyURL, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if a, ok := w.accounts[appID]; ok {
		return a.NotifyURL, a.PaySignKey
	}
	return "", ""
}

// account finds an account (w.mu held); appID "" means the only account,
// when there is exactly one.
func (w *World) account(appID string) (*AccountState, error) {
	if appID == "" {
		if len(w.accounts) == 1 {
			for _, a := range w.accounts {
				return a, nil
			}
		}
		return nil, fmt.Errorf("mockwechat: no appid given and the fake has %d accounts: say which", len(w.accounts))
	}
	a, ok := w.accounts[appID]
	if !ok {
		return nil, fmt.Errorf("mockwechat: no account %s: add it first (AddAccount or POST /_mock/accounts): %w", text.Clip(appID, 64), ErrNotFound)
	}
	return a, nil
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

func checkURL(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("mockwechat: notify URL %q is not an absolute http(s) URL", text.Clip(u, 128))
	}
	return nil
}

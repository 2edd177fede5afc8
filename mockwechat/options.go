package mockwechat

import (
	"fmt"
	"log/slog"
	"time"
)

// Defaults of Options. Each is documented in doc.go and README.md.
const (
	// DefaultTokenTTL is the access_token lifetime, expires_in 7200.
	DefaultTokenTTL = 7200 * time.Second
	// DefaultTokenGrace is how long a token stays valid after a newer one
	// was issued (PROTOCOL §5: "both work for 5 minutes").
	DefaultTokenGrace = 5 * time.Minute
	// DefaultMessageWindow is how long after the user's last interaction
	// the merchant may send customer-service messages (the seed's 24 h).
	DefaultMessageWindow = 24 * time.Hour
	// DefaultNewsLimit is the most articles a news message may carry.
	DefaultNewsLimit = 10
	// DefaultMediaTTL is how long an uploaded media id stays valid.
	DefaultMediaTTL = 72 * time.Hour
	// DefaultPushTimeout bounds one push attempt.
	DefaultPushTimeout = 5 * time.Second
	// DefaultPushConcurrency is how many pushes run at once.
	DefaultPushConcurrency = 8
	// DefaultCallLogSize is how many API calls the call log keeps.
	DefaultCallLogSize = 10000
	// DefaultDeliveryLogSize is how many finished deliveries the delivery
	// log keeps (pending ones are always kept).
	DefaultDeliveryLogSize = 10000
	// DefaultInboxSize is how many messages a user's inbox keeps.
	DefaultInboxSize = 1000
	// DefaultMaxMedia is how many media ids the fake remembers.
	DefaultMaxMedia = 10000
	// DefaultEvidenceWindow is how long a merchant has to submit
	// arbitration evidence before the arbitration moves to state 1.
	DefaultEvidenceWindow = 72 * time.Hour
	// DefaultAddr is where Start listens when Options.Addr is empty.
	DefaultAddr = "127.0.0.1:0"
	// RealDailyTokenQuota is the live API's token quota per account and
	// day, for Options.TokenCallsPerDay.
	RealDailyTokenQuota = 2000
)

// DefaultRetrySchedule returns the default delays between push attempts
// after a failed one: 15 retries over about 24 hours, the schedule WeChat
// Pay uses for its other notifications.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{
		15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * time.Minute,
		10 * time.Minute, 20 * time.Minute, 30 * time.Minute, 30 * time.Minute,
		30 * time.Minute, 60 * time.Minute, 3 * time.Hour, 3 * time.Hour,
		3 * time.Hour, 6 * time.Hour, 6 * time.Hour,
	}
}

// NewsOverflow says what the fake does with a news message of more
// articles than Options.NewsLimit.
type NewsOverflow string

const (
	// NewsOverflowError answers errcode 45008 (the live API). The default.
	NewsOverflowError NewsOverflow = "error"
	// NewsOverflowSilent is the seed's "no response": the fake answers
	// HTTP 200 with an empty body and delivers nothing. The call is
	// recorded with errcode 45008.
	NewsOverflowSilent NewsOverflow = "silent"
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
	NotifyURL string `json:"notify_url,omitempty"`
	// NoPayPermission makes /payfeedback/update and /pay/delivernotify
	// answer 48001 (api unauthorized) for this account.
	NoPayPermission bool `json:"no_pay_permission,omitempty"`
	// TokenCallsPerDay limits token calls for this account (45009 beyond);
	// 0 means Options.TokenCallsPerDay.
	TokenCallsPerDay int `json:"token_calls_per_day,omitempty"`
	// Reasons and Solutions are the merchant-defined complaint reasons and
	// solutions: at most MaxChoices each, 1 to MaxChoiceLen characters.
	Reasons   []string `json:"reasons,omitempty"`
	Solutions []string `json:"solutions,omitempty"`
}

// DemoAccount returns the fixed demo account a server starts with when
// Options.Accounts is empty. Its credentials are public: never use them
// outside tests.
func DemoAccount() Account {
	return Account{
		AppID:      "wxde70c0ffee5a1e00",
		Secret:     "de70de70de70de70de70de70de70de70",
		PaySignKey: "DemoPaySignKeyForMockWeChatOnlyNeverUseInProduction0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxy",
	}
}

func (a Account) validate() error {
	switch {
	case a.AppID == "":
		return fmt.Errorf("mockwechat: account has no appid: set Account.AppID")
	case a.Secret == "":
		return fmt.Errorf("mockwechat: account %s has no secret: set Account.Secret", a.AppID)
	case a.PaySignKey == "":
		return fmt.Errorf("mockwechat: account %s has no paySignKey: set Account.PaySignKey", a.AppID)
	case a.TokenCallsPerDay < 0:
		return fmt.Errorf("mockwechat: account %s: TokenCallsPerDay must be 0 (default) or positive", a.AppID)
	}
	if err := checkChoices("reason", a.Reasons); err != nil {
		return err
	}
	if err := checkChoices("solution", a.Solutions); err != nil {
		return err
	}
	return checkURL(a.NotifyURL)
}

// Options configures a Server. The zero value is a working fake with the
// demo account, real time and the documented defaults.
type Options struct {
	// Accounts are the official accounts of the world; none: DemoAccount.
	Accounts []Account
	// Clock makes time virtual; nil: real time.
	Clock *VirtualClock
	// Logger receives the fake's own log (pushes, failures); nil: discard.
	Logger *slog.Logger
	// Addr is where Start listens; "": 127.0.0.1:0.
	Addr string
	// Seed makes feedback ids, transaction ids and openids reproducible;
	// 0: random. Tokens and media ids are always random.
	Seed uint64

	// TokenTTL is the access_token lifetime; 0: 7200 s.
	TokenTTL time.Duration
	// TokenGrace keeps the previous token valid after a new one is issued;
	// 0: 5 minutes; negative: no grace.
	TokenGrace time.Duration
	// TokenCallsPerDay limits token calls per account and day (45009
	// beyond, refilled evenly over the day); 0: unlimited. The live API
	// allowed RealDailyTokenQuota.
	TokenCallsPerDay int

	// MessageWindow is how long after the user's last interaction
	// customer-service messages are allowed; 0: 24 h.
	MessageWindow time.Duration
	// NewsLimit is the most articles in a news message; 0: 10.
	NewsLimit int
	// NewsOverflow is what happens beyond NewsLimit; "": NewsOverflowError.
	NewsOverflow NewsOverflow
	// MediaTTL is how long uploaded media ids stay valid; 0: 72 h.
	MediaTTL time.Duration
	// InboxSize is how many messages each user's inbox keeps; 0: 1,000.
	InboxSize int
	// MaxMedia is how many media ids are remembered; 0: 10,000.
	MaxMedia int

	// RetrySchedule is the delay before each retry of a failed push; nil:
	// DefaultRetrySchedule; an empty non-nil slice: no retries.
	RetrySchedule []time.Duration
	// PushTimeout bounds one push attempt (real time); 0: 5 s.
	PushTimeout time.Duration
	// PushConcurrency is how many pushes run at once; 0: 8. Pushes for
	// one complaint are always attempted in order.
	PushConcurrency int
	// StrictPushAck counts a push delivered only when the receiver answers
	// 2xx with the body "success" (surrounding whitespace ignored); by
	// default any 2xx is enough.
	StrictPushAck bool

	// CallLogSize is how many API calls are kept; 0: 10,000.
	CallLogSize int
	// DeliveryLogSize is how many finished deliveries are kept; 0: 10,000.
	DeliveryLogSize int
	// EvidenceWindow is how long the merchant has to submit arbitration
	// evidence; 0: 72 h.
	EvidenceWindow time.Duration
}

// settings are Options with the defaults filled in.
type settings struct {
	Options
	retry []time.Duration
}

func (o Options) resolve() (settings, error) {
	s := settings{Options: o}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&s.TokenTTL, DefaultTokenTTL)
	def(&s.TokenGrace, DefaultTokenGrace)
	if s.TokenGrace < 0 {
		s.TokenGrace = 0
	}
	def(&s.MessageWindow, DefaultMessageWindow)
	def(&s.MediaTTL, DefaultMediaTTL)
	def(&s.PushTimeout, DefaultPushTimeout)
	def(&s.EvidenceWindow, DefaultEvidenceWindow)
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	defInt(&s.NewsLimit, DefaultNewsLimit)
	defInt(&s.InboxSize, DefaultInboxSize)
	defInt(&s.MaxMedia, DefaultMaxMedia)
	defInt(&s.PushConcurrency, DefaultPushConcurrency)
	defInt(&s.CallLogSize, DefaultCallLogSize)
	defInt(&s.DeliveryLogSize, DefaultDeliveryLogSize)
	if s.NewsOverflow == "" {
		s.NewsOverflow = NewsOverflowError
	}
	if s.Addr == "" {
		s.Addr = DefaultAddr
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RetrySchedule == nil {
		s.retry = DefaultRetrySchedule()
	} else {
		s.retry = append([]time.Duration(nil), o.RetrySchedule...)
	}
	switch {
	case s.TokenTTL < 0, s.MessageWindow < 0, s.MediaTTL < 0, s.PushTimeout < 0, s.EvidenceWindow < 0:
		return s, fmt.Errorf("mockwechat: durations in Options must be 0 (default) or positive")
	case s.NewsLimit < 0, s.InboxSize < 0, s.MaxMedia < 0, s.PushConcurrency < 0,
		s.CallLogSize < 0, s.DeliveryLogSize < 0, s.TokenCallsPerDay < 0:
		return s, fmt.Errorf("mockwechat: sizes and limits in Options must be 0 (default) or positive")
	case s.NewsOverflow != NewsOverflowError && s.NewsOverflow != NewsOverflowSilent:
		return s, fmt.Errorf("mockwechat: unknown NewsOverflow %q: want %q or %q", s.NewsOverflow, NewsOverflowError, NewsOverflowSilent)
	}
	for _, d := range s.retry {
		if d <= 0 {
			return s, fmt.Errorf("mockwechat: RetrySchedule delays must be positive")
		}
	}
	seen := make(map[string]bool)
	for _, a := range s.Accounts {
		if err := a.validate(); err != nil {
			return s, err
		}
		if seen[a.AppID] {
			return s, fmt.Errorf("mockwechat: account %s given twice", a.AppID)
		}
		seen[a.AppID] = true
	}
	if len(s.Accounts) == 0 {
		s.Accounts = []Account{DemoAccount()}
	}
	return s, nil
}

package mockwechat

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// Defaults of Options. Each is documented in doc.go and README.md.
const (
	// DefaultTokenTTL is the access_token lifetime, expires_in 7200.
	DefaultTokenTTL = 7200 * time.Second
	// DefaultTokenGrace is how long a token stays valid after a newer one
	// was issued (docs/protocol.md: "both work for 5 minutes").
	DefaultTokenGrace = 5 * time.Minute
	// DefaultMessageWindow is how long after the user's last interaction
	// the merchant may send customer-service messages (24 h).
	DefaultMessageWindow = 24 * time.Hour
	// DefaultMediaTTL is how long an uploaded media id stays valid.
	DefaultMediaTTL = 72 * time.Hour
	// DefaultPushTimeout bounds one push attempt.
	DefaultPushTimeout = 5 * time.Second
	// DefaultPushConcurrency is how many pushes run at once.
	DefaultPushConcurrency = 8
	// DefaultCallLogSize is how many API calls the call log keeps.
	DefaultCallLogSize = calllog.DefaultSize
	// DefaultCallLogBytes is how much memory the call log may take.
	DefaultCallLogBytes = calllog.DefaultBytes
	// DefaultDeliveryLogSize is how many finished deliveries the delivery
	// log keeps (pending ones are always kept).
	DefaultDeliveryLogSize = 10000
	// DefaultDeliveryLogBytes is how much memory the finished deliveries
	// kept may take.
	DefaultDeliveryLogBytes = 32 << 20
	// DefaultInboxSize is how many messages a user's inbox keeps.
	DefaultInboxSize = 1000
	// DefaultMaxMedia is how many media ids the fake remembers.
	DefaultMaxMedia = 10000
	// DefaultEvidenceWindow is how long a merchant has to submit
	// arbitration evidence before the arbitration moves to state 1.
	DefaultEvidenceWindow = 72 * time.Hour
	// DefaultAddr is where Start listens when Options.Addr is empty.
	DefaultAddr = "127.0.0.1:0"
	// DefaultReadTimeout bounds reading a whole request, headers and body.
	DefaultReadTimeout = 10 * time.Second
	// DefaultIdleTimeout closes a keep-alive connection idle that long.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultMaxHeaderBytes bounds a request's line and headers (the
	// query included): WeChat's own gateway refuses far less.
	DefaultMaxHeaderBytes = 64 << 10
	// RealDailyTokenQuota is the live API's token quota per account and
	// day, for Options.TokenCallsPerDay.
	RealDailyTokenQuota = 2000
	// DefaultWaitTimeout bounds a wait of the Go API (WaitForCall…) whose
	// context has no deadline.
	DefaultWaitTimeout = 30 * time.Second
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
	// NewsOverflowError answers errcode 45008, what the later live API
	// answers. The default.
	NewsOverflowError NewsOverflow = "error"
	// NewsOverflowSilent is the original document's "no response", as a
	// client meets it: no answer ever comes. The fake delivers nothing,
	// logs the call at once (errcode 45008, HTTP status 0), and holds the
	// connection open until the client gives up (its timeout or context)
	// or the fake closes, then closes it without an answer. Close does not
	// wait for such clients.
	NewsOverflowSilent NewsOverflow = "silent"
)

// PushTimestamps says which clock stamps the TimeStamp of pushed
// notifications, which receivers check for freshness.
type PushTimestamps string

const (
	// PushTimestampsVirtual stamps pushes with the fake's clock (virtual
	// when Options.Clock is set): for receivers in the same process that
	// judge freshness on that clock (middleware.Config.Now = fake.Now).
	// The default of Options.
	PushTimestampsVirtual PushTimestamps = "virtual"
	// PushTimestampsWall stamps pushes with real time whatever the fake's
	// clock says: for receivers in another process, which cannot read a
	// virtual clock. The default of `payfeedback mock`.
	PushTimestampsWall PushTimestamps = "wall"
)

// Options configures a Server. The zero value is a working fake with the
// demo account, real time and the documented defaults. Its JSON form (the
// --config file of `payfeedback mock`, see Config) takes durations as Go
// duration strings.
type Options struct {
	// Accounts are the official accounts of the world; none: DemoAccount.
	Accounts []Account `json:"accounts,omitempty"`
	// Clock makes time virtual; nil: real time, or, with a Scenario, a
	// virtual clock at the scenario's start.
	Clock *VirtualClock `json:"-"`
	// Scenario is the world to start from (see Scenario, ParseScenario and
	// LoadScenario): its accounts join Accounts, its complaints and
	// actions happen at their times, its faults are injected. Reset goes
	// back to it.
	Scenario *Scenario `json:"-"`
	// Logger receives the fake's own log (pushes, failures); nil: discard.
	Logger *slog.Logger `json:"-"`
	// Addr is where Start listens; "": 127.0.0.1:0.
	Addr string `json:"addr,omitempty"`
	// AllowedHosts are Host names the fake answers to, on every path,
	// besides loopback names, Addr and WeChat's API host names (e.g.
	// "mockwechat" in a compose network); other names get 421, against DNS
	// rebinding.
	AllowedHosts []string `json:"allowed_hosts,omitempty"`
	// AllowNotify widens where pushes may go: CIDRs ("10.0.0.0/8"), IPs or
	// host names (a name is allowed whatever it resolves to). Pushes go to
	// loopback and the AllowedHosts names by default, so that whoever
	// reaches the admin API cannot make the fake POST to other machines
	// (cloud metadata, internal ports) and read the answer; a push
	// elsewhere is refused before it connects, recorded as a failed
	// attempt that says what to allow. "0.0.0.0/0" and "::/0" allow
	// everything.
	AllowNotify []string `json:"allow_notify,omitempty"`
	// Seed makes feedback ids, transaction ids and openids reproducible;
	// 0: random. Tokens and media ids are always random.
	Seed uint64 `json:"seed,omitempty"`

	// TokenTTL is the access_token lifetime; 0: 7200 s.
	TokenTTL time.Duration `json:"token_ttl,omitempty"`
	// TokenGrace keeps the previous token valid after a new one is issued;
	// 0: 5 minutes; negative: no grace.
	TokenGrace time.Duration `json:"token_grace,omitempty"`
	// TokenCallsPerDay limits token calls per account and day (45009
	// beyond; counted per day on the fake's clock, reset at midnight
	// Beijing time, as WeChat does); 0: unlimited. The live API allowed
	// RealDailyTokenQuota.
	TokenCallsPerDay int `json:"token_calls_per_day,omitempty"`
	// CallsPerMinute limits each account's calls of each endpoint per
	// minute (45011 beyond, a rate on the fake's clock); 0: unlimited.
	CallsPerMinute int `json:"calls_per_minute,omitempty"`

	// MessageWindow is how long after the user's last interaction
	// customer-service messages are allowed; 0: 24 h.
	MessageWindow time.Duration `json:"message_window,omitempty"`
	// NewsLimit is the most articles in a news message; 0:
	// payfeedback.DefaultMaxArticles (10).
	NewsLimit int `json:"news_limit,omitempty"`
	// NewsOverflow is what happens beyond NewsLimit; "": NewsOverflowError.
	NewsOverflow NewsOverflow `json:"news_overflow,omitempty"`
	// MediaTTL is how long uploaded media ids stay valid; 0: 72 h.
	MediaTTL time.Duration `json:"media_ttl,omitempty"`
	// InboxSize is how many messages each user's inbox keeps; 0: 1,000.
	InboxSize int `json:"inbox_size,omitempty"`
	// MaxMedia is how many media ids are remembered; 0: 10,000.
	MaxMedia int `json:"max_media,omitempty"`

	// RetrySchedule is the delay before each retry of a failed push; nil:
	// DefaultRetrySchedule; an empty non-nil slice: no retries.
	RetrySchedule []time.Duration `json:"retry_schedule,omitempty"`
	// PushTimeout bounds one push attempt (real time); 0: 5 s.
	PushTimeout time.Duration `json:"push_timeout,omitempty"`
	// PushConcurrency is how many pushes run at once; 0: 8. Pushes for
	// one complaint are always attempted in order.
	PushConcurrency int `json:"push_concurrency,omitempty"`
	// PushRate paces push attempts to at most this many a second (real
	// time); 0: unpaced.
	PushRate float64 `json:"push_rate,omitempty"`
	// PushTimestamps is the clock of the pushes' TimeStamp; "":
	// PushTimestampsVirtual (the fake's clock).
	PushTimestamps PushTimestamps `json:"push_timestamps,omitempty"`
	// StrictPushAck counts a push delivered only when the receiver answers
	// 2xx with the body "success" (surrounding whitespace ignored); by
	// default any 2xx is enough.
	StrictPushAck bool `json:"strict_push_ack,omitempty"`

	// CallLogSize is how many API calls are kept; 0: 10,000.
	CallLogSize int `json:"call_log_size,omitempty"`
	// CallLogBytes bounds the memory of the calls kept; 0: 16 MiB.
	CallLogBytes int64 `json:"call_log_bytes,omitempty"`
	// DeliveryLogSize is how many finished deliveries are kept; 0: 10,000.
	DeliveryLogSize int `json:"delivery_log_size,omitempty"`
	// DeliveryLogBytes bounds the memory of the finished deliveries kept;
	// 0: 32 MiB.
	DeliveryLogBytes int64 `json:"delivery_log_bytes,omitempty"`
	// EvidenceWindow is how long the merchant has to submit arbitration
	// evidence; 0: 72 h.
	EvidenceWindow time.Duration `json:"evidence_window,omitempty"`

	// ReadTimeout bounds reading a request, headers and body; 0: 10 s.
	ReadTimeout time.Duration `json:"read_timeout,omitempty"`
	// IdleTimeout closes keep-alive connections idle that long; 0: 120 s.
	IdleTimeout time.Duration `json:"idle_timeout,omitempty"`
	// MaxHeaderBytes bounds a request's line and headers; 0: 64 KiB.
	MaxHeaderBytes int `json:"max_header_bytes,omitempty"`

	// Pay makes the fake play Complaints 2.0 (WeChat Pay APIv3) beside
	// V1.5, on the same address under /v3/, with a demo merchant (see
	// PayOptions); nil: V1.5 only. Off by default in Go because a fresh
	// identity costs three RSA key generations (about 100 ms of CPU each;
	// PayOptions.KeysDir loads instead); `payfeedback mock` turns it on.
	Pay *PayOptions `json:"pay,omitempty"`

	// WaitTimeout bounds the Go API's waits (WaitForCall,
	// WaitForComplaint, WaitForDelivery, WaitIdle) whose context has no
	// deadline, so that a wait for what never comes fails with what it
	// saw instead of hanging until go test -timeout; 0: 30 s. A context
	// with a deadline bounds its wait alone.
	WaitTimeout time.Duration `json:"-"`
}

// settings are Options with the defaults filled in.
type settings struct {
	Options
	retry   []time.Duration
	targets push.Targets // where pushes may go: AllowNotify and AllowedHosts
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
	s.TokenGrace = max(s.TokenGrace, 0)
	def(&s.MessageWindow, DefaultMessageWindow)
	def(&s.MediaTTL, DefaultMediaTTL)
	def(&s.PushTimeout, DefaultPushTimeout)
	def(&s.EvidenceWindow, DefaultEvidenceWindow)
	def(&s.ReadTimeout, DefaultReadTimeout)
	def(&s.IdleTimeout, DefaultIdleTimeout)
	def(&s.WaitTimeout, DefaultWaitTimeout)
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	defInt(&s.NewsLimit, payfeedback.DefaultMaxArticles)
	defInt(&s.InboxSize, DefaultInboxSize)
	defInt(&s.MaxMedia, DefaultMaxMedia)
	defInt(&s.PushConcurrency, DefaultPushConcurrency)
	defInt(&s.CallLogSize, DefaultCallLogSize)
	defInt(&s.DeliveryLogSize, DefaultDeliveryLogSize)
	defInt(&s.MaxHeaderBytes, DefaultMaxHeaderBytes)
	if s.CallLogBytes == 0 {
		s.CallLogBytes = DefaultCallLogBytes
	}
	if s.DeliveryLogBytes == 0 {
		s.DeliveryLogBytes = DefaultDeliveryLogBytes
	}
	if s.NewsOverflow == "" {
		s.NewsOverflow = NewsOverflowError
	}
	if s.PushTimestamps == "" {
		s.PushTimestamps = PushTimestampsVirtual
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
		s.retry = append([]time.Duration{}, o.RetrySchedule...)
	}
	if err := s.check(); err != nil {
		return s, err
	}
	targets, err := push.NewTargets(append(slices.Clone(s.AllowNotify), s.AllowedHosts...)...)
	if err != nil {
		return s, fmt.Errorf("%w (Options.AllowNotify takes CIDRs, IPs and host names, Options.AllowedHosts host names)", err)
	}
	s.targets = targets
	if len(s.Accounts) == 0 && (s.Scenario == nil || len(s.Scenario.Accounts) == 0) {
		s.Accounts = []Account{DemoAccount()}
	}
	return s, nil
}

// check refuses settings that make no sense.
func (s settings) check() error {
	switch {
	case s.TokenTTL < 0, s.MessageWindow < 0, s.MediaTTL < 0, s.PushTimeout < 0, s.EvidenceWindow < 0,
		s.ReadTimeout < 0, s.IdleTimeout < 0, s.WaitTimeout < 0:
		return fmt.Errorf("mockwechat: durations in Options must be 0 (default) or positive")
	case s.NewsLimit < 0, s.InboxSize < 0, s.MaxMedia < 0, s.PushConcurrency < 0, s.CallLogSize < 0,
		s.DeliveryLogSize < 0, s.TokenCallsPerDay < 0, s.CallsPerMinute < 0, s.CallLogBytes < 0,
		s.DeliveryLogBytes < 0, s.MaxHeaderBytes < 0, s.PushRate < 0:
		return fmt.Errorf("mockwechat: sizes and limits in Options must be 0 (default) or positive")
	case s.NewsOverflow != NewsOverflowError && s.NewsOverflow != NewsOverflowSilent:
		return fmt.Errorf("mockwechat: unknown NewsOverflow %q: want %q or %q", s.NewsOverflow, NewsOverflowError, NewsOverflowSilent)
	case s.PushTimestamps != PushTimestampsVirtual && s.PushTimestamps != PushTimestampsWall:
		return fmt.Errorf("mockwechat: unknown PushTimestamps %q: want %q or %q", s.PushTimestamps, PushTimestampsVirtual, PushTimestampsWall)
	}
	for _, d := range s.retry {
		if d <= 0 {
			return fmt.Errorf("mockwechat: RetrySchedule delays must be positive")
		}
	}
	seen := make(map[string]bool)
	for _, a := range s.Accounts {
		if err := a.Validate(); err != nil {
			return err
		}
		if seen[a.AppID] {
			return fmt.Errorf("mockwechat: account %s given twice", a.AppID)
		}
		seen[a.AppID] = true
	}
	return nil
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

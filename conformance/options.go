package conformance

import (
	"crypto/rand"
	"net/http"
	"regexp"
	"time"
)

// Defaults of Options (see the package documentation for the reasoning).
const (
	// DefaultStaleAge: how old the timestamp of the "stale" case is. Three
	// days is well outside any sound freshness window (the middleware's is
	// 10 minutes) yet inside the life of any replay a merchant may have
	// kept.
	DefaultStaleAge = 72 * time.Hour
	// DefaultFutureSkew: how far ahead the timestamp of the "future" case
	// is. No sound merchant accepts a timestamp an hour ahead of its clock.
	DefaultFutureSkew = time.Hour
	// DefaultTimeout: the time limit within which a merchant must answer a
	// valid notification.
	DefaultTimeout = 5 * time.Second
	// DefaultAPITimeout: how long an API case waits for the merchant's
	// action (a payfeedback/update call, say) before it gives up.
	DefaultAPITimeout = 30 * time.Second
	// DefaultOversize: the body size of the "oversized" cases. A complaint
	// notification is under 4 KiB; 4 MiB is far above any sane limit.
	DefaultOversize = 4 << 20
	// DefaultCallbackSkew: how old the stale timestamp of the Complaints
	// 2.0 plan is, and how far ahead its future one: a minute outside the
	// five minutes WeChat and the official SDKs allow either way.
	DefaultCallbackSkew = 6 * time.Minute
	// DefaultCallbackOversize: the body size of the Complaints 2.0 plan's
	// oversized cases. A callback is under 1 KiB; a receiver reads at most
	// 64 KiB (apiv3.MaxNotificationSize).
	DefaultCallbackOversize = 1 << 20
	// DefaultRespondWithin: how long after a complaint is filed the
	// merchant must have replied to it and handled it (completed it, or
	// decided its refund) in the Complaints 2.0 plan's API cases, on the
	// fake's clock: the 24 hours merchant-platform policies require.
	DefaultRespondWithin = 24 * time.Hour
)

// Options configures a run. Exactly one of URL and Handler (or Merchant)
// says what is under test; every other field has a default.
type Options struct {
	// Plan chooses the cases: PlanV15 ("" too), the 2014 system's
	// notifications, or PlanComplaints, Complaints 2.0's callbacks. The
	// fields below say which plan they serve when only one.
	Plan Plan

	// URL is the merchant's payfeedback_url (V1.5) or complaint callback
	// URL (Complaints 2.0), for a live endpoint.
	URL string
	// Handler is the merchant's endpoint as an http.Handler, run
	// in-process without a network.
	Handler http.Handler
	// Merchant builds the merchant's handler wired to the suite's embedded
	// fake WeChat, for the API cases in-process: the suite starts the fake,
	// calls Merchant once with its address and credentials, and pushes the
	// fake's notifications to the handler Merchant returns. When Handler is
	// nil, that handler is also the one the other cases run against. The
	// handler must take its clock from APIEnv.Now (the fake's clock is
	// virtual) and its API base URL from APIEnv.BaseURL. With
	// PlanComplaints the handler receives Complaints 2.0 callbacks and
	// calls the fake's /v3/ API with PayKeys' merchant keys, signing on
	// real time (the fake checks and stamps signatures on real time); it
	// schedules deferred work with APIEnv.AfterFunc.
	Merchant func(APIEnv) http.Handler
	// Path is the path of the notification endpoint within Handler (or
	// the handler Merchant builds): the suite's requests and the fake's
	// pushes go there ("": DefaultPath). With URL, the URL's own path is
	// used and Path must be empty.
	Path string
	// Client sends the suite's requests to URL (nil: a client without
	// proxy and without connection reuse limits). Its Timeout, if any, is
	// ignored: the suite bounds each exchange itself.
	Client *http.Client
	// Wait is how long the pre-flight waits for something to listen at
	// URL before the first case (0: one attempt, DefaultPreflight). A
	// merchant started by the same CI step gets the time it needs.
	Wait time.Duration

	// PayKeys are the keys of the Complaints 2.0 plan: the merchant's, and
	// WeChat's, which the suite signs callbacks with (LoadPayKeys reads the
	// directory the fake WeChat writes). Required with PlanComplaints.
	PayKeys *PayKeys
	// KeyMode says which of WeChat's keys sign the Complaints 2.0 plan's
	// callbacks ("": KeyModeSwitch, both, and the cases of each).
	KeyMode KeyMode
	// Observer shows the Complaints 2.0 plan what the merchant does about
	// the complaints its callbacks name (see Observer): the cases marked
	// API need it. Nil: they are skipped, and refusals are judged on the
	// answers alone.
	Observer Observer

	// AppID and PaySignKey are the merchant's official account and the
	// key that signs its notifications. Both are required (V1.5).
	AppID      string
	PaySignKey string
	// Secret is the appSecret the embedded fake WeChat gives the account
	// for the API cases ("": the demo account's secret, see
	// mockwechat.DemoAccount). Configure the merchant with the same one.
	Secret string
	// OpenID is the user named by the suite's notifications and
	// complaints ("": a fresh id per run, so that two runs never send
	// different notifications under one signature).
	OpenID string
	// Now is the suite's clock, which stamps notifications (nil: time.Now;
	// with Merchant and API, the fake's virtual clock).
	Now func() time.Time

	// StaleAge is how old the stale timestamp is (0: DefaultStaleAge;
	// DefaultCallbackSkew with PlanComplaints).
	StaleAge time.Duration
	// FutureSkew is how far ahead the future timestamp is (0:
	// DefaultFutureSkew; DefaultCallbackSkew with PlanComplaints).
	FutureSkew time.Duration
	// Timeout is the time limit for answering a valid notification (0:
	// DefaultTimeout). Other cases wait at least 10 s or twice Timeout for
	// an answer, so only notify/time-limit judges speed.
	Timeout time.Duration
	// Oversize is the body size of the oversized cases (0:
	// DefaultOversize; DefaultCallbackOversize with PlanComplaints). It
	// must exceed 64 KiB.
	Oversize int64
	// Strict turns warnings into failures.
	Strict bool

	// Run selects the cases whose id matches this regular expression
	// ("": all), as go test -run does; "security/" selects a section. A
	// pattern that selects no case is refused (ErrNoCaseSelected): a typo
	// must not make a green gate.
	Run string
	// AllowSkip lets a run whose selected cases were all skipped pass;
	// without it such a run checked nothing, and fails.
	AllowSkip bool
	// ExpectFail lists case ids expected to fail (see ParseExpectFail): a
	// listed case that fails is reported ExpectedFail and does not fail
	// the run; one that passes is flagged Listed, so the list can be
	// trimmed.
	ExpectFail []string

	// API runs the api/… cases: the suite starts its embedded fake WeChat,
	// files complaints there and waits for the merchant's API calls.
	// Without it the api/… cases are skipped at once.
	API bool
	// APITimeout bounds each wait for the merchant's action (0:
	// DefaultAPITimeout).
	APITimeout time.Duration
	// APIAddr is the address the embedded fake listens on ("":
	// 127.0.0.1:0, any free port; give a fixed one when the merchant
	// under test must be configured with it beforehand).
	APIAddr string
	// VirtualClock runs the embedded fake on a virtual clock against a
	// merchant in another process (Options.URL) or wired beforehand
	// (Options.Handler with APIAddr), as it always runs with
	// Options.Merchant: the API cases then judge each update against the
	// complaint's deadline, days away, in no real time. The merchant must
	// take its time from the fake (GET APIEnv.BaseURL + "/_mock/clock") for
	// everything: the freshness of notifications (the fake's pushes and
	// the suite's own notifications are stamped with that clock), token
	// lifetimes and its own schedule. When an update has not come, the
	// suite moves the clock to a minute before the complaint's deadline,
	// then to a day past it, waiting up to APITimeout each time. It needs
	// API. Without it, against a URL, the clock is real: an update is
	// awaited for APITimeout, and the deadline cells say that is all they
	// judged.
	VirtualClock bool
	// RespondWithin is the deadline the merchant sets itself in the
	// Complaints 2.0 plan's API cases: each complaint the suite files is
	// replied to and handled (completed, or its refund decided) within it
	// of its filing, on the fake's clock (0: DefaultRespondWithin).
	RespondWithin time.Duration
	// APIReady, when set, is called once the embedded fake is serving and
	// before any complaint is filed, so that a caller can print where it
	// is (the CLI does).
	APIReady func(APIEnv)

	// Chaos, when positive, runs the chaos campaign (chaos/campaign) with
	// that many genuine complaints: see the package documentation.
	Chaos int
	// Seed makes the chaos campaign reproducible: the same seed plays the
	// same campaign (0: a random seed, recorded in the report's Config and
	// in the case's message). With PlanComplaints it also draws the
	// callbacks' nonces and ids: a seed and a clock make the same
	// callbacks, byte for byte.
	Seed uint64

	// Progress, when set, is called with each result as its case ends,
	// the control's first (ID ControlID) when the run has one.
	Progress func(Result)
	// OnWait, when set, is called when the suite starts waiting for the
	// merchant's action (what is awaited, in words) and with "" when the
	// wait ends, so that a terminal can show what the run waits for.
	OnWait func(what string)
}

// APIEnv is what the merchant under test needs to reach the suite's
// embedded fake WeChat.
type APIEnv struct {
	// BaseURL is the fake's base URL, e.g. "http://127.0.0.1:34567".
	BaseURL string
	// AppID, Secret and PaySignKey are the account's credentials.
	AppID, Secret, PaySignKey string
	// Now is the fake's clock; an in-process merchant must use it to judge
	// timestamps and token lifetimes.
	Now func() time.Time
	// AfterFunc runs f once the fake's clock has moved d ahead. A merchant
	// that defers work (a job that marks complaints handled later)
	// schedules it here: on the virtual clock the suite runs it when its
	// scenario moves the clock there, so that days pass in no real time.
	// With real time it is time.AfterFunc.
	AfterFunc func(d time.Duration, f func())
}

// settings are Options with defaults applied and checked.
type settings struct {
	Options
	run        *regexp.Regexp
	expectFail map[string]bool
}

// waiting tells Options.OnWait what the suite waits for ("" : no more).
func (s *settings) waiting(what string) {
	if s.OnWait != nil {
		s.OnWait(what)
	}
}

// path is where an in-process handler receives notifications.
func (s *settings) path() string {
	if s.Path == "" {
		return DefaultPath
	}
	return s.Path
}

// apiSkip is why case c, marked API, is skipped in this run ("": it
// runs).
func (s *settings) apiSkip(c Case) string {
	switch {
	case s.Plan == PlanComplaints && c.Section() == "api" && !s.API:
		return "API cases run only when asked for (--api, Options.API), with the merchant calling the suite's embedded fake WeChat"
	case s.Plan == PlanComplaints && s.Observer == nil:
		return "needs an observation of the merchant's work on the complaints: run with --api (Options.API), the merchant calling the suite's embedded fake WeChat, or give Options.Observer"
	case s.Plan != PlanComplaints && !s.API:
		return "API cases run only when asked for (--api, Options.API), with the merchant wired to the suite's embedded fake WeChat"
	}
	return ""
}

// answerWait is how long a case other than notify/time-limit waits for an
// answer.
func (s *settings) answerWait() time.Duration {
	return max(10*time.Second, 2*s.Timeout)
}

// freshOpenID returns an openid of the usual shape (28 characters of the
// URL-safe alphabet) that no earlier run used.
func freshOpenID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return "oCONF" + randomString(alphabet, 23)
}

// randomSeed returns a seed for the chaos campaign that fits in a few
// digits, so that it is easy to type back.
func randomSeed() uint64 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return uint64(b[0])<<16 | uint64(b[1])<<8 | uint64(b[2]) | 1
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

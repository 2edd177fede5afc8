package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// serveFlags are `payfeedback mock`'s flags as parsed, and which of them
// the command line gave (set): a flag given overrides --config, a flag
// left out does not.
type serveFlags struct {
	addr, configFile    string
	cred                credentials
	notifyURL           string
	virtual, strictAck  bool
	clockStart, retry   string
	stamps, allowHosts  string
	allowNotify         string
	pay                 bool
	payKeys, payMode    string
	payProbeEvery       time.Duration
	tokenQuota          int
	pushRate            float64
	logLevel, logFormat string
	files               *mockFiles
	set                 map[string]bool
}

// parseServeFlags parses args as `payfeedback mock`'s flags.
func parseServeFlags(std stdio, name string, args []string) (*serveFlags, error) {
	fs := newFlagSet(std, name, mockUsage)
	f := &serveFlags{set: map[string]bool{}}
	fs.StringVar(&f.addr, "addr", defaultMockAddr, "listen on `HOST:PORT` (loopback unless you mean it: the admin API is unauthenticated)")
	fs.StringVar(&f.configFile, "config", "", "JSON configuration `file` (mockwechat.Config); flags given override it")
	f.cred.addAppIDFlag(fs)
	f.cred.addSecretFlag(fs)
	f.cred.addPaySignKeyFlag(fs)
	fs.StringVar(&f.notifyURL, "notify-url", "", "the account's payfeedback_url, where complaints are pushed (`URL`)")
	fs.BoolVar(&f.virtual, "virtual-clock", false, "run on a virtual clock, moved by POST /_mock/clock/advance")
	fs.StringVar(&f.clockStart, "clock-start", "", "start of the virtual clock (RFC 3339 `time`; default now)")
	fs.IntVar(&f.tokenQuota, "token-calls-per-day", 0, "limit token calls per account and day, 45009 beyond (`N`; 0 unlimited, the live API: 2000)")
	fs.StringVar(&f.retry, "retry", "", "push retry delays, comma-separated Go durations (`LIST`; default 15s,15s,30s,3m,10m,20m,30m,30m,30m,1h,3h,3h,3h,6h,6h; \"none\" for none)")
	fs.BoolVar(&f.strictAck, "strict-ack", false, "count a push delivered only on 2xx with the body \"success\"")
	fs.StringVar(&f.stamps, "push-timestamps", "", "the clock of pushed TimeStamps: wall (the default: merchants in other processes judge freshness on real time) or virtual (`CLOCK`)")
	fs.Float64Var(&f.pushRate, "push-rate", 0, "at most `N` push attempts a second (0: unpaced)")
	fs.StringVar(&f.allowHosts, "allow-host", "", "Host names the fake answers to besides loopback names and --addr, comma-separated (`NAMES`, e.g. a compose service name): it guards the Host header of every request only (pushes may go to these names too; --allow-notify widens where)")
	fs.StringVar(&f.allowNotify, "allow-notify", "", "where pushes and Complaints 2.0 callbacks may go besides loopback and --allow-host: CIDRs, IPs or host names, comma-separated (`LIST`; 0.0.0.0/0 for anywhere)")
	fs.BoolVar(&f.pay, "pay", true, "play Complaints 2.0 (WeChat Pay APIv3) under /v3/ beside V1.5")
	fs.StringVar(&f.payKeys, "pay-keys", "", "Complaints 2.0 keys directory (`DIR`): written (mode 0600: apiclient_key.pem, pub_key.pem, merchant.json and the fake's own keys) when empty, loaded when it holds them")
	fs.StringVar(&f.payMode, "pay-mode", "", "which WeChat Pay key signs answers and callbacks: public-key (default), platform-certificate or switch (`MODE`)")
	fs.DurationVar(&f.payProbeEvery, "pay-probe-every", 0, "send a Complaints 2.0 SIGNTEST probe to each merchant with a callback URL every `DURATION` on the fake's clock (e.g. 6h; at least 1m; 0: only on demand, payfeedback pay probe)")
	fs.StringVar(&f.logLevel, "log", "info", "live log `level`: debug, info, warn, error or off (the events on stdout, the fake's own messages on stderr)")
	fs.StringVar(&f.logFormat, "log-format", "text", "the live log's `format`: text, or json (one JSON object per line, the first one saying where the fake listens)")
	f.files = mockFileFlags(fs)
	if err := parseFlags(fs, args, mockHint); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageErrorf(mockHint, "unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, nil
}

// mockSetup is what `payfeedback mock` runs: the fake's configuration
// with the flags applied, the scenario it starts from (nil: none), and
// whether its one account is the demo account, whose public credentials
// the banner prints.
type mockSetup struct {
	cfg      mockwechat.Config
	scenario *mockwechat.Scenario
	demo     bool
}

// setup reads --config and --scenario and merges the flags over them.
func (f *serveFlags) setup() (mockSetup, error) {
	var cfg mockwechat.Config
	if f.configFile != "" {
		b, err := os.ReadFile(f.configFile)
		if err != nil {
			return mockSetup{}, fmt.Errorf("--config: %w", err)
		}
		if cfg, err = mockwechat.ParseConfig(b); err != nil {
			return mockSetup{}, fmt.Errorf("--config %s: %w", f.configFile, err)
		}
	}
	sc, err := f.files.load()
	if err != nil {
		return mockSetup{}, err
	}
	return f.merge(cfg, sc)
}

// merge applies the flags given over cfg (the --config file's, zero
// without one) and the scenario sc (nil without --scenario), and refuses
// the combinations that cannot both hold. The account flags (--appid,
// --secret, --paysignkey, --notify-url) change the one account there is:
// the config's, else the scenario's (sc is changed in place), else the
// demo account's.
func (f *serveFlags) merge(cfg mockwechat.Config, sc *mockwechat.Scenario) (mockSetup, error) {
	set := f.set
	if set["addr"] || cfg.Addr == "" {
		cfg.Addr = f.addr
	}
	if set["virtual-clock"] {
		cfg.VirtualClock = f.virtual
	}
	if set["clock-start"] {
		t, err := time.Parse(time.RFC3339, f.clockStart)
		if err != nil {
			return mockSetup{}, fmt.Errorf("--clock-start %q: want RFC 3339, e.g. 2025-03-01T10:00:00Z", f.clockStart)
		}
		if set["virtual-clock"] && !f.virtual {
			return mockSetup{}, fmt.Errorf("--clock-start starts a virtual clock, and --virtual-clock=false asks for real time: drop one")
		}
		cfg.ClockStart, cfg.VirtualClock = t, true
	}
	if sc != nil {
		// A scenario runs on a virtual clock starting at its clock.start.
		switch {
		case set["clock-start"] || !cfg.ClockStart.IsZero():
			return mockSetup{}, fmt.Errorf("--scenario: the scenario's clock.start sets the clock; drop --clock-start (or clock_start from --config) and change the scenario's instead")
		case set["virtual-clock"] && !f.virtual:
			return mockSetup{}, fmt.Errorf("--scenario runs on a virtual clock: drop --virtual-clock=false")
		}
		cfg.VirtualClock = false // New makes the scenario's clock
	}
	if set["token-calls-per-day"] {
		cfg.TokenCallsPerDay = f.tokenQuota
	}
	if set["strict-ack"] {
		cfg.StrictPushAck = f.strictAck
	}
	if set["push-rate"] {
		cfg.PushRate = f.pushRate
	}
	if set["push-timestamps"] {
		cfg.PushTimestamps = mockwechat.PushTimestamps(f.stamps)
	} else if cfg.PushTimestamps == "" {
		// Receivers of a process are in other processes: they cannot read a
		// virtual clock, so pushes carry real time (see mockwechat/README.md).
		cfg.PushTimestamps = mockwechat.PushTimestampsWall
	}
	if set["allow-host"] {
		for h := range strings.SplitSeq(f.allowHosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				cfg.AllowedHosts = append(cfg.AllowedHosts, h)
			}
		}
	}
	if set["allow-notify"] {
		for h := range strings.SplitSeq(f.allowNotify, ",") {
			if h = strings.TrimSpace(h); h != "" {
				cfg.AllowNotify = append(cfg.AllowNotify, h)
			}
		}
	}
	switch {
	case set["pay"] && !f.pay:
		if set["pay-keys"] || set["pay-mode"] || set["pay-probe-every"] {
			return mockSetup{}, fmt.Errorf("--pay=false turns Complaints 2.0 off: drop --pay-keys, --pay-mode and --pay-probe-every")
		}
		cfg.Pay = nil
	case cfg.Pay == nil:
		cfg.Pay = &mockwechat.PayOptions{}
	default:
		p := *cfg.Pay // the config's, not shared
		cfg.Pay = &p
	}
	if set["pay-keys"] {
		cfg.Pay.KeysDir = f.payKeys
	}
	if cfg.Pay != nil && cfg.Pay.KeysDir == "" {
		cfg.Pay.KeysDir = f.files.payKeysDir() // --state keeps the identity beside it
	}
	if set["pay-mode"] {
		cfg.Pay.Mode = mockwechat.PayMode(f.payMode)
	}
	if set["pay-probe-every"] {
		cfg.Pay.ProbeEvery = f.payProbeEvery
	}
	if set["retry"] {
		cfg.RetrySchedule = []time.Duration{}
		if f.retry != "none" {
			for s := range strings.SplitSeq(f.retry, ",") {
				d, err := time.ParseDuration(strings.TrimSpace(s))
				if err != nil || d <= 0 {
					return mockSetup{}, fmt.Errorf("--retry %q: want positive Go durations such as 15s,1m, or none", s)
				}
				cfg.RetrySchedule = append(cfg.RetrySchedule, d)
			}
		}
	}
	out := mockSetup{cfg: cfg, scenario: sc}
	accounts := &out.cfg.Accounts // where the account flags apply
	switch {
	case len(cfg.Accounts) == 0 && sc != nil && len(sc.Accounts) > 0:
		accounts = scenarioAccounts(sc)
	case len(cfg.Accounts) == 0:
		out.cfg.Accounts = []mockwechat.Account{mockwechat.DemoAccount()}
		out.demo = true
	}
	if !(set["appid"] || set["secret"] || set["paysignkey"] || set["appkey"] || set["notify-url"]) {
		return out, nil
	}
	if len(*accounts) != 1 {
		return mockSetup{}, fmt.Errorf("--appid, --secret, --paysignkey and --notify-url set the one account; the config file or the scenario has %d: set them there", len(*accounts))
	}
	a := &(*accounts)[0]
	if set["appid"] {
		a.AppID = f.cred.AppID
	}
	if set["secret"] {
		a.Secret, out.demo = f.cred.Secret, false
	}
	if set["paysignkey"] || set["appkey"] {
		a.PaySignKey, out.demo = f.cred.PaySignKey, false
	}
	if set["notify-url"] {
		a.NotifyURL = f.notifyURL
	}
	if accounts != &out.cfg.Accounts {
		sc.Accounts[0].Account = *a
	}
	return out, nil
}

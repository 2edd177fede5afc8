package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// defaultMockAddr is where `payfeedback mock` listens: loopback, because
// the admin API under /_mock/ is unauthenticated.
const defaultMockAddr = "127.0.0.1:8080"

// mockMemoryLimit is the soft memory limit of `payfeedback mock` when
// GOMEMLIMIT is not set.
const mockMemoryLimit = 48 << 20

// mockCommand runs the fake WeChat as a process, for CI in any language.
type mockCommand struct{}

func newMockCommand() *mockCommand { return &mockCommand{} }

func (*mockCommand) Name() string { return "mock" }

func (*mockCommand) Synopsis() string {
	return "run a fake WeChat (API, complaints, pushes, admin API) on loopback"
}

const mockUsage = `[flags]

Runs mockwechat: the WeChat API endpoints with their real errors, a world of
complaints that pushes signed notifications to --notify-url, the admin API
under /_mock/ (GET /_mock/ lists its endpoints, /_mock/openapi.json
describes them) and a web console at /. It starts with the demo account
unless --appid/--secret/--paysignkey or --config say otherwise, prints the
credentials and URLs, then a live log of every event (--log, --log-format),
and stops cleanly on SIGINT or SIGTERM.
Readiness: GET /_mock/health, payfeedback health, or --ready-file. With
--scenario it starts from a scenario file on a virtual clock; with --state
it resumes and saves its world. Admin writes take JSON only (curl -H
'Content-Type: application/json'); pushes carry wall-clock TimeStamps even
with --virtual-clock, for a merchant in another process.`

func (c *mockCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback mock --addr 127.0.0.1:8080 --notify-url http://127.0.0.1:9000/payfeedback"
	fs := newFlagSet(std, c.Name(), mockUsage)
	addr := fs.String("addr", defaultMockAddr, "listen on `HOST:PORT` (loopback unless you mean it: the admin API is unauthenticated)")
	configFile := fs.String("config", "", "JSON configuration `file` (mockwechat.Config); flags given override it")
	var cred credentials
	cred.addAppIDFlag(fs)
	cred.addSecretFlag(fs)
	cred.addPaySignKeyFlag(fs)
	notifyURL := fs.String("notify-url", "", "the account's payfeedback_url, where complaints are pushed (`URL`)")
	virtual := fs.Bool("virtual-clock", false, "run on a virtual clock, moved by POST /_mock/clock/advance")
	clockStart := fs.String("clock-start", "", "start of the virtual clock (RFC 3339 `time`; default now)")
	tokenQuota := fs.Int("token-calls-per-day", 0, "limit token calls per account and day, 45009 beyond (`N`; 0 unlimited, the live API: 2000)")
	retry := fs.String("retry", "", "push retry delays, comma-separated Go durations (`LIST`; default 15s,15s,30s,3m,10m,20m,30m,30m,30m,1h,3h,3h,3h,6h,6h; \"none\" for none)")
	strictAck := fs.Bool("strict-ack", false, "count a push delivered only on 2xx with the body \"success\"")
	stamps := fs.String("push-timestamps", "", "the clock of pushed TimeStamps: wall (the default: merchants in other processes judge freshness on real time) or virtual (`CLOCK`)")
	pushRate := fs.Float64("push-rate", 0, "at most `N` push attempts a second (0: unpaced)")
	allowHosts := fs.String("allow-host", "", "Host names the admin API accepts besides loopback names and --addr, comma-separated (`NAMES`, e.g. a compose service name)")
	logLevel := fs.String("log", "info", "live log `level`: debug, info, warn, error or off (the events on stdout, the fake's own messages on stderr)")
	logFormatFlag := fs.String("log-format", "text", "the live log's `format`: text, or json (one JSON object per line, the first one saying where the fake listens)")
	files := mockFileFlags(fs)
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg := mockwechat.Config{}
	if *configFile != "" {
		b, err := os.ReadFile(*configFile)
		if err != nil {
			return usageErrorf(hint, "--config: %v", err)
		}
		if cfg, err = mockwechat.ParseConfig(b); err != nil {
			return usageErrorf(hint, "--config %s: %v", *configFile, err)
		}
	}
	if set["addr"] || cfg.Addr == "" {
		cfg.Addr = *addr
	}
	if set["virtual-clock"] {
		cfg.VirtualClock = *virtual
	}
	if set["clock-start"] {
		t, err := time.Parse(time.RFC3339, *clockStart)
		if err != nil {
			return usageErrorf(hint, "--clock-start %q: want RFC 3339, e.g. 2025-03-01T10:00:00Z", *clockStart)
		}
		cfg.ClockStart = t
		cfg.VirtualClock = cfg.VirtualClock || !set["virtual-clock"]
	}
	if set["token-calls-per-day"] {
		cfg.TokenCallsPerDay = *tokenQuota
	}
	if set["strict-ack"] {
		cfg.StrictPushAck = *strictAck
	}
	if set["push-rate"] {
		cfg.PushRate = *pushRate
	}
	if set["push-timestamps"] {
		cfg.PushTimestamps = mockwechat.PushTimestamps(*stamps)
	} else if cfg.PushTimestamps == "" {
		// Receivers of a process are in other processes: they cannot read a
		// virtual clock, so pushes carry real time (see mockwechat/README.md).
		cfg.PushTimestamps = mockwechat.PushTimestampsWall
	}
	if set["allow-host"] {
		for _, h := range strings.Split(*allowHosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				cfg.AllowedHosts = append(cfg.AllowedHosts, h)
			}
		}
	}
	if set["retry"] {
		cfg.RetrySchedule = []time.Duration{}
		if *retry != "none" {
			for _, s := range strings.Split(*retry, ",") {
				d, err := time.ParseDuration(strings.TrimSpace(s))
				if err != nil || d <= 0 {
					return usageErrorf(hint, "--retry %q: want positive Go durations such as 15s,1m, or none", s)
				}
				cfg.RetrySchedule = append(cfg.RetrySchedule, d)
			}
		}
	}
	sc, err := files.load()
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	accounts := &cfg.Accounts // where the account flags apply: the config's, or the scenario's
	demo := false
	switch {
	case len(cfg.Accounts) == 0 && sc != nil && len(sc.Accounts) > 0:
		accounts = scenarioAccounts(sc)
	case len(cfg.Accounts) == 0:
		cfg.Accounts = []mockwechat.Account{mockwechat.DemoAccount()}
		demo = true
	}
	if set["appid"] || set["secret"] || set["paysignkey"] || set["appkey"] || set["notify-url"] {
		if len(*accounts) != 1 {
			return usageErrorf(hint, "--appid, --secret, --paysignkey and --notify-url set the one account; the config file or the scenario has %d: set them there", len(*accounts))
		}
		a := &(*accounts)[0]
		if set["appid"] {
			a.AppID = cred.AppID
		}
		if set["secret"] {
			a.Secret, demo = cred.Secret, false
		}
		if set["paysignkey"] || set["appkey"] {
			a.PaySignKey, demo = cred.PaySignKey, false
		}
		if set["notify-url"] {
			a.NotifyURL = *notifyURL
		}
	}
	format, err := parseLogFormat(*logFormatFlag)
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	logger, err := newMockLogger(std.Stderr, *logLevel, format)
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	opts, err := cfg.Resolve(time.Now().Truncate(time.Second))
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	opts.Logger = logger
	if sc != nil {
		opts.Scenario = sc
		for i := range sc.Accounts {
			if len(cfg.Accounts) == 0 { // the account flags changed the scenario's
				sc.Accounts[i].Account = (*accounts)[i]
			}
		}
	}
	srv, err := mockwechat.New(opts)
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	if _, err := files.resume(ctx, srv); err != nil {
		srv.Close()
		return usageErrorf(hint, "%v", err)
	}
	if err := files.notReady(); err != nil {
		srv.Close()
		return err
	}
	if !loopback(cfg.Addr) {
		fmt.Fprintf(std.Stderr, "mockwechat: warning: --addr %s is not loopback: anyone who can reach it can drive the fake through its unauthenticated admin API (/_mock/); its Host, Origin and Content-Type checks keep web pages out, not people\n", cfg.Addr)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		srv.Close()
		return fmt.Errorf("listen on %s: %w (choose another with --addr, e.g. 127.0.0.1:0 for any free port)", cfg.Addr, err)
	}
	if err := srv.StartListener(ln); err != nil {
		ln.Close()
		srv.Close()
		return err
	}
	if std.getenv("GOMEMLIMIT") == "" {
		// A soft heap target: the fake's live memory is bounded (rings),
		// this keeps garbage from inflating RSS under load.
		debug.SetMemoryLimit(mockMemoryLimit)
	}
	if format == formatJSON {
		printStartJSON(std.Stdout, srv, demo)
	} else {
		printBanner(std.Stdout, srv, demo)
	}
	if err := files.ready(srv.URL); err != nil {
		srv.Close()
		return err
	}
	saver := files.startSaver(ctx, srv, std.Stderr)
	logged := startLiveLog(srv, std, *logLevel, format)

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	<-logged
	if serr := saver.finish(); serr != nil && err == nil {
		err = serr
	}
	files.notReady()
	fmt.Fprintln(std.Stderr, "mockwechat: stopped")
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// printBanner prints the URLs and the accounts. The demo account's
// credentials are public and printed in full; credentials given by flag or
// file are the user's and are masked.
func printBanner(w io.Writer, srv *mockwechat.Server, demo bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "mockwechat listening on %s\n", srv.URL)
	bannerLinks(&b, srv.URL)
	clock := "real time"
	if v, ok := srv.Clock(); ok {
		clock = "virtual, at " + v.Now().UTC().Format(time.RFC3339) + " (POST /_mock/clock/advance)"
	}
	fmt.Fprintf(&b, "  clock      %s\n", clock)
	for _, a := range srv.Accounts() {
		secret, key := "*** (as given)", "*** (as given)"
		if demo {
			secret, key = a.Secret, a.PaySignKey
		}
		notify := a.NotifyURL
		if notify == "" {
			notify = "(none: set --notify-url, or PATCH /_mock/accounts/" + a.AppID + ")"
		}
		fmt.Fprintf(&b, "account\n  appid       %s\n  secret      %s\n  paysignkey  %s\n  notify_url  %s\n", a.AppID, secret, key, notify)
	}
	io.WriteString(w, b.String())
}

// loopback reports whether addr ("host:port") listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

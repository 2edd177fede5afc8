package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
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
type mockCommand struct {
	// announced, when set, runs once the fake has announced that it is
	// ready (the banner printed, the ready file written) and before the
	// live log writes: a test's hook into that window.
	announced func(*mockwechat.Server)
}

func newMockCommand() *mockCommand { return &mockCommand{} }

func (*mockCommand) Name() string { return "mock" }

func (*mockCommand) Synopsis() string {
	return "run a fake WeChat (API, complaints, pushes, admin API) on loopback"
}

const mockUsage = `[flags]

Runs mockwechat: the WeChat API endpoints with their real errors, a world of
complaints that pushes signed notifications to --notify-url, Complaints 2.0
(WeChat Pay APIv3) under /v3/ with a demo merchant whose keys the banner
prints (--pay-keys DIR writes them and loads them next time, --pay-mode,
--pay-probe-every 6h sends SIGNTEST probes on a schedule), the admin API
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

// mockHint is the command line a usage error of mock suggests.
const mockHint = "payfeedback mock --addr 127.0.0.1:8080 --notify-url http://127.0.0.1:9000/payfeedback"

// mockShutdownTimeout bounds the wait for pushes and calls in flight when
// the fake stops.
const mockShutdownTimeout = 10 * time.Second

func (c *mockCommand) Run(ctx context.Context, args []string, std stdio) (err error) {
	f, err := parseServeFlags(std, c.Name(), args)
	if err != nil {
		return err
	}
	setup, err := f.setup()
	if err != nil {
		return usageErrorf(mockHint, "%v", err)
	}
	format, err := parseLogFormat(f.logFormat)
	if err != nil {
		return usageErrorf(mockHint, "%v", err)
	}
	logger, err := newMockLogger(std.Stderr, f.logLevel, format)
	if err != nil {
		return usageErrorf(mockHint, "%v", err)
	}
	opts, err := setup.cfg.Resolve(time.Now().Truncate(time.Second))
	if err != nil {
		return usageErrorf(mockHint, "%v", err)
	}
	opts.Logger, opts.Scenario = logger, setup.scenario
	srv, err := mockwechat.New(opts)
	if err != nil {
		return usageErrorf(mockHint, "%v", err)
	}
	r := &mockRun{srv: srv, files: f.files, std: std}
	defer func() {
		if serr := r.stop(); err == nil {
			err = serr
		}
	}()
	if _, err := f.files.resume(ctx, srv); err != nil {
		return usageErrorf(mockHint, "%v", err)
	}
	if err := f.files.notReady(); err != nil {
		return err
	}
	if err := r.start(ctx, setup.cfg.Addr, f.logLevel, format); err != nil {
		return err
	}
	// Ready: announced on standard output, in the ready file and at
	// /_mock/health, with the live log and the saver already subscribed.
	if format == formatJSON {
		printStartJSON(std.Stdout, srv, setup.demo)
	} else {
		printBanner(std.Stdout, srv, setup.demo)
	}
	if err := f.files.ready(srv.URL); err != nil {
		return err
	}
	if c.announced != nil {
		c.announced(srv)
	}
	r.follow()
	<-ctx.Done()
	return nil
}

// mockRun is a running `payfeedback mock`: the fake, the live log that
// follows it and the saver of --state.
type mockRun struct {
	srv    *mockwechat.Server
	files  *mockFiles
	std    stdio
	log    *liveLog // nil: --log off
	saver  *saver
	logged chan struct{} // closed once the live log's last line is out; nil: not following
	served bool
}

// start subscribes the live log and the saver to the fake's events, then
// listens on addr: every event from the first request on is logged and
// saved. The live log writes nothing until follow, so that the banner
// comes first.
func (r *mockRun) start(ctx context.Context, addr, level string, format logFormat) error {
	if !loopback(addr) {
		fmt.Fprintf(r.std.Stderr, "mockwechat: warning: --addr %s is not loopback: anyone who can reach it can drive the fake through its unauthenticated admin API (/_mock/); its Host, Origin and Content-Type checks keep web pages out, not people\n", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (choose another with --addr, e.g. 127.0.0.1:0 for any free port)", addr, err)
	}
	r.log = subscribeLiveLog(r.srv, r.std, level, format)
	r.saver = r.files.startSaver(ctx, r.srv, r.std.Stderr)
	if err := r.srv.StartListener(ln); err != nil {
		ln.Close()
		return err
	}
	r.served = true
	if r.std.getenv("GOMEMLIMIT") == "" {
		// A soft heap target: the fake's live memory is bounded (rings),
		// this keeps garbage from inflating RSS under load.
		debug.SetMemoryLimit(mockMemoryLimit)
	}
	return nil
}

// follow starts writing the live log: the events since start first.
func (r *mockRun) follow() {
	if r.log == nil {
		return
	}
	r.logged = make(chan struct{})
	go func() {
		defer close(r.logged)
		r.log.follow()
	}()
}

// stop shuts the fake down (waiting at most mockShutdownTimeout for what
// is in flight), writes the live log's last lines, saves --state a last
// time and removes the ready file.
func (r *mockRun) stop() error {
	shutdown, cancel := context.WithTimeout(context.Background(), mockShutdownTimeout)
	defer cancel()
	err := r.srv.Shutdown(shutdown)
	if err != nil && errors.Is(err, context.Canceled) {
		err = nil
	}
	if err != nil {
		err = fmt.Errorf("shutting down: %w", err)
	}
	if r.logged != nil {
		<-r.logged
	}
	if serr := r.saver.finish(); serr != nil && err == nil {
		err = serr
	}
	if rerr := r.files.notReady(); rerr != nil && err == nil {
		err = rerr
	}
	if r.served {
		fmt.Fprintln(r.std.Stderr, "mockwechat: stopped")
	}
	return err
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
	if m, ok := srv.PayMerchant(); ok {
		payBanner(&b, m)
	}
	io.WriteString(w, b.String())
}

// payBanner prints what a merchant configures to talk to the fake's
// Complaints 2.0: never a private key's content, but where the keys are.
func payBanner(b *strings.Builder, m mockwechat.PayMerchant) {
	keys := "in memory only (--pay-keys DIR writes them, and loads them next time)"
	if m.KeysDir != "" {
		keys = m.KeysDir + " (apiclient_key.pem, pub_key.pem, merchant.json)"
	}
	notify := m.NotifyURL
	if notify == "" {
		notify = "(none yet: the merchant creates it, POST /v3/merchant-service/complaint-notifications, or PUT /_mock/pay/merchants/" + m.MchID + "/notify-url)"
	}
	fmt.Fprintf(b, "Complaints 2.0 (WeChat Pay APIv3, under /v3/)\n  mchid          %s\n  serial_no      %s\n  apiv3_key      %s\n  public_key_id  %s\n  mode           %s\n  keys           %s\n  notify_url     %s\n",
		m.MchID, m.SerialNo, m.APIv3Key, m.PublicKeyID, m.Mode, keys, notify)
	if m.ProbeEvery > 0 {
		fmt.Fprintf(b, "  probes         a SIGNTEST probe every %s on the fake's clock\n", m.ProbeEvery)
	}
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

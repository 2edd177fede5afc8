package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// checkCommand runs the conformance suite against a merchant's endpoint.
type checkCommand struct{}

func newCheckCommand() *checkCommand { return &checkCommand{} }

func (*checkCommand) Name() string { return "check" }

func (*checkCommand) Synopsis() string {
	return "certify a merchant's endpoint: play WeChat, and an attacker, against it"
}

const checkUsage = `--url URL --appid A --paysignkey K [flags]
       payfeedback check --plan complaints --url URL --keys DIR [flags]

Runs the conformance suite against the merchant's payfeedback_url: valid
notifications in every form WeChat sends, hostile ones a sound merchant must
refuse, duplicate and interrupted deliveries. One line per case as it ends,
then what failed, the cause first, the summary last.

Exit status: 0 all passed; 1 a case failed or was inconclusive, or every
case was skipped (see --allow-skip); 2 usage errors, a --run that selects
no case, nothing listening at --url; 130 interrupted (Ctrl-C: the reports
hold the cases run so far).

A refusal proves something only when a valid notification is accepted at the
same URL in the same run: the suite sends one first (the control), and when
it is refused the refusal cases are INCONCLUSIVE, not passed. The cases that
fail the way the control did then get a dot each on one line; the details
list them once, under the likely cause.

--format chooses what goes to standard output: the text report (progress
lines, then the details), or the JSON or JUnit document alone (progress then
goes to standard error). --json and --junit also write files; "-" there
means standard output, in place of --format.

With --api the suite also starts a fake WeChat on --api-addr (the merchant
must be configured to call it, with the account's secret), files complaints
there, pushes them to --url, and judges the merchant's API calls: token
fetch and reuse, recovery from an expired token, payfeedback/update before
each deadline, customer messages. A merchant that calls the WeChat API while
handling a notification needs --api (the suite then files the complaints its
own notifications name in the fake, so those calls succeed).

The fake's clock is real unless --virtual-clock: an update is then awaited
for --api-timeout, and the deadline cases (1, 2, 3 or 15 days) say that is
all they could judge; an update that did not come in that time leaves them
INCONCLUSIVE, not failed. With --virtual-clock the fake runs on a virtual
clock that the merchant must follow (GET <fake>/_mock/clock: its freshness
checks, token lifetimes and its own schedule), and each update is judged
against the complaint's deadline: when it has not come, the suite moves the
clock to a minute before the deadline, then to a day past it.

--chaos N delivers N genuine complaints as a bad network and WeChat's
retries would (duplicates, reordering, late and cut copies, retries), mixed
with forged and stale copies, and checks that every genuine one is
acknowledged and no forged one is; the seed it prints (--seed) replays the
same campaign.

--plan complaints certifies a Complaints 2.0 callback endpoint instead (the
default plan, v1.5, is the 2014 notifications): genuine callbacks of every
event and action type, signed with the WeChat Pay public key, a platform
certificate, and the day-by-day mix of WeChat's switch (--pay-mode), must
be acknowledged with 200 or 204; probes, forgeries, stale, undecryptable
and oversized ones refused with {"code":"FAIL",…}; retries and copies
acknowledged. --keys DIR is the identity the merchant is configured with,
the directory payfeedback mock --pay-keys DIR writes: the merchant's
apiclient_key.pem, pub_key.pem and merchant.json, and WeChat's keys, with
which the suite signs as WeChat (wechatpay_public_key_private.pem,
platform_cert.pem, platform_key.pem). There is no default: a fresh
identity would be one the merchant does not know. With --api the
suite starts a fake WeChat playing Complaints 2.0 with the same identity
on --api-addr (configure the merchant's API base URL there, with the same
keys directory): the complaints the plan's callbacks name are filed there,
so the merchant's calls about them succeed, and the cases that count its
work (processed once, no regression) run. A scenario then files four
complaints the fake announces itself and judges the merchant's calls: the
detail fetched after CREATE_COMPLAINT, replies and completions valid,
refund decisions with their fields, a fresh idempotent_id per
immediate-service reply and the same one on a retry (the suite fails the
first with 500 SYSTEM_ERROR), the history paged, no 429, and each complaint
handled within --respond-within (24h) on the fake's clock, judged in full
with --virtual-clock (the suite moves the clock; signatures stay on real
time). --chaos N plays N
complaints' callbacks with duplicates, concurrent copies, reordered state
changes, retries on the 2.0 schedule, probes, forged and stale copies.
--appid, --paysignkey, --secret and --openid are the V1.5 plan's; --keys,
--pay-mode and --respond-within the Complaints 2.0 plan's.

--evidence FILE writes one signed bundle of the run for an auditor (the
report, each case's exchanges with the secrets masked, the plan, the seed,
the kit's version, the time, the --expect-fail list), signed with the
Ed25519 key of --evidence-key, or a fresh one said ephemeral: see
payfeedback evidence -h.`

// checkFlags are check's options as parsed.
type checkFlags struct {
	cred                   credentials
	url, openID, pattern   string
	format                 string
	jsonFile, junitFile    string
	expectFile, apiAddr    string
	evidenceFile           string
	evidenceKey            string
	stale, future, timeout *time.Duration
	apiTimeout, wait       *time.Duration
	strict, list, api      bool
	virtualClock           bool
	allowSkip              bool
	chaos                  int
	seed                   uint64
	// The Complaints 2.0 plan's: --plan, --keys, --pay-mode,
	// --respond-within.
	plan, keysDir, payMode string
	respondWithin          *time.Duration
	// set names the flags given on the command line.
	set map[string]bool
	// payKeys are the keys --keys names, loaded (PlanComplaints).
	payKeys *conformance.PayKeys
}

func (c *checkCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback check --url http://127.0.0.1:9000/payfeedback --appid wx... --paysignkey KEY"
	fs := newFlagSet(std, c.Name(), checkUsage)
	var f checkFlags
	f.cred.addAppIDFlag(fs)
	f.cred.addPaySignKeyFlag(fs)
	f.cred.addSecretFlag(fs)
	fs.StringVar(&f.url, "url", "", "the merchant's payfeedback_url (`URL`)")
	fs.StringVar(&f.openID, "openid", "", "the user the notifications name (default: a fresh `openid` per run)")
	f.stale = durationFlag(fs, "stale", conformance.DefaultStaleAge, "age of the stale timestamp a sound merchant refuses (a `duration`)")
	f.future = durationFlag(fs, "future", conformance.DefaultFutureSkew, "how far ahead of now the future timestamp is (a `duration`)")
	f.timeout = durationFlag(fs, "timeout", conformance.DefaultTimeout, "time limit for answering a valid notification (a `duration`)")
	f.wait = durationFlag(fs, "wait", 0, "wait this `duration` for something to listen at --url before the first case (default: one attempt)")
	fs.BoolVar(&f.strict, "strict", false, "fail warnings too (e.g. an answer other than \"success\")")
	fs.StringVar(&f.pattern, "run", "", "run only the cases whose id matches this regular `expression` (e.g. ^security/)")
	fs.BoolVar(&f.list, "list", false, "list the cases (those --run selects) and exit")
	fs.BoolVar(&f.allowSkip, "allow-skip", false, "pass a run whose selected cases were all skipped (without it, such a run checked nothing and fails)")
	fs.StringVar(&f.format, "format", "text", "what standard output carries: `text`, json or junit (the document alone)")
	fs.StringVar(&f.jsonFile, "json", "", "also write the report as JSON to `file` (- for standard output)")
	fs.StringVar(&f.junitFile, "junit", "", "also write the report as JUnit XML to `file` (- for standard output)")
	fs.StringVar(&f.expectFile, "expect-fail", "", "`file` listing case ids expected to fail, one a line (# comments)")
	fs.BoolVar(&f.api, "api", false, "run the API cases against the suite's fake WeChat (the merchant must call it)")
	fs.StringVar(&f.apiAddr, "api-addr", defaultMockAddr, "where the fake WeChat of the API cases listens: configure the merchant to call this `HOST:PORT` (the default is payfeedback mock's)")
	f.apiTimeout = durationFlag(fs, "api-timeout", conformance.DefaultAPITimeout, "how long an API case waits for the merchant's call (a `duration`)")
	fs.BoolVar(&f.virtualClock, "virtual-clock", false, "with --api: run the fake on a virtual clock the merchant follows (GET <fake>/_mock/clock), so that deadlines of days are judged")
	fs.IntVar(&f.chaos, "chaos", 0, "run the chaos campaign with `N` genuine complaints")
	fs.Uint64Var(&f.seed, "seed", 0, "the chaos campaign's `seed` (default: a random one, printed)")
	fs.StringVar(&f.evidenceFile, "evidence", "", "write a signed evidence bundle of the run to `file` (a tar: payfeedback evidence verify checks it)")
	fs.StringVar(&f.evidenceKey, "evidence-key", "", "sign the bundle with this Ed25519 key, a PEM `file` (payfeedback evidence keygen; default: a fresh key, said ephemeral)")
	fs.StringVar(&f.plan, "plan", string(conformance.PlanV15), "the `plan`: v1.5 (the 2014 notifications) or complaints (Complaints 2.0 callbacks)")
	fs.StringVar(&f.keysDir, "keys", "", "with --plan complaints: the keys `directory` the merchant is configured with (payfeedback mock --pay-keys DIR writes it)")
	fs.StringVar(&f.payMode, "pay-mode", string(conformance.KeyModeSwitch), "with --plan complaints: which of WeChat's keys sign the callbacks: public-key, platform-certificate or switch (both, and the day-by-day `mix`)")
	f.respondWithin = durationFlag(fs, "respond-within", conformance.DefaultRespondWithin, "with --plan complaints --api: the deadline the merchant sets itself to reply to and handle a complaint, on the fake's clock (a `duration`)")
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	f.cred.secretsFromEnv(std)
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	plan, err := conformance.ParsePlan(f.plan)
	if err != nil {
		return usageErrorf(hint, "--plan %q: want %s (the 2014 notifications, the default) or %s (Complaints 2.0 callbacks)", f.plan, conformance.PlanV15, conformance.PlanComplaints)
	}
	if plan == conformance.PlanComplaints {
		return c.runComplaints(ctx, std, f, args)
	}
	if given := f.given(payOnlyFlags); given != "" {
		return usageErrorf(hint+" --plan complaints --keys DIR", "%s is the Complaints 2.0 plan's: add --plan complaints (the default plan, v1.5, signs with --paysignkey)", given)
	}
	if f.list {
		return listCases(std.Stdout, plan, f.pattern)
	}
	switch {
	case f.url == "":
		return usageErrorf(hint, "--url is required: the merchant's payfeedback_url")
	case f.cred.AppID == "":
		return usageErrorf(hint, "--appid is required: the merchant's official account")
	case f.cred.PaySignKey == "":
		return usageErrorf(hint, "--paysignkey is required: the suite signs its notifications with it")
	case f.virtualClock && !f.api:
		return usageErrorf(hint+" --api --virtual-clock", "--virtual-clock is the clock of the API cases' fake WeChat: add --api")
	case f.chaos < 0:
		return usageErrorf(hint, "--chaos %d: want a number of complaints, or 0 for no campaign", f.chaos)
	}
	out, err := planOutputs(std, f)
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	expect, err := readExpectFail(plan, f.expectFile, hint)
	if err != nil {
		return err
	}
	ev, err := planEvidence(f, args, expect, planPayfeedback, nil)
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	if f.chaos > 0 && f.seed == 0 {
		f.seed = newSeed()
	}
	p := newProgress(std, out.progress)
	opts := conformance.Options{
		URL: f.url, AppID: f.cred.AppID, PaySignKey: f.cred.PaySignKey, Secret: f.cred.Secret, OpenID: f.openID,
		StaleAge: *f.stale, FutureSkew: *f.future, Timeout: *f.timeout, Strict: f.strict, Wait: *f.wait,
		Run: f.pattern, ExpectFail: expect, AllowSkip: f.allowSkip,
		API: f.api, APIAddr: f.apiAddr, APITimeout: *f.apiTimeout, VirtualClock: f.virtualClock,
		Chaos: f.chaos, Seed: f.seed,
		Progress: p.result,
		OnWait:   p.waiting,
		APIReady: func(env conformance.APIEnv) { p.say(fakeLines(env, f.cred.Secret != "", f.virtualClock)) },
	}
	cases, err := opts.Selected()
	if err != nil {
		if errors.Is(err, conformance.ErrNoCaseSelected) {
			return usageErrorf("payfeedback check --list --run '"+f.pattern+"'", "--run %q selects no case: nothing would be checked", f.pattern)
		}
		return usageErrorf(hint, "%s", strings.TrimPrefix(err.Error(), "conformance: "))
	}
	p.total = len(cases)
	p.header = fmt.Sprintf("payfeedback check %s (appid %s): %s", f.url, f.cred.AppID, plural(len(cases), "case"))
	if f.chaos > 0 {
		p.header += fmt.Sprintf("\nchaos campaign: %d complaints, seed %d (the same seed replays it: --chaos %d --seed %d)", f.chaos, f.seed, f.chaos, f.seed)
	}
	return finishCheck(ctx, std, f, opts, out, ev, p)
}

// finishCheck runs the suite as opts says, writes the reports and the
// evidence, and returns check's exit status: the part of a run both plans
// share.
func finishCheck(ctx context.Context, std stdio, f checkFlags, opts conformance.Options, out outputs, ev *evidencePlan, p *progress) error {
	rep, runErr := conformance.Run(ctx, opts)
	p.waiting("")
	switch {
	case errors.Is(runErr, conformance.ErrUnreachable):
		return exitCode(2, unreachableError(runErr, f))
	case runErr != nil && !errors.Is(runErr, context.Canceled):
		return runErr
	}
	evErr := ev.write(rep, p)
	if err := out.write(std, rep, p); err != nil {
		return err
	}
	if evErr != nil {
		return evErr
	}
	switch {
	case runErr != nil:
		p.say("interrupted: the report holds the cases run so far")
		return exitCode(1, nil)
	case rep.NothingChecked():
		return exitCode(1, errors.New("every selected case was skipped, so nothing was checked (--allow-skip accepts that)"))
	case rep.Failed():
		return exitCode(1, nil)
	}
	return nil
}

// readExpectFail reads the --expect-fail list of plan's cases ("": none); a file that
// cannot be read or parsed is a usage error.
func readExpectFail(plan conformance.Plan, name, hint string) ([]string, error) {
	if name == "" {
		return nil, nil
	}
	file, err := os.Open(name)
	if err != nil {
		return nil, usageErrorf(hint, "--expect-fail: %v", err)
	}
	defer file.Close()
	expect, err := plan.ParseExpectFail(file)
	if err != nil {
		return nil, usageErrorf(hint, "--expect-fail %s: %v", name, err)
	}
	return expect, nil
}

// unreachableError words the pre-flight's failure for the command line.
func unreachableError(err error, f checkFlags) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) && *f.wait == 0:
		return fmt.Errorf("nothing listens at %s: start the merchant, or pass --wait 30s", f.url)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("nothing listened at %s within --wait %s: is the merchant starting, on that port?", f.url, *f.wait)
	}
	return fmt.Errorf("cannot reach %s: %s", f.url, strings.TrimPrefix(err.Error(), conformance.ErrUnreachable.Error()+": "))
}

// newSeed returns a random chaos seed of a few digits, easy to type back.
func newSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return binary.LittleEndian.Uint64(b[:])%999_999 + 1
}

// listCases prints the cases of plan that pattern selects: id, then the
// requirement.
func listCases(w io.Writer, plan conformance.Plan, pattern string) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return usageErrorf("payfeedback check --list --run ^security/", "--run: %v", err)
	}
	var b strings.Builder
	n := 0
	for _, c := range plan.Cases() {
		if !re.MatchString(c.ID) {
			continue
		}
		n++
		api := ""
		switch {
		case c.API:
			api = " [--api]"
		}
		fmt.Fprintf(&b, "%s%s\n    %s\n", c.ID, api, c.Requirement)
	}
	if n == 0 {
		return usageErrorf("payfeedback check --list", "--run %q selects no case", pattern)
	}
	fmt.Fprintf(&b, "%d cases\n", n)
	_, err = io.WriteString(w, b.String())
	return err
}

// fakeLines says where the API cases' fake WeChat is, with which
// credentials the merchant must call it, and which clock it runs on. A
// secret given on the command line is not echoed; the demo secret is
// public.
func fakeLines(env conformance.APIEnv, secretGiven, virtual bool) string {
	secret := env.Secret
	if secretGiven {
		secret = "*** (as given with --secret)"
	} else if secret == mockwechat.DemoAccount().Secret {
		secret += " (the demo secret: configure the merchant with it, or give --secret)"
	}
	clock := "real, " + env.Now().UTC().Format(time.RFC3339) + " (deadlines of days cannot pass in a run: --virtual-clock judges them)"
	if virtual {
		clock = "virtual, at " + env.Now().UTC().Format(time.RFC3339) + ": the merchant must take its time from GET " + env.BaseURL + "/_mock/clock"
	}
	return fmt.Sprintf("fake WeChat for the API cases at %s\n  appid   %s\n  secret  %s\n  clock   %s",
		env.BaseURL, env.AppID, secret, clock)
}

// plural words a count: "1 case", "2 cases".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

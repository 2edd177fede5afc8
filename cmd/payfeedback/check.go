package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
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

Runs the conformance suite against the merchant's payfeedback_url: valid
notifications in every form WeChat sends, hostile ones a sound merchant must
refuse, duplicate and interrupted deliveries. One line per case as it runs,
then the failures with Expected vs Actual and the exchange on the wire, the
summary last. Exit status: 0 all passed, 1 failures, 2 usage errors.

With --api the suite also starts a fake WeChat on --api-addr (the merchant
must be configured to call it, with the account's secret), files complaints
there, pushes them to --url, and judges the merchant's API calls: token
fetch and reuse, recovery from an expired token, payfeedback/update,
customer messages. Without --api those cases are skipped; a merchant that
calls the WeChat API while handling a notification, and answers 5xx when the
call fails, needs --api (the suite then files the complaints its own
notifications name in the fake, so those calls succeed).`

func (c *checkCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback check --url http://127.0.0.1:9000/payfeedback --appid wx... --paysignkey KEY"
	fs := newFlagSet(std, c.Name(), checkUsage)
	var cred credentials
	cred.addAppIDFlag(fs)
	cred.addPaySignKeyFlag(fs)
	cred.addSecretFlag(fs)
	target := fs.String("url", "", "the merchant's payfeedback_url (`URL`)")
	openID := fs.String("openid", "", "the user the notifications name (default: a fresh `openid` per run)")
	stale := fs.Duration("stale", conformance.DefaultStaleAge, "age of the stale timestamp a sound merchant refuses")
	future := fs.Duration("future", conformance.DefaultFutureSkew, "how far ahead of now the future timestamp is")
	timeout := fs.Duration("timeout", conformance.DefaultTimeout, "time limit for answering a valid notification")
	strict := fs.Bool("strict", false, "fail warnings too (e.g. an answer other than \"success\")")
	pattern := fs.String("run", "", "run only the cases whose id matches this regular `expression` (e.g. ^security/)")
	list := fs.Bool("list", false, "list the cases (those --run selects) and exit")
	jsonFile := fs.String("json", "", "also write the report as JSON to `file`")
	junitFile := fs.String("junit", "", "also write the report as JUnit XML to `file`")
	expectFile := fs.String("expect-fail", "", "`file` listing case ids expected to fail, one a line (# comments)")
	api := fs.Bool("api", false, "run the API cases against the suite's fake WeChat (the merchant must call it)")
	apiAddr := fs.String("api-addr", defaultMockAddr, "where the fake WeChat of the API cases listens: configure the merchant to call this `HOST:PORT` (the default is payfeedback mock's)")
	apiTimeout := fs.Duration("api-timeout", conformance.DefaultAPITimeout, "how long an API case waits for the merchant's call")
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	cred.secretsFromEnv(std)
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	if *list {
		return listCases(std.Stdout, *pattern)
	}
	switch {
	case *target == "":
		return usageErrorf(hint, "--url is required: the merchant's payfeedback_url")
	case cred.AppID == "":
		return usageErrorf(hint, "--appid is required: the merchant's official account")
	case cred.PaySignKey == "":
		return usageErrorf(hint, "--paysignkey is required: the suite signs its notifications with it")
	}
	var expect []string
	if *expectFile != "" {
		f, err := os.Open(*expectFile)
		if err != nil {
			return usageErrorf(hint, "--expect-fail: %v", err)
		}
		expect, err = conformance.ParseExpectFail(f)
		f.Close()
		if err != nil {
			return usageErrorf(hint, "--expect-fail %s: %v", *expectFile, err)
		}
	}
	opts := conformance.Options{
		URL: *target, AppID: cred.AppID, PaySignKey: cred.PaySignKey, Secret: cred.Secret, OpenID: *openID,
		StaleAge: *stale, FutureSkew: *future, Timeout: *timeout, Strict: *strict,
		Run: *pattern, ExpectFail: expect,
		API: *api, APIAddr: *apiAddr, APITimeout: *apiTimeout,
		Progress: func(r conformance.Result) { fmt.Fprintln(std.Stdout, conformance.FormatLine(r)) },
		APIReady: func(env conformance.APIEnv) { printFake(std.Stdout, env, cred.Secret != "") },
	}
	if err := opts.Validate(); err != nil {
		return usageErrorf(hint, "%s", strings.TrimPrefix(err.Error(), "conformance: "))
	}
	fmt.Fprintf(std.Stdout, "payfeedback check %s (appid %s)\n", *target, cred.AppID)
	rep, runErr := conformance.Run(ctx, opts)
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	if err := rep.WriteDetails(std.Stdout); err != nil {
		return err
	}
	for _, out := range []struct {
		file  string
		write func(io.Writer) error
	}{{*jsonFile, rep.WriteJSON}, {*junitFile, rep.WriteJUnit}} {
		if out.file == "" {
			continue
		}
		if err := writeReportFile(out.file, out.write); err != nil {
			return err
		}
	}
	switch {
	case runErr != nil:
		return exitCode(1, errors.New("interrupted: the cases not run are reported skipped"))
	case rep.Failed():
		return exitCode(1, nil)
	}
	return nil
}

// listCases prints the cases pattern selects: id, then the requirement.
func listCases(w io.Writer, pattern string) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return usageErrorf("payfeedback check --list --run ^security/", "--run: %v", err)
	}
	var b strings.Builder
	n := 0
	for _, c := range conformance.Cases() {
		if !re.MatchString(c.ID) {
			continue
		}
		n++
		api := ""
		if c.API {
			api = " [--api]"
		}
		fmt.Fprintf(&b, "%s%s\n    %s\n", c.ID, api, c.Requirement)
	}
	fmt.Fprintf(&b, "%d cases\n", n)
	_, err = io.WriteString(w, b.String())
	return err
}

// printFake says where the API cases' fake WeChat is and with which
// credentials the merchant must call it. A secret given on the command
// line is not echoed; the demo secret is public.
func printFake(w io.Writer, env conformance.APIEnv, secretGiven bool) {
	secret := env.Secret
	if secretGiven {
		secret = "*** (as given with --secret)"
	} else if secret == mockwechat.DemoAccount().Secret {
		secret += " (the demo secret: configure the merchant with it, or give --secret)"
	}
	fmt.Fprintf(w, "fake WeChat for the API cases at %s (clock: %s)\n  appid   %s\n  secret  %s\n",
		env.BaseURL, env.Now().UTC().Format(time.RFC3339), env.AppID, secret)
}

func writeReportFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/evidence"
)

// The flags that only one plan takes: given to the other, they are
// refused with what to do instead, not ignored.
var (
	// payOnlyFlags are the Complaints 2.0 plan's.
	payOnlyFlags = []string{"keys", "pay-mode", "respond-within"}
	// v15OnlyFlags are the V1.5 plan's: its account.
	v15OnlyFlags = []string{"appid", "paysignkey", "appkey", "secret", "openid"}
)

// given returns the first of names given on the command line, with its
// dashes ("" when none was).
func (f checkFlags) given(names []string) string {
	for _, n := range names {
		if f.set[n] {
			return "--" + n
		}
	}
	return ""
}

// payFakeLines says where the Complaints 2.0 fake of the API cases is,
// with which identity the merchant calls it, and which clock it runs on.
func payFakeLines(env conformance.APIEnv, f checkFlags, mode conformance.KeyMode) string {
	clock := "real, " + env.Now().UTC().Format(time.RFC3339) + " (a deadline of hours cannot pass in a run: --virtual-clock judges it)"
	if f.virtualClock {
		clock = "virtual, at " + env.Now().UTC().Format(time.RFC3339) + ": the suite moves it; a merchant that schedules its own work takes its time from GET " +
			env.BaseURL + "/_mock/clock (signatures stay on real time)"
	}
	return fmt.Sprintf("fake WeChat (Complaints 2.0) for the API cases at %s\n  mchid   %s\n  keys    %s (%s): configure the merchant's API base URL and keys with these\n  clock   %s\n  deadline %s after each complaint (--respond-within)",
		env.BaseURL, f.payKeys.Merchant.MchID, f.keysDir, mode, clock, *f.respondWithin)
}

// runComplaints runs check --plan complaints: the Complaints 2.0 plan
// against the callback endpoint at --url, signing as the WeChat of the
// keys directory --keys, with the same outputs, exit statuses, progress,
// --expect-fail and --evidence as the V1.5 plan.
func (c *checkCommand) runComplaints(ctx context.Context, std stdio, f checkFlags, args []string) error {
	const hint = "payfeedback check --plan complaints --url http://127.0.0.1:8090/wechat/complaints --keys ./keys"
	if given := f.given(v15OnlyFlags); given != "" {
		return usageErrorf(hint, "%s is the V1.5 plan's: the Complaints 2.0 plan takes the merchant's identity from --keys DIR (merchant.json, the keys)", given)
	}
	mode, err := conformance.ParseKeyMode(f.payMode)
	if err != nil {
		return usageErrorf(hint, "--pay-mode %q: want %s, %s or %s", f.payMode, conformance.KeyModePublicKey, conformance.KeyModePlatformCertificate, conformance.KeyModeSwitch)
	}
	if f.list {
		return listCases(std.Stdout, conformance.PlanComplaints, f.pattern)
	}
	switch {
	case f.url == "":
		return usageErrorf(hint, "--url is required: the merchant's complaint callback URL (its notify_url)")
	case f.keysDir == "":
		return usageErrorf(hint, "--keys DIR is required with --plan complaints: the keys directory the merchant is configured with "+
			"(payfeedback mock --pay-keys DIR writes one); the suite signs as the WeChat of those keys, and a fresh identity would be one the merchant does not trust")
	case f.chaos < 0:
		return usageErrorf(hint, "--chaos %d: want a number of complaints, or 0 for no campaign", f.chaos)
	case f.virtualClock && !f.api:
		return usageErrorf(hint+" --api --virtual-clock", "--virtual-clock is the clock of the API cases' fake WeChat: add --api")
	case (f.set["api-addr"] || f.set["api-timeout"] || f.set["respond-within"]) && !f.api:
		return usageErrorf(hint+" --api", "--api-addr, --api-timeout and --respond-within are the API cases': add --api")
	case *f.respondWithin <= 0:
		return usageErrorf(hint+" --api --respond-within 24h", "--respond-within %s: want a positive duration", *f.respondWithin)
	}
	if f.payKeys, err = conformance.LoadPayKeys(f.keysDir); err != nil {
		return usageErrorf(hint, "--keys: %s", strings.TrimPrefix(err.Error(), "conformance: "))
	}
	out, err := planOutputs(std, f)
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	expect, err := readExpectFail(conformance.PlanComplaints, f.expectFile, hint)
	if err != nil {
		return err
	}
	ev, err := planEvidence(f, args, expect, planComplaints,
		[]evidence.Secret{{Name: "apiv3Key", Value: f.payKeys.Merchant.APIv3Key}})
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	if f.seed == 0 {
		f.seed = newSeed() // the plan draws its nonces and ids from it: printed, it replays them
	}
	p := newProgress(std, out.progress)
	opts := conformance.Options{
		Plan: conformance.PlanComplaints, URL: f.url, PayKeys: f.payKeys, KeyMode: mode,
		Timeout: *f.timeout, Strict: f.strict, Wait: *f.wait,
		Run: f.pattern, ExpectFail: expect, AllowSkip: f.allowSkip,
		Chaos: f.chaos, Seed: f.seed,
		API: f.api, APIAddr: f.apiAddr, APITimeout: *f.apiTimeout, VirtualClock: f.virtualClock, RespondWithin: *f.respondWithin,
		APIReady: func(env conformance.APIEnv) { p.say(payFakeLines(env, f, mode)) },
		Progress: p.result,
		OnWait:   p.waiting,
	}
	if !f.api {
		opts.APIAddr = "" // --api-addr's default is for --api only
	}
	// --stale and --future default to the V1.5 plan's days and hour; the
	// Complaints 2.0 plan's own defaults (6 minutes) apply unless given.
	if f.set["stale"] {
		opts.StaleAge = *f.stale
	}
	if f.set["future"] {
		opts.FutureSkew = *f.future
	}
	cases, err := opts.Selected()
	if err != nil {
		if errors.Is(err, conformance.ErrNoCaseSelected) {
			return usageErrorf("payfeedback check --plan complaints --list --run '"+f.pattern+"'", "--run %q selects no case: nothing would be checked", f.pattern)
		}
		return usageErrorf(hint, "%s", strings.TrimPrefix(err.Error(), "conformance: "))
	}
	p.total = len(cases)
	p.header = fmt.Sprintf("payfeedback check --plan complaints %s (mchid %s, keys %s): %s, seed %d",
		f.url, f.payKeys.Merchant.MchID, mode, plural(len(cases), "case"), f.seed)
	if f.chaos > 0 {
		p.header += fmt.Sprintf("\nchaos campaign: %d complaints, seed %d (the same seed replays it: --chaos %d --seed %d)", f.chaos, f.seed, f.chaos, f.seed)
	}
	return finishCheck(ctx, std, f, opts, out, ev, p)
}

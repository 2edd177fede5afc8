package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/evidence"
)

// The flags that only one plan takes: given to the other, they are
// refused with what to do instead, not ignored.
var (
	// payOnlyFlags are the Complaints 2.0 plan's.
	payOnlyFlags = []string{"keys", "pay-mode"}
	// v15OnlyFlags are the V1.5 plan's: its account, and the --api part
	// over its fake WeChat.
	v15OnlyFlags = []string{"appid", "paysignkey", "appkey", "secret", "openid", "api", "api-addr", "api-timeout", "virtual-clock"}
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

// runComplaints runs check --plan complaints: the Complaints 2.0 plan
// against the callback endpoint at --url, signing as the WeChat of the
// keys directory --keys, with the same outputs, exit statuses, progress,
// --expect-fail and --evidence as the V1.5 plan.
func (c *checkCommand) runComplaints(ctx context.Context, std stdio, f checkFlags, args []string) error {
	const hint = "payfeedback check --plan complaints --url http://127.0.0.1:8090/wechat/complaints --keys ./keys"
	switch given := f.given(v15OnlyFlags); {
	case given == "--api" || given == "--api-addr" || given == "--api-timeout" || given == "--virtual-clock":
		return usageErrorf(hint, "%s: the Complaints 2.0 plan's --api part (the merchant calling a fake WeChat's /v3 API) is not in this build: "+
			"run without it (the cases that count the merchant's work are skipped), or certify the V1.5 API with --plan v1.5 --api", given)
	case given != "":
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
		Progress: p.result,
		OnWait:   p.waiting,
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

package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/evidence"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// exampleBinary builds ./examples/NAME into bin/cmd-tests/ of the
// repository (git ignores bin/) and returns its path. A binary up to date
// there is neither linked again nor rewritten, in this run or the next: a
// link is seconds of CPU, and go test records what its tests open, so a
// binary rewritten by every run would make this package's results
// uncacheable. go build -o does both halves of that only in part: into a
// directory holding its last output it links nothing when the code did
// not change (a quarter of a second), but it rewrites the file. So the
// build goes into bin/cmd-tests/.stage/, compared by cmp(1) (a process of
// its own: its reads are not the test's), and copied over the binary in
// bin/cmd-tests/ only when their bytes differ. The directory is these
// tests' own, apart from the bin/ the README's blocks build into
// (internal/readme), which may be running it meanwhile.
func exampleBinary(t *testing.T, name string) string {
	t.Helper()
	// One build at a time: go build rewrites its output in place, so a
	// second build (or cmp) beside it could see half a binary.
	exampleBuilds.Lock()
	defer exampleBuilds.Unlock()
	return buildExample(t, name)
}

// buildExample is exampleBinary's work, exampleBuilds held.
func buildExample(t *testing.T, name string) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "bin", "cmd-tests")
	stage := filepath.Join(dir, ".stage")
	if err := os.MkdirAll(stage, 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.CommandContext(t.Context(), "go", "build", "-o", stage+string(filepath.Separator), "./examples/"+name)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/%s: %v\n%s", name, err, out)
	}
	built, bin := filepath.Join(stage, name), filepath.Join(dir, name)
	if !sameBytes(t, built, bin) {
		copyOver(t, built, bin)
	}
	return bin
}

// exampleBuilds serializes exampleBinary within the test binary: the
// parallel tests that run the same example build it at the same time.
var exampleBuilds sync.Mutex

// sameBytes reports whether the files a and b hold the same bytes, as
// cmp(1) tells; a missing b is not the same.
func sameBytes(t *testing.T, a, b string) bool {
	t.Helper()
	err := exec.CommandContext(t.Context(), "cmp", "-s", a, b).Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true
	case errors.As(err, &exit) && exit.ExitCode() == 1: // they differ
		return false
	case errors.As(err, &exit) && exit.ExitCode() == 2: // b missing (or unreadable: copyOver says)
		return false
	}
	t.Fatalf("cmp %s %s: %v", a, b, err)
	return false
}

// copyOver copies the file src to a new file beside dst, executable, and
// renames it over dst, so that a test running the old dst keeps it, and
// src stays (go build finds its last output there, up to date).
func copyOver(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".copy-")
	if err != nil {
		t.Fatal(err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(f.Name(), 0o755), os.Rename(f.Name(), dst)); err != nil {
		os.Remove(f.Name())
		t.Fatal(err)
	}
}

// startExampleMerchant builds examples/merchant and runs it on loopback,
// wired to a fake WeChat at fakeAddr whose clock it follows; it is stopped
// when the test ends. It returns the merchant's notification URL.
func startExampleMerchant(t *testing.T, fakeAddr string) string {
	t.Helper()
	bin := exampleBinary(t, "merchant")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--addr", addr, "--base-url", "http://"+fakeAddr, "--follow-clock", "--auto-resolve", "2h")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("examples/merchant's log:\n%s", log.String())
		}
	})
	return "http://" + addr + "/wechat/payfeedback"
}

// keygen makes a signing key with the CLI and returns its path.
func keygen(t *testing.T) string {
	t.Helper()
	key := filepath.Join(t.TempDir(), "team.key")
	if r := runCLI(t, "", nil, "evidence", "keygen", key); r.code != 0 {
		t.Fatalf("keygen: exit %d\n%s", r.code, r.stderr)
	}
	return key
}

// TestEvidenceOfExampleMerchant: check --evidence against the example
// merchant (a process of its own, on loopback), every case with the API
// cases on the virtual clock, an expected-failure list, a team key made by
// keygen. The bundle verifies with the key's public half and certifies
// that run; it holds neither the paySignKey nor the appSecret; a byte
// changed, or another key, is refused.
func TestEvidenceOfExampleMerchant(t *testing.T) {
	t.Parallel()
	demo := mockwechat.DemoAccount()
	fake := freeAddr(t)
	url := startExampleMerchant(t, fake)
	key := keygen(t)
	dir := t.TempDir()
	bundle, expect := filepath.Join(dir, "evidence.tar"), filepath.Join(dir, "known.txt")
	if err := os.WriteFile(expect, []byte("# flaky on our staging box\nnotify/time-limit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", nil, "check", "--url", url, "--wait", "60s", "--appid", demo.AppID, "--secret", demo.Secret, "--paysignkey", demo.PaySignKey,
		"--api", "--api-addr", fake, "--virtual-clock", "--expect-fail", expect, "--evidence", bundle, "--evidence-key", key)
	if r.code != 0 {
		t.Fatalf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "evidence: "+bundle+", ") || !strings.Contains(r.stdout, " (--evidence-key): payfeedback evidence verify "+bundle+" --key PUBFILE checks it\n") {
		t.Errorf("check does not say where the bundle went:\n%s", r.stdout)
	}
	raw, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string]string{"paySignKey": demo.PaySignKey, "appSecret": demo.Secret} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the bundle holds the %s", name)
		}
	}

	v := runCLI(t, "", nil, "evidence", "verify", bundle, "--key", key+".pub")
	if v.code != 0 {
		t.Fatalf("verify: exit %d\n%s", v.code, v.stderr)
	}
	total := len(conformance.Cases())
	for _, want := range []string{
		bundle + ": verified: ",
		"  plan      payfeedback (api=on, chaos=0, clock=virtual, strict=off)\n",
		"  target    " + url + "\n",
		"  cases     all the plan's cases\n",
		fmt.Sprintf("  result    %d cases, %d passed, 1 skipped, 0 failed (1 listed as expected to fail but passed)\n", total, total-1),
		"  verdict   passed\n",
		"  kit       " + kitVersion() + "\n",
		"--paysignkey *** ",
		"  expected  1 case listed in --expect-fail (the file as given: expect-fail.txt): notify/time-limit passed: the list can lose it\n",
		"  masked    paySignKey (found once), appSecret (found once)\n",
		"the key given with --key " + key + ".pub: the signer holds its private half\n",
	} {
		if !strings.Contains(v.stdout, want) {
			t.Errorf("verify's output lacks %q:\n%s", want, v.stdout)
		}
	}

	changed := filepath.Join(dir, "changed.tar")
	raw[len(raw)/2] ^= 0x20
	if err := os.WriteFile(changed, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if v := runCLI(t, "", nil, "evidence", "verify", changed, "--key", key+".pub"); v.code != 1 || !strings.HasPrefix(v.stderr, "payfeedback evidence: "+changed+": the bundle was changed after it was signed: ") || strings.Count(v.stderr, "\n") != 1 || v.stdout != "" {
		t.Errorf("a changed bundle: exit %d, stdout %q, stderr %q; want 1 and one line", v.code, v.stdout, v.stderr)
	}
	other := keygen(t)
	if v := runCLI(t, "", nil, "evidence", "verify", bundle, "--key", other+".pub"); v.code != 1 || !strings.Contains(v.stderr, "signed by another key than the one given") {
		t.Errorf("another key: exit %d, stderr %q", v.code, v.stderr)
	}
}

// TestEvidenceEphemeral: without --evidence-key the bundle is signed by a
// fresh key, and both check and verify say what that is worth; a failed
// run is bundled too, and verify says it failed; with --format json the
// evidence line goes to standard error, with the progress.
func TestEvidenceEphemeral(t *testing.T) {
	url := serve(t, http.HandlerFunc(careless))
	bundle := filepath.Join(t.TempDir(), "evidence.tar")
	r := runCLI(t, "", nil, checkArgs(url, "--run", "^security/signature/", "--evidence", bundle, "--format", "json")...)
	if r.code != 1 {
		t.Fatalf("check: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"evidence: " + bundle + ", ", "an ephemeral key, made for this run and thrown away: the bundle is only as trustworthy as the channel\n"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("check's standard error lacks %q:\n%s", want, r.stderr)
		}
	}
	if _, err := conformance.ReadJSON(strings.NewReader(r.stdout)); err != nil {
		t.Errorf("standard output is not the JSON report alone: %v", err)
	}
	v := runCLI(t, "", nil, "evidence", "verify", bundle)
	for _, want := range []string{"  verdict   FAILED\n", "ephemeral: made for this run and thrown away.", "trust it only as far as the\n"} {
		if v.code != 0 || !strings.Contains(v.stdout, want) {
			t.Errorf("verify: exit %d, output lacks %q:\n%s%s", v.code, want, v.stdout, v.stderr)
		}
	}
}

// goldenBundle writes a bundle of a fixed report, signed by a fixed key at
// a fixed time (key nil: an ephemeral key), and returns its path and the
// public key's.
func goldenBundle(t *testing.T, key ed25519.PrivateKey) (bundle, pub string) {
	t.Helper()
	started := time.Date(2025, 11, 30, 9, 59, 0, 0, time.UTC)
	ex := conformance.Exchange{
		Request:  conformance.WireRequest{Method: "POST", Target: "/wechat/payfeedback", Header: map[string]string{"Content-Type": "text/xml"}, Body: "<xml><AppId>wxde70c0ffee5a1e00</AppId></xml>", BodySize: 44},
		Response: &conformance.WireResponse{Status: 401, Body: "AppSignature does not match", BodySize: 27},
	}
	rep := conformance.Report{
		Target: "http://127.0.0.1:8000/wechat/payfeedback", Started: started, Duration: 3 * time.Second,
		Config: conformance.Config{AppID: "wxde70c0ffee5a1e00", OpenID: "o-golden", API: true, Clock: "virtual", Chaos: 100, Seed: 4711},
		Results: []conformance.Result{
			{ID: "security/signature/wrong", Section: "security", Requirement: "A notification whose AppSignature does not match its fields is refused.", Status: conformance.Pass, Exchanges: []conformance.Exchange{ex}},
			{ID: "security/replay/feedbackid", Section: "security", Requirement: "A replayed signature with another FeedBackId is refused.", Status: conformance.ExpectedFail, Listed: true, Message: "accepted"},
			{ID: "delivery/duplicate", Section: "delivery", Requirement: "An exact duplicate is acknowledged both times.", Status: conformance.Pass, Listed: true},
			{ID: "api/token/credentials", Section: "api", Requirement: "The token is fetched with the right credentials.", Status: conformance.Skip, Message: "not asked for"},
		},
	}
	const paySignKey = "DemoPaySignKeyForMockWeChatOnlyNeverUseInProduction"
	o := evidence.Options{
		Plan: planPayfeedback, Variants: checkVariants(rep.Config), Report: rep, Kit: "payfeedback v1.2.3 go1.26.0",
		Command:        []string{"payfeedback", "check", "--url", rep.Target, "--paysignkey", paySignKey, "--chaos", "100", "--seed", "4711"},
		ExpectFail:     []string{"security/replay/feedbackid", "delivery/duplicate", "chaos/campaign"},
		ExpectFailFile: []byte("# ships next sprint\nsecurity/replay/feedbackid\ndelivery/duplicate\nchaos/campaign\n"),
		Secrets:        []evidence.Secret{{Name: "paySignKey", Value: paySignKey}},
		Key:            key,
		Now:            func() time.Time { return started.Add(time.Minute) },
	}
	dir := t.TempDir()
	var b bytes.Buffer
	cert, err := evidence.Write(&b, o)
	if err != nil {
		t.Fatal(err)
	}
	bundle, pub = filepath.Join(dir, "evidence.tar"), filepath.Join(dir, "team.pub")
	if err := os.WriteFile(bundle, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if key != nil {
		pemBytes, err := evidence.MarshalPublicKey(key.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pub, pemBytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if cert.Key.Ephemeral != (key == nil) {
		t.Fatalf("ephemeral %v with key %v", cert.Key.Ephemeral, key != nil)
	}
	return bundle, pub
}

// TestEvidenceVerifyGolden: what verify prints, text and JSON, for a
// bundle verified with its signer's key, without a key, signed by an
// ephemeral key, changed, and checked against another key.
func TestEvidenceVerifyGolden(t *testing.T) {
	team := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	bundle, pub := goldenBundle(t, team)
	ephemeral, _ := goldenBundle(t, nil)
	raw, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(filepath.Dir(bundle), "changed.tar")
	raw[bytes.Index(raw, []byte("AppSignature does not match"))] ^= 0x20
	if err := os.WriteFile(changed, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	_, otherPub := goldenBundle(t, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize)))

	tests := []struct {
		name   string
		args   []string
		code   int
		golden string
	}{
		{"with the key", []string{bundle, "--key", pub}, 0, "evidence_verify.golden"},
		{"without a key", []string{bundle}, 0, "evidence_verify_unchecked.golden"},
		{"ephemeral", []string{ephemeral}, 0, "evidence_verify_ephemeral.golden"},
		{"json", []string{"--json", bundle, "--key", pub}, 0, "evidence_verify_json.golden"},
		{"changed", []string{changed, "--key", pub}, 1, "evidence_verify_changed.golden"},
		{"changed json", []string{changed, "--json"}, 1, "evidence_verify_changed_json.golden"},
		{"another key", []string{bundle, "--key", otherPub}, 1, "evidence_verify_other_key.golden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"evidence", "verify"}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			out := r.stdout + r.stderr
			for _, path := range []string{bundle, ephemeral, changed, pub, otherPub} {
				out = strings.ReplaceAll(out, filepath.Dir(path), "$DIR")
			}
			if tc.name == "ephemeral" { // a fresh key each time
				fp := out[strings.Index(out, "sha256:") : strings.Index(out, "sha256:")+len("sha256:")+64]
				out = strings.ReplaceAll(out, fp, "sha256:(the ephemeral key)")
			}
			checkGolden(t, tc.golden, out)
		})
	}
}

// TestEvidenceVerifyJSON: verify --json is one document a program reads.
func TestEvidenceVerifyJSON(t *testing.T) {
	bundle, _ := goldenBundle(t, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)))
	r := runCLI(t, "", nil, "evidence", "verify", "--json", bundle)
	var res struct {
		Valid       bool
		Certificate evidence.Certificate
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || !res.Valid || res.Certificate.Seed != 4711 || res.Certificate.Counts.ExpectedFailures != 1 || len(res.Certificate.Listed) != 3 {
		t.Errorf("exit %d, %v: %+v", r.code, err, res)
	}
}

// TestEvidenceUsage: mistakes in the command line are one line and a
// hint, exit 2, before anything runs.
func TestEvidenceUsage(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t)
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := "http://127.0.0.1:1/payfeedback"
	out := filepath.Join(dir, "e.tar")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"evidence"}, "verify or keygen?"},
		{"unknown subcommand", []string{"evidence", "sign"}, `unknown subcommand "sign"`},
		{"no bundle", []string{"evidence", "verify"}, "the bundle FILE is required"},
		{"two bundles", []string{"evidence", "verify", "a.tar", "b.tar"}, `unexpected argument "b.tar"`},
		{"a missing key", []string{"evidence", "verify", "a.tar", "--key", filepath.Join(dir, "none.pub")}, "--key: open "},
		{"a private key for --key", []string{"evidence", "verify", "a.tar", "--key", key}, "this is a private key; give its public half"},
		{"keygen over a key", []string{"evidence", "keygen", key}, "exists: keygen does not overwrite a key"},
		{"keygen without a file", []string{"evidence", "keygen"}, "the key FILE is required"},
		{"a key without a bundle", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--evidence-key", key}, "--evidence-key signs the bundle of --evidence: add --evidence FILE"},
		{"a bundle in no directory", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--evidence", filepath.Join(dir, "no", "e.tar")}, "does not exist"},
		{"a bundle on standard output", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--evidence", "-"}, "--evidence takes a file"},
		{"a bad signing key", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--evidence", out, "--evidence-key", bad}, "no PEM block"},
		{"a public signing key", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey, "--evidence", out, "--evidence-key", key + ".pub"}, `"PUBLIC KEY", want "PRIVATE KEY"`},
		{"a key too short to mask", []string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", "short", "--evidence", out}, "the paySignKey is 5 bytes, too short to be masked reliably"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "\nTry: payfeedback ") || strings.Count(r.stderr, "\n") != 2 {
				t.Errorf("exit %d, stderr %q; want 2, %q and a hint", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, checkKey) {
				t.Error("stderr echoes the paySignKey")
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a bundle was written for a refused command line: %v", err)
	}
	if r := runCLI(t, "", nil, "evidence", "verify", filepath.Join(dir, "none.tar")); r.code != 1 || !strings.Contains(r.stderr, "none.tar: open ") {
		t.Errorf("a missing bundle: exit %d, %q", r.code, r.stderr)
	}
	if r := runCLI(t, "", nil, "evidence", "verify", key); r.code != 1 || !strings.Contains(r.stderr, "not a payfeedback evidence bundle") {
		t.Errorf("a file that is no bundle: exit %d, %q", r.code, r.stderr)
	}
	for _, args := range [][]string{{"evidence", "-h"}, {"evidence", "verify", "-h"}, {"help", "evidence"}} {
		if r := runCLI(t, "", nil, args...); r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: payfeedback evidence ") || r.stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestEvidenceKeygen: the private key is readable by its owner alone, the
// public one by all; both are the PEM files OpenSSL writes and reads.
func TestEvidenceKeygen(t *testing.T) {
	key := filepath.Join(t.TempDir(), "team.key")
	r := runCLI(t, "", nil, "evidence", "keygen", key)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote "+key+" (the private key: keep it secret) and "+key+".pub\nfingerprint sha256:") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for name, mode := range map[string]os.FileMode{key: 0o600, key + ".pub": 0o644} {
		fi, err := os.Stat(name)
		if err != nil || fi.Mode().Perm()&^mode != 0 {
			t.Errorf("%s: %v, mode %v; want at most %v", name, err, fi.Mode(), mode)
		}
	}
	privPEM, _ := os.ReadFile(key)
	pubPEM, _ := os.ReadFile(key + ".pub")
	priv, err := evidence.ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := evidence.ParsePublicKey(pubPEM)
	if err != nil || !pub.Equal(priv.Public()) || !strings.Contains(r.stdout, evidence.Fingerprint(pub)) {
		t.Errorf("the public key is not the private key's half, or not the fingerprint printed: %v", err)
	}
}

// TestExampleBinaryKeptWhenUnchanged: a second build of an unchanged
// example leaves the binary as it was (its modification time too), and
// bin/cmd-tests/ too, so that go test can cache this package's results;
// go build -o alone rewrote the binary every time. The builds hold
// exampleBuilds throughout, so that no other test installs an example of
// its own in bin/cmd-tests/ meanwhile.
func TestExampleBinaryKeptWhenUnchanged(t *testing.T) {
	t.Parallel()
	exampleBuilds.Lock()
	defer exampleBuilds.Unlock()
	bin := buildExample(t, "merchant")
	before, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.Stat(filepath.Dir(bin))
	if err != nil {
		t.Fatal(err)
	}
	if again := buildExample(t, "merchant"); again != bin {
		t.Fatalf("second build at %s, first at %s", again, bin)
	}
	after, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) || !os.SameFile(before, after) {
		t.Errorf("the unchanged binary was rewritten: modified %s, then %s", before.ModTime(), after.ModTime())
	}
	if afterDir, err := os.Stat(filepath.Dir(bin)); err != nil || !afterDir.ModTime().Equal(dir.ModTime()) {
		t.Errorf("bin/cmd-tests/ changed though its binaries did not (go test records it): %v, then %v (%v)", dir.ModTime(), afterDir.ModTime(), err)
	}
}

// TestCopyOver: how exampleBinary replaces a binary that changed: the
// copy replaces the old file whole (a rename: a test running the old one
// keeps it), executable, and leaves nothing beside it.
func TestCopyOver(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "new"), []byte("#!/bin/sh\necho new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "bin")
	if err := os.WriteFile(dst, []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyOver(t, filepath.Join(src, "new"), dst)
	got, err := os.ReadFile(dst)
	if err != nil || string(got) != "#!/bin/sh\necho new\n" {
		t.Fatalf("dst holds %q (%v)", got, err)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("dst not executable: %v %v", fi.Mode(), err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("beside dst: %v %v", entries, err)
	}
}

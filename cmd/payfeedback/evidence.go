package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/evidence"
	"github.com/payfeedback/payfeedback/internal/text"
)

// The plans as evidence bundles name them: planPayfeedback the V1.5 plan
// (payfeedback_url, payfeedback/update), planComplaints Complaints 2.0's
// callbacks.
const (
	planPayfeedback = "payfeedback"
	planComplaints  = "complaints"
)

// evidenceCommand verifies evidence bundles and makes signing keys.
type evidenceCommand struct{}

func newEvidenceCommand() *evidenceCommand { return &evidenceCommand{} }

func (*evidenceCommand) Name() string { return "evidence" }

func (*evidenceCommand) Synopsis() string {
	return "verify a signed evidence bundle of a check run (check --evidence), or make a signing key"
}

const evidenceUsage = `verify FILE [--key PUBFILE] [--json]
       payfeedback evidence keygen FILE

payfeedback check --evidence FILE writes one signed bundle of the run: a tar
of the JSON report, each case's requests and answers (secrets masked), the
plan, its variants, the seed, the kit's version, the time and the
--expect-fail list, with a manifest of their SHA-256 (SHA256SUMS) signed
with an Ed25519 key: --evidence-key KEYFILE, or a fresh key whose public
half the bundle holds (ephemeral).

verify checks every byte of a bundle (each part's hash, the signature, that
the manifest covers every part and nothing else) and prints what it
certifies. With --key, the signer's public key, it also checks who signed;
without it, the bundle proves only that it was not changed since it was
signed. Exit status: 0 verified; 1 changed, another key, or not a bundle;
2 usage errors.

keygen writes a new Ed25519 key to FILE (PEM, PKCS #8, mode 0600) and its
public half to FILE.pub, for --evidence-key and --key. OpenSSL makes the
same files:

    openssl genpkey -algorithm ed25519 -out FILE
    openssl pkey -in FILE -pubout -out FILE.pub

An auditor without this kit checks an extracted bundle with
sha256sum -c SHA256SUMS and openssl pkeyutl -verify -pubin -inkey
key.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig.`

func (c *evidenceCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback evidence verify evidence.tar --key evidence.key.pub"
	if len(args) == 0 {
		return usageErrorf(hint, "verify or keygen?")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fs := newFlagSet(std, c.Name(), evidenceUsage)
		fs.Usage()
		return flag.ErrHelp
	case "verify":
		return evidenceVerify(std, args[1:])
	case "keygen":
		return evidenceKeygen(std, args[1:])
	}
	return usageErrorf(hint, "unknown subcommand %q: verify or keygen", args[0])
}

// evidenceVerify runs "payfeedback evidence verify".
func evidenceVerify(std stdio, args []string) error {
	const hint = "payfeedback evidence verify evidence.tar --key evidence.key.pub"
	fs := newFlagSet(std, "evidence verify", "FILE [--key PUBFILE] [--json]")
	keyFile := fs.String("key", "", "the signer's public key, a PEM `file` (evidence keygen's FILE.pub, or openssl pkey -pubout): check that it signed")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseInterspersed(fs, args, hint)
	if err != nil {
		return err
	}
	name, err := oneArg(pos, "the bundle FILE", hint)
	if err != nil {
		return err
	}
	var trusted ed25519.PublicKey
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return usageErrorf(hint, "--key: %v", err)
		}
		if trusted, err = evidence.ParsePublicKey(b); err != nil {
			return usageErrorf(hint, "--key %s: %s", *keyFile, strings.TrimPrefix(err.Error(), "evidence: "))
		}
	}
	bundle, err := readBundle(name)
	var cert evidence.Certificate
	if err == nil {
		cert, err = evidence.Verify(bundle, trusted)
	}
	if *asJSON {
		res := evidenceResult{Valid: err == nil, Bundle: name}
		if err != nil {
			res.Error = strings.TrimPrefix(err.Error(), "evidence: ")
		} else {
			res.Certificate = &cert
		}
		enc := json.NewEncoder(std.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if encErr := enc.Encode(res); encErr != nil {
			return encErr
		}
		if err != nil {
			return exitCode(1, nil)
		}
		return nil
	}
	if err != nil {
		return exitCode(1, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "evidence: ")))
	}
	_, err = io.WriteString(std.Stdout, certificateText(name, *keyFile, cert))
	return err
}

// evidenceResult is what verify --json prints.
type evidenceResult struct {
	Valid       bool                  `json:"valid"`
	Bundle      string                `json:"bundle"`
	Error       string                `json:"error,omitempty"`
	Certificate *evidence.Certificate `json:"certificate,omitempty"`
}

// readBundle reads a bundle file, up to evidence.MaxSize.
func readBundle(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, evidence.MaxSize+1))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// certificateText words what a verified bundle certifies, one fact a
// line, the key's trust last. Everything the bundle says is escaped
// before it reaches the terminal.
func certificateText(name, keyFile string, c evidence.Certificate) string {
	var b strings.Builder
	row := func(label, value string) { fmt.Fprintf(&b, "  %-9s %s\n", label, value) }
	fmt.Fprintf(&b, "%s: verified: %d parts, each as the signed manifest lists it\n", text.Terminal(name), len(c.Parts))
	row("plan", text.Terminal(c.Plan)+variantsText(c.Variants))
	row("target", text.Terminal(c.Target))
	if c.Selection == "" {
		row("cases", "all the plan's cases")
	} else {
		row("cases", "those --run "+strconv.Quote(text.Terminal(c.Selection))+" selected")
	}
	row("result", text.Terminal(c.Summary))
	verdict := "passed"
	if c.Failed {
		verdict = "FAILED"
	}
	if c.Report.Interrupted {
		verdict += " (interrupted: the report holds the cases run before)"
	}
	row("verdict", verdict)
	row("started", stampUTC(c.Started))
	row("signed", stampUTC(c.Signed))
	row("kit", text.Terminal(c.Kit))
	if c.Seed == 0 {
		row("seed", "none")
	} else {
		row("seed", fmt.Sprintf("%d (--seed %d replays the run's random choices)", c.Seed, c.Seed))
	}
	if len(c.Command) > 0 {
		row("command", text.Terminal(strings.Join(c.Command, " ")))
	}
	row("expected", listedText(c))
	var masked []string
	for _, m := range c.Masked {
		masked = append(masked, fmt.Sprintf("%s (%s)", text.Terminal(m.Name), timesText(m.Found)))
	}
	if len(masked) == 0 {
		masked = []string{"nothing: no secret was given"}
	}
	row("masked", strings.Join(masked, ", "))
	row("key", c.Key.Fingerprint)
	switch {
	case c.Trusted:
		row("", "the key given with --key "+text.Terminal(keyFile)+": the signer holds its private half")
	case c.Key.Ephemeral:
		row("", "ephemeral: made for this run and thrown away. The bundle proves that it was not changed")
		row("", "since it was signed, but anyone could have signed it: trust it only as far as the")
		row("", "channel that delivered it.")
	default:
		row("", "the key in the bundle, not checked: give the signer's public key with --key, or compare")
		row("", "this fingerprint with the one the signer published. Until then the bundle proves only")
		row("", "that it was not changed since it was signed.")
	}
	return b.String()
}

// variantsText lists a plan's variants, " (k=v, …)", sorted.
func variantsText(v map[string]string) string {
	if len(v) == 0 {
		return ""
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = text.Terminal(k) + "=" + text.Terminal(v[k])
	}
	return " (" + strings.Join(keys, ", ") + ")"
}

// listedText says what became of each case of the expected-failure list.
func listedText(c evidence.Certificate) string {
	if len(c.Listed) == 0 {
		return "none listed (no --expect-fail)"
	}
	parts := make([]string, len(c.Listed))
	for i, l := range c.Listed {
		what := "failed, as listed"
		switch l.Status {
		case conformance.Pass, conformance.Warn:
			what = "passed: the list can lose it"
		case "":
			what = "not run"
		case conformance.ExpectedFail:
		default:
			what = string(l.Status)
		}
		parts[i] = text.Terminal(l.ID) + " " + what
	}
	head := plural(len(c.Listed), "case") + " listed in --expect-fail"
	if c.ExpectFailFile != "" {
		head += " (the file as given: " + text.Terminal(c.ExpectFailFile) + ")"
	}
	return head + ": " + strings.Join(parts, "; ")
}

// timesText words how often a secret was found.
func timesText(n int) string {
	switch n {
	case 0:
		return "not found"
	case 1:
		return "found once"
	}
	return fmt.Sprintf("found %d times", n)
}

// stampUTC formats an instant to the second, in UTC.
func stampUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// evidenceKeygen runs "payfeedback evidence keygen".
func evidenceKeygen(std stdio, args []string) error {
	const hint = "payfeedback evidence keygen evidence.key"
	fs := newFlagSet(std, "evidence keygen", "FILE")
	pos, err := parseInterspersed(fs, args, hint)
	if err != nil {
		return err
	}
	name, err := oneArg(pos, "the key FILE", hint)
	if err != nil {
		return err
	}
	key := evidence.GenerateKey()
	priv, err := evidence.MarshalPrivateKey(key)
	if err != nil {
		return err
	}
	pub, err := evidence.MarshalPublicKey(key.Public().(ed25519.PublicKey))
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{{name, priv, 0o600}, {name + ".pub", pub, 0o644}} {
		if err := writeNew(f.name, f.data, f.mode); err != nil {
			if errors.Is(err, os.ErrExist) {
				return usageErrorf(hint, "%s exists: keygen does not overwrite a key; choose another FILE", f.name)
			}
			return err
		}
	}
	_, err = fmt.Fprintf(std.Stdout, "wrote %s (the private key: keep it secret) and %s.pub\nfingerprint %s\nsign:   payfeedback check ... --evidence evidence.tar --evidence-key %s\nverify: payfeedback evidence verify evidence.tar --key %s.pub\n",
		name, name, evidence.Fingerprint(key.Public().(ed25519.PublicKey)), name, name)
	return err
}

// writeNew writes a file that must not exist yet.
func writeNew(name string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// evidencePlan is check's --evidence: where the bundle goes and how it is
// signed, checked before the run.
type evidencePlan struct {
	path string
	opts evidence.Options
}

// planEvidence checks --evidence and --evidence-key before the run: the
// bundle's file can be written, the key read, the secrets masked. It
// returns nil without --evidence. plan names the plan in the bundle;
// secrets are those of the plan's identity that the V1.5 flags do not
// hold (the Complaints 2.0 plan's APIv3 key).
func planEvidence(f checkFlags, args, expect []string, plan string, secrets []evidence.Secret) (*evidencePlan, error) {
	switch {
	case f.evidenceFile == "" && f.evidenceKey != "":
		return nil, errors.New("--evidence-key signs the bundle of --evidence: add --evidence FILE")
	case f.evidenceFile == "":
		return nil, nil
	case f.evidenceFile == "-":
		return nil, errors.New("--evidence takes a file, not standard output (a bundle is a tar)")
	}
	if err := writable(f.evidenceFile); err != nil {
		return nil, fmt.Errorf("--evidence %s: %w", f.evidenceFile, err)
	}
	e := &evidencePlan{path: f.evidenceFile, opts: evidence.Options{
		Plan:       plan,
		Kit:        kitVersion(),
		Command:    append([]string{"payfeedback", "check"}, args...),
		ExpectFail: expect,
		Secrets:    secrets,
	}}
	if f.cred.PaySignKey != "" {
		e.opts.Secrets = append(e.opts.Secrets, evidence.Secret{Name: "paySignKey", Value: f.cred.PaySignKey})
	}
	if f.cred.Secret != "" {
		e.opts.Secrets = append(e.opts.Secrets, evidence.Secret{Name: "appSecret", Value: f.cred.Secret})
	}
	if f.expectFile != "" {
		b, err := os.ReadFile(f.expectFile)
		if err != nil {
			return nil, fmt.Errorf("--expect-fail: %w", err)
		}
		e.opts.ExpectFailFile = b
	}
	if f.evidenceKey != "" {
		b, err := os.ReadFile(f.evidenceKey)
		if err != nil {
			return nil, fmt.Errorf("--evidence-key: %w", err)
		}
		if e.opts.Key, err = evidence.ParsePrivateKey(b); err != nil {
			return nil, fmt.Errorf("--evidence-key %s: %s (make one with payfeedback evidence keygen FILE)", f.evidenceKey, strings.TrimPrefix(err.Error(), "evidence: "))
		}
	}
	if err := e.opts.Validate(); err != nil {
		return nil, fmt.Errorf("--evidence: %s", strings.TrimPrefix(err.Error(), "evidence: "))
	}
	return e, nil
}

// write writes the bundle of the run, whole or not at all, and says where
// and with which key; nothing without --evidence.
func (e *evidencePlan) write(rep conformance.Report, p *progress) error {
	if e == nil {
		return nil
	}
	e.opts.Report, e.opts.Variants = rep, checkVariants(rep.Config)
	var cert evidence.Certificate
	if err := writeReportFile(e.path, func(w io.Writer) error {
		var err error
		cert, err = evidence.Write(w, e.opts)
		return err
	}); err != nil {
		return err
	}
	line := fmt.Sprintf("evidence: %s, %d parts, signed by %s", e.path, len(cert.Parts), cert.Key.Fingerprint)
	if cert.Key.Ephemeral {
		line += "\n  an ephemeral key, made for this run and thrown away: the bundle is only as trustworthy as the channel\n  that delivers it. Sign with a key of yours: --evidence-key FILE (payfeedback evidence keygen FILE)."
	} else {
		line += " (--evidence-key): payfeedback evidence verify " + e.path + " --key PUBFILE checks it"
	}
	p.say(line)
	return nil
}

// checkVariants are a plan's variants, as a bundle records them: the
// Complaints 2.0 plan's key mode and merchant beside what both plans
// share.
func checkVariants(c conformance.Config) map[string]string {
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	v := map[string]string{"api": onOff(c.API), "strict": onOff(c.Strict), "chaos": strconv.Itoa(c.Chaos)}
	if c.Clock != "" {
		v["clock"] = c.Clock
	}
	if c.Plan == conformance.PlanComplaints {
		v["keys"], v["mchid"] = string(c.KeyMode), c.MchID
	}
	return v
}

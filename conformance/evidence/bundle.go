package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/internal/text"
)

// Format names the bundle format this package writes and reads.
const Format = "payfeedback-evidence/1"

// The names of a bundle's parts, in the order of the archive.
const (
	// ManifestName is the manifest: the SHA-256 of every other part but
	// the signature, in sha256sum's format.
	ManifestName = "SHA256SUMS"
	// SignatureName is the manifest's Ed25519 signature, 64 raw bytes.
	SignatureName = "SHA256SUMS.sig"
	// KeyName is the public key that signed, in PEM (PKIX).
	KeyName = "key.pub.pem"
	// RecordName is run.json, the Record.
	RecordName = "run.json"
	// ReportName is the report, as conformance.Report.WriteJSON writes it
	// (payfeedback check --format json).
	ReportName = "report.json"
	// ExpectFailName is the expected-failure file as it was given.
	ExpectFailName = "expect-fail.txt"
	// ExchangesDir holds one text file per case that made exchanges: the
	// requests and the answers on the wire, as the report renders them.
	ExchangesDir = "exchanges/"
)

// MaxSize bounds the bundles Verify reads.
const MaxSize = 256 << 20

// The errors of Verify, to classify with errors.Is.
var (
	// ErrMalformed: the bytes are not a bundle of this format (another
	// file, a bundle of a newer format, or one whose signed parts
	// contradict each other).
	ErrMalformed = errors.New("evidence: not a payfeedback evidence bundle")
	// ErrModified: a byte of the bundle differs from what was signed,
	// or a part was added or removed.
	ErrModified = errors.New("evidence: the bundle was changed after it was signed")
	// ErrUntrusted: the bundle is intact but signed by another key than
	// the one given to Verify.
	ErrUntrusted = errors.New("evidence: the bundle is signed by another key than the one given")
)

// Options says what Write bundles and how it signs. Plan, Kit and Report
// are required; the rest is optional.
type Options struct {
	// Plan names the plan that ran; Variants are its choices, as the
	// plan names them (the V1.5 plan: api, clock, chaos, strict).
	Plan     string
	Variants map[string]string
	// Report is the run's report. Each result's exchanges go in the
	// bundle twice: in report.json, and as text in ExchangesDir.
	Report conformance.Report
	// Kit is the version of the kit that ran the plan.
	Kit string
	// Command is the command line that ran the plan, if any; it is masked
	// like every part.
	Command []string
	// Seed replays the run's random choices (0: Report.Config.Seed).
	Seed uint64
	// ExpectFail is the expected-failure list the run was given, and
	// ExpectFailFile the file it was read from, as it was (nil: none),
	// kept so that its comments say why each case is listed.
	ExpectFail     []string
	ExpectFailFile []byte
	// Secrets are the values no part may hold: every key and secret the
	// run was given (see Secret; each at least MinSecretLen bytes).
	Secrets []Secret
	// Key signs the manifest (nil: a fresh key, thrown away after
	// signing, whose public half the bundle holds and says ephemeral).
	Key ed25519.PrivateKey
	// Now is the signing time (nil: time.Now); the bundle keeps it in
	// whole seconds.
	Now func() time.Time
}

// Validate checks what can be checked before the run: the plan, the kit,
// the key and the secrets.
func (o Options) Validate() error {
	_, err := o.masker()
	return err
}

// masker validates o and returns its secrets' masker.
func (o Options) masker() (*masker, error) {
	switch {
	case o.Plan == "":
		return nil, errors.New("evidence: Options.Plan is required: name the plan that ran")
	case o.Kit == "":
		return nil, errors.New("evidence: Options.Kit is required: the version of the kit that ran the plan")
	case o.Key != nil && len(o.Key) != ed25519.PrivateKeySize:
		return nil, fmt.Errorf("evidence: Options.Key is %d bytes, not an Ed25519 private key (%d)", len(o.Key), ed25519.PrivateKeySize)
	}
	return newMasker(o.Secrets)
}

// Write writes the bundle of a run to w: its parts masked (see Secret),
// listed with their SHA-256 in the manifest, the manifest signed with
// Options.Key or a fresh key. It verifies what it wrote and returns what
// the bundle certifies. A secret that could not be masked is an error,
// and nothing is written.
func Write(w io.Writer, o Options) (Certificate, error) {
	m, err := o.masker()
	if err != nil {
		return Certificate{}, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	signed := now().UTC().Truncate(time.Second)
	if signed.Unix() < 0 {
		return Certificate{}, fmt.Errorf("evidence: the signing time %s is before 1970", signed)
	}
	key, ephemeral := o.Key, o.Key == nil
	if ephemeral {
		key = GenerateKey()
	}
	pub := key.Public().(ed25519.PublicKey)
	pubPEM, err := MarshalPublicKey(pub)
	if err != nil {
		return Certificate{}, err
	}

	found := make([]int, len(m.secrets))
	var report bytes.Buffer
	if err := o.Report.WriteJSON(&report); err != nil {
		return Certificate{}, fmt.Errorf("evidence: writing the report: %w", err)
	}
	content := []part{{ReportName, m.mask(report.Bytes(), found)}}
	var expectFile string
	if o.ExpectFailFile != nil {
		expectFile = ExpectFailName
		content = append(content, part{ExpectFailName, m.mask(o.ExpectFailFile, found)})
	}
	content = append(content, exchangeParts(o.Report, m, found)...)

	rec := Record{
		Format:         Format,
		Plan:           maskString(m, o.Plan, found),
		Kit:            maskString(m, o.Kit, found),
		Seed:           o.Seed,
		Started:        o.Report.Started,
		Signed:         signed,
		ExpectFail:     append([]string{}, o.ExpectFail...),
		ExpectFailFile: expectFile,
		Key:            Key{Fingerprint: Fingerprint(pub), Ephemeral: ephemeral},
	}
	if rec.Seed == 0 {
		rec.Seed = o.Report.Config.Seed
	}
	if len(o.Variants) > 0 {
		rec.Variants = make(map[string]string, len(o.Variants))
		for k, v := range o.Variants {
			rec.Variants[maskString(m, k, found)] = maskString(m, v, found)
		}
	}
	for _, arg := range o.Command {
		rec.Command = append(rec.Command, maskString(m, arg, found))
	}
	for i, id := range rec.ExpectFail {
		rec.ExpectFail[i] = maskString(m, id, found)
	}
	rec.Masked = make([]MaskedSecret, len(m.secrets))
	for i, s := range m.secrets {
		rec.Masked[i] = MaskedSecret{Name: s.name, Found: found[i]}
	}
	var record bytes.Buffer
	enc := json.NewEncoder(&record)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return Certificate{}, fmt.Errorf("evidence: writing run.json: %w", err)
	}

	covered := append([]part{{KeyName, pubPEM}, {RecordName, record.Bytes()}}, content...)
	for _, p := range covered {
		if name, ok := m.leak(p.data); ok {
			return Certificate{}, fmt.Errorf("evidence: the %s could not be masked in %s: no bundle written", name, p.name)
		}
	}
	manifest := encodeManifest(covered)
	parts := append([]part{{ManifestName, manifest}, {SignatureName, ed25519.Sign(key, manifest)}}, covered...)
	bundle := encodeArchive(parts, signed.Unix())
	cert, err := Verify(bundle, pub)
	if err != nil {
		return Certificate{}, fmt.Errorf("evidence: the bundle written does not verify (a bug in the kit): %w", err)
	}
	if _, err := w.Write(bundle); err != nil {
		return Certificate{}, fmt.Errorf("evidence: writing the bundle: %w", err)
	}
	return cert, nil
}

// maskString masks one value of run.json.
func maskString(m *masker, s string, found []int) string {
	return string(m.mask([]byte(s), found))
}

// exchangeParts renders the exchanges of each case that made some, the
// control's first, as the text report shows them (peer text escaped).
func exchangeParts(r conformance.Report, m *masker, found []int) []part {
	results := r.Results
	if r.Control != nil {
		results = append([]conformance.Result{*r.Control}, results...)
	}
	used := map[string]bool{}
	var parts []part
	for _, res := range results {
		if len(res.Exchanges) == 0 {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "case:        %s\nrequirement: %s\nstatus:      %s\n", text.Terminal(res.ID), text.Terminal(res.Requirement), res.Status)
		if res.Message != "" {
			fmt.Fprintf(&b, "message:     %s\n", text.Terminal(res.Message))
		}
		for i, ex := range res.Exchanges {
			fmt.Fprintf(&b, "\n# exchange %d of %d", i+1, len(res.Exchanges))
			if ex.Duration > 0 {
				fmt.Fprintf(&b, ", %s", ex.Duration.Round(time.Microsecond))
			}
			b.WriteString("\n")
			b.WriteString(ex.String())
		}
		parts = append(parts, part{exchangesName(res.ID, used), m.mask([]byte(b.String()), found)})
	}
	return parts
}

// exchangesName is the name of a case's exchanges: ExchangesDir, the id
// with its sections as directories, ".txt" ("exchanges/security/
// signature/wrong.txt"). Bytes a part name cannot hold become '_' (dots
// too, so that no directory is named like a file), a long id is cut and
// keeps a hash of itself, and a name already used gets a number.
func exchangesName(id string, used map[string]bool) string {
	segs := strings.Split(id, "/")
	for i, s := range segs {
		b := []byte(s)
		for j, c := range b {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				b[j] = '_'
			}
		}
		if len(b) == 0 {
			b = []byte("_")
		}
		segs[i] = string(b)
	}
	const suffix = ".txt"
	stem := ExchangesDir + strings.Join(segs, "/")
	if len(stem)+len(suffix)+4 > maxName {
		sum := sha256.Sum256([]byte(id))
		stem = strings.TrimRight(stem[:maxName-len(suffix)-4-9], "/") + "-" + hex.EncodeToString(sum[:4])
	}
	name := stem + suffix
	for n := 2; used[name]; n++ {
		name = fmt.Sprintf("%s-%d%s", stem, n, suffix)
	}
	used[name] = true
	return name
}

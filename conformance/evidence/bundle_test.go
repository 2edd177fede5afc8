package evidence

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/middleware"
)

const (
	testAppID = "wxf8b4f85f3a794e77"
	testKey   = "Rk4mVq7ZtP2sWx9LbN3cHd8JfG5yTe6U"
)

// signedAt is the signing time of the tests' bundles.
var signedAt = time.Date(2025, 11, 30, 10, 0, 0, 0, time.UTC)

// keyOf returns a fixed key: the same seed byte, the same key.
func keyOf(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

// publicOf is key's public half.
func publicOf(key ed25519.PrivateKey) ed25519.PublicKey { return key.Public().(ed25519.PublicKey) }

// sound is a merchant on the middleware.
func sound() http.Handler {
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	return middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}})(
		middleware.Dispatcher{OnRequest: ok, OnConfirm: ok, OnReject: ok})
}

// runSuite runs the cases pattern selects against h, in-process.
func runSuite(t testing.TB, h http.Handler, pattern string) conformance.Report {
	t.Helper()
	rep, err := conformance.Run(context.Background(), conformance.Options{Handler: h, AppID: testAppID, PaySignKey: testKey, Run: pattern})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// options are the tests' Write options for rep, signed with keyOf(1).
func options(rep conformance.Report) Options {
	return Options{
		Plan: "payfeedback", Variants: map[string]string{"api": "off", "strict": "off"},
		Report: rep, Kit: "payfeedback v0.0.0-test",
		Command: []string{"payfeedback", "check", "--paysignkey", testKey},
		Secrets: []Secret{{Name: "paySignKey", Value: testKey}},
		Key:     keyOf(1),
		Now:     func() time.Time { return signedAt.Add(300 * time.Millisecond) },
	}
}

// write writes a bundle.
func write(t testing.TB, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := Write(&b, o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// partsOf reads a bundle's parts.
func partsOf(t testing.TB, bundle []byte) []part {
	t.Helper()
	parts, _, err := decodeArchive(bundle)
	if err != nil {
		t.Fatal(err)
	}
	return parts
}

// TestBundleOfARun: a real run's bundle verifies with the signer's key and
// certifies what the run was; its report is the --format json document;
// each case that made exchanges has its file; archive/tar reads it, every
// entry a regular file of the POSIX format stamped with the signing time.
func TestBundleOfARun(t *testing.T) {
	rep := runSuite(t, sound(), "^(notify/request|security/signature|delivery)/")
	o := options(rep)
	o.ExpectFail = []string{"security/signature/wrong"}
	o.ExpectFailFile = []byte("# our replay cache ships next sprint\nsecurity/signature/wrong\n")
	bundle := write(t, o)

	cert, err := Verify(bundle, publicOf(keyOf(1)))
	if err != nil {
		t.Fatal(err)
	}
	if !cert.Trusted || cert.Key.Ephemeral || cert.Key.Fingerprint != Fingerprint(publicOf(keyOf(1))) {
		t.Errorf("key: trusted %v, %+v", cert.Trusted, cert.Key)
	}
	if cert.Plan != "payfeedback" || cert.Variants["api"] != "off" || cert.Kit != o.Kit || cert.Format != Format {
		t.Errorf("record: %+v", cert.Record)
	}
	if !cert.Signed.Equal(signedAt) || !cert.Started.Equal(rep.Started) {
		t.Errorf("signed %s, started %s; want %s and the report's %s", cert.Signed, cert.Started, signedAt, rep.Started)
	}
	if cert.Target != "in-process handler" || cert.Selection != o.Report.Config.Run || cert.Counts != rep.Counts() || cert.Summary != rep.Summary() || cert.Failed {
		t.Errorf("certificate: target %q, selection %q, counts %+v, summary %q, failed %v", cert.Target, cert.Selection, cert.Counts, cert.Summary, cert.Failed)
	}
	if len(cert.Listed) != 1 || cert.Listed[0] != (Listed{ID: "security/signature/wrong", Status: conformance.Pass}) {
		t.Errorf("listed: %+v", cert.Listed)
	}
	if got, want := strings.Join(cert.Command, " "), "payfeedback check --paysignkey ***"; got != want {
		t.Errorf("command %q, want %q", got, want)
	}
	if len(cert.Masked) != 1 || cert.Masked[0] != (MaskedSecret{Name: "paySignKey", Found: 1}) {
		t.Errorf("masked: %+v (the key was on the command line, once)", cert.Masked)
	}

	parts := partsOf(t, bundle)
	byName := map[string][]byte{}
	for _, p := range parts {
		byName[p.name] = p.data
	}
	var want bytes.Buffer
	if err := rep.WriteJSON(&want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(byName[ReportName], want.Bytes()) {
		t.Error("report.json is not the report as WriteJSON writes it")
	}
	if !bytes.Equal(byName[ExpectFailName], o.ExpectFailFile) {
		t.Errorf("expect-fail.txt: %q", byName[ExpectFailName])
	}
	for _, res := range append([]conformance.Result{*rep.Control}, rep.Results...) {
		name := ExchangesDir + res.ID + ".txt"
		got, ok := byName[name]
		if len(res.Exchanges) == 0 {
			if ok {
				t.Errorf("%s exists, for a case without exchanges", name)
			}
			continue
		}
		if !bytes.HasPrefix(got, []byte("case:        "+res.ID+"\n")) || !bytes.Contains(got, []byte("> POST ")) || !bytes.Contains(got, []byte(res.Exchanges[0].String())) {
			t.Errorf("%s:\n%s", name, got)
		}
	}
	if len(cert.Parts) != len(parts)-2 {
		t.Errorf("%d parts certified, %d in the archive but the manifest and its signature", len(cert.Parts), len(parts)-2)
	}

	tr := tar.NewReader(bytes.NewReader(bundle))
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			if i != len(parts) {
				t.Errorf("archive/tar read %d files, want %d", i, len(parts))
			}
			break
		}
		if err != nil {
			t.Fatalf("archive/tar: %v", err)
		}
		body, _ := io.ReadAll(tr)
		if h.Name != parts[i].name || !bytes.Equal(body, parts[i].data) || h.Typeflag != tar.TypeReg || h.Format != tar.FormatUSTAR || !h.ModTime.Equal(signedAt) || h.Mode != 0o644 {
			t.Errorf("archive/tar's file %d: %s, %d bytes, type %c, format %v, time %s, mode %o", i, h.Name, len(body), h.Typeflag, h.Format, h.ModTime, h.Mode)
		}
	}
	key, err := ParsePublicKey(byName[KeyName])
	if err != nil || !key.Equal(publicOf(keyOf(1))) {
		t.Errorf("key.pub.pem: %v", err)
	}
}

// smallBundle is a bundle of a run of two cases, for the tests that change
// it byte by byte.
func smallBundle(t testing.TB) []byte {
	t.Helper()
	return write(t, options(runSuite(t, sound(), "^security/signature/wrong$")))
}

// TestEveryByteChangeRefused: each byte of a bundle, changed (one bit,
// the lowest at byte 0, the next at byte 1 and so on round), makes Verify
// fail, and the error is one of the package's. The bundle is verified
// without a key: a change must not pass even then.
func TestEveryByteChangeRefused(t *testing.T) {
	bundle := smallBundle(t)
	if _, err := Verify(bundle, nil); err != nil {
		t.Fatal(err)
	}
	changed := make([]byte, len(bundle))
	for i := range bundle {
		bit := byte(1) << (i % 8)
		copy(changed, bundle)
		changed[i] ^= bit
		_, err := Verify(changed, nil)
		if err == nil {
			t.Fatalf("byte %d ^ %#x: verified", i, bit)
		}
		if !errors.Is(err, ErrModified) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("byte %d ^ %#x: %v, neither ErrModified nor ErrMalformed", i, bit, err)
		}
	}
	if _, err := Verify(append(bundle, 0), nil); !errors.Is(err, ErrModified) {
		t.Errorf("a byte appended: %v", err)
	}
	if _, err := Verify(bundle[:len(bundle)-1], nil); !errors.Is(err, ErrModified) {
		t.Errorf("a byte cut: %v", err)
	}
}

// TestPartsAddedRemovedOrMoved: the manifest covers every part and nothing
// else, in order.
func TestPartsAddedRemovedOrMoved(t *testing.T) {
	bundle := smallBundle(t)
	parts, mtime, err := decodeArchive(bundle)
	if err != nil {
		t.Fatal(err)
	}
	without := func(i int) []part { return append(append([]part{}, parts[:i]...), parts[i+1:]...) }
	extra := part{name: "exchanges/later.txt", data: []byte("added after signing\n")}
	tests := []struct {
		name  string
		parts []part
		want  string
	}{
		{"a part added at the end", append(append([]part{}, parts...), extra), "parts added that the signed manifest does not list: exchanges/later.txt"},
		{"a part added among them", append(append(append([]part{}, parts[:3]...), extra), parts[3:]...), "parts added that the signed manifest does not list: exchanges/later.txt"},
		{"a part twice", append(append([]part{}, parts...), parts[4]), "(a second time)"},
		{"the signature removed", without(1), "signature SHA256SUMS.sig is missing"},
		{"two parts swapped", func() []part {
			p := append([]part{}, parts...)
			p[3], p[4] = p[4], p[3]
			return p
		}(), "not in the manifest's order"},
	}
	for i := 2; i < len(parts); i++ {
		want := "parts the signed manifest lists were removed: " + parts[i].name
		if parts[i].name == KeyName {
			want = "the public key key.pub.pem is missing"
		}
		tests = append(tests, struct {
			name  string
			parts []part
			want  string
		}{"removed: " + parts[i].name, without(i), want})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(encodeArchive(tc.parts, mtime), nil)
			if !errors.Is(err, ErrModified) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v; want ErrModified and %q", err, tc.want)
			}
		})
	}
	if _, err := Verify(encodeArchive(without(0), mtime), nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("without the manifest: %v", err)
	}
}

// TestAnotherKey: a bundle verified against another key than its signer's
// is refused; so is one re-signed by whoever changed it, as soon as the
// signer's key is given. Without a key, the re-signed bundle passes: only
// a trusted key proves who signed (the package documentation says so).
func TestAnotherKey(t *testing.T) {
	bundle := smallBundle(t)
	_, err := Verify(bundle, publicOf(keyOf(2)))
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), Fingerprint(publicOf(keyOf(1)))) || !strings.Contains(err.Error(), Fingerprint(publicOf(keyOf(2)))) {
		t.Errorf("another key: %v; want ErrUntrusted naming both fingerprints", err)
	}

	// A forger turns the failure into a pass and signs with a key of his.
	rep := runSuite(t, sound(), "^security/signature/wrong$")
	rep.Results[0].Status = conformance.Pass
	o := options(rep)
	o.Key = keyOf(3)
	forged := write(t, o)
	if _, err := Verify(forged, nil); err != nil {
		t.Errorf("the forged bundle, without a key: %v (it is intact: only the key tells)", err)
	}
	if _, err := Verify(forged, publicOf(keyOf(1))); !errors.Is(err, ErrUntrusted) {
		t.Errorf("the forged bundle, with the signer's key: %v; want ErrUntrusted", err)
	}
}

// TestEphemeralKey: without a key, each bundle is signed by a fresh key,
// said ephemeral, which no trusted key matches.
func TestEphemeralKey(t *testing.T) {
	rep := runSuite(t, sound(), "^security/signature/wrong$")
	o := options(rep)
	o.Key = nil
	var certs []Certificate
	for range 2 {
		cert, err := Verify(write(t, o), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !cert.Key.Ephemeral || cert.Trusted {
			t.Errorf("key %+v, trusted %v; want ephemeral, not trusted", cert.Key, cert.Trusted)
		}
		certs = append(certs, cert)
	}
	if certs[0].Key.Fingerprint == certs[1].Key.Fingerprint {
		t.Error("two bundles signed by one ephemeral key")
	}
}

// TestSeedAndTime: the seed is the report's unless given; the signing
// time is kept in whole seconds, and is the time of every file.
func TestSeedAndTime(t *testing.T) {
	rep := runSuite(t, sound(), "^security/signature/wrong$")
	rep.Config.Chaos, rep.Config.Seed = 10, 4711
	o := options(rep)
	cert, err := Verify(write(t, o), nil)
	if err != nil || cert.Seed != 4711 {
		t.Errorf("seed %d, %v; want the report's 4711", cert.Seed, err)
	}
	o.Seed = 99
	if cert, err := Verify(write(t, o), nil); err != nil || cert.Seed != 99 {
		t.Errorf("seed %d, %v; want Options.Seed 99", cert.Seed, err)
	}
	_, mtime, err := decodeArchive(write(t, o))
	if err != nil || mtime != signedAt.Unix() {
		t.Errorf("archive time %d, %v; want %d", mtime, err, signedAt.Unix())
	}
}

// TestOptionsRefused: what Write cannot do is said before anything is
// written.
func TestOptionsRefused(t *testing.T) {
	rep := runSuite(t, sound(), "^security/signature/wrong$")
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no plan", func(o *Options) { o.Plan = "" }, "Options.Plan is required"},
		{"no kit", func(o *Options) { o.Kit = "" }, "Options.Kit is required"},
		{"a short key", func(o *Options) { o.Key = o.Key[:10] }, "not an Ed25519 private key"},
		{"a short secret", func(o *Options) { o.Secrets = []Secret{{Name: "paySignKey", Value: "1234567"}} }, "the paySignKey is 7 bytes, too short"},
		{"a secret without a name", func(o *Options) { o.Secrets = []Secret{{Value: testKey}} }, "a secret without a name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := options(rep)
			tc.edit(&o)
			if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %v; want %q", err, tc.want)
			}
			var b bytes.Buffer
			if _, err := Write(&b, o); err == nil || b.Len() > 0 {
				t.Errorf("Write: %v, %d bytes written", err, b.Len())
			}
		})
	}
}

// TestExchangesName: a case's id becomes a part name an archive can hold
// and an extraction cannot escape with, one per case.
func TestExchangesName(t *testing.T) {
	used := map[string]bool{}
	long := strings.Repeat("x", 120)
	tests := []struct{ id, want string }{
		{"security/signature/wrong", "exchanges/security/signature/wrong.txt"},
		{"control", "exchanges/control.txt"},
		{"../../etc/passwd", "exchanges/__/__/etc/passwd.txt"},
		{"a//b", "exchanges/a/_/b.txt"},
		{"a.txt/b", "exchanges/a_txt/b.txt"},
		{"a_txt/b", "exchanges/a_txt/b-2.txt"},
		{"签名/wrong", "exchanges/______/wrong.txt"},
		{"api/" + long, "exchanges/api/" + long[:82-len("exchanges/api/")] + "-"},
	}
	for _, tc := range tests {
		got := exchangesName(tc.id, used)
		if !strings.HasPrefix(got, tc.want) || checkName(got) != nil || len(got) > maxName {
			t.Errorf("exchangesName(%q) = %q (%v); want %q", tc.id, got, checkName(got), tc.want)
		}
	}
}

package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

// payKeysDir writes a keys directory as payfeedback mock --pay-keys
// writes one: the merchant's files (the official SDK's test keys) and
// WeChat's (the public key's private half, and a platform certificate of
// another key, so that the two keys WeChat signs with differ).
func payKeysDir(t *testing.T) string {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "apiv3", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	wechat, err := apiv3.ParsePrivateKey(read("wechatpay-go-test-private-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	platformKey, err := apiv3.ParsePrivateKey(read("other-private-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	merchant, err := apiv3.ParsePrivateKey(read("wechatpay-go-mock-merchant-private-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x3a1c55079e41206b), Subject: pkix.Name{CommonName: "check tests' platform certificate"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &platformKey.PublicKey, platformKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "keys")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := apiv3.WriteMerchantKeys(dir, &apiv3.MerchantKeys{MchID: "1900000109", SerialNo: "BE6DCDA7A5931FA0",
		APIv3Key: "0123456789abcdef0123456789abcdef", PublicKeyID: "PUB_KEY_ID_0000000000000024101100397200000006",
		PrivateKey: merchant, PublicKey: &wechat.PublicKey}); err != nil {
		t.Fatal(err)
	}
	wechatPEM, _ := apiv3.EncodePrivateKey(wechat)
	platformPEM, _ := apiv3.EncodePrivateKey(platformKey)
	for name, b := range map[string][]byte{
		conformance.FileWeChatPayPrivateKey: wechatPEM,
		conformance.FilePlatformKey:         platformPEM,
		conformance.FilePlatformCertificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// callbackMerchant serves a sound Complaints 2.0 receiver configured from
// the keys directory, as a merchant is: middleware/callback trusting the
// public key of pub_key.pem and the platform certificate (which a merchant
// downloads), in front of a Dispatcher that acknowledges every event. It
// returns the callback URL.
func callbackMerchant(t *testing.T, dir string) string {
	t.Helper()
	k, err := apiv3.LoadMerchantKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, conformance.FilePlatformCertificate))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := apiv3.ParseCertificate(b)
	if err != nil {
		t.Fatal(err)
	}
	v, err := k.Verifier(nil, cert)
	if err != nil {
		t.Fatal(err)
	}
	opener, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: v, APIv3Key: k.APIv3Key})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	ok := func(context.Context, *callback.Event) error { return nil }
	h := callback.New(callback.Config{Opener: opener, Logger: quiet})(&callback.Dispatcher{Default: ok, Logger: quiet})
	return serveCallbacks(t, h)
}

// serveCallbacks serves h on loopback and returns its callback URL.
func serveCallbacks(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL + "/wechat/complaints"
}

// payCheckArgs are the arguments of a Complaints 2.0 check against url.
func payCheckArgs(url, keys string, more ...string) []string {
	return append([]string{"check", "--plan", "complaints", "--url", url, "--keys", keys}, more...)
}

// payObserverCases are the cases a CLI run skips: they count the
// merchant's work, which needs the plan's --api part.
func payObserverCases() int {
	n := 0
	for _, c := range conformance.PlanComplaints.Cases() {
		if c.API {
			n++
		}
	}
	return n
}

func TestCheckComplaintsPasses(t *testing.T) {
	t.Parallel()
	keys := payKeysDir(t)
	url := callbackMerchant(t, keys)
	for _, mode := range []string{"", "public-key", "platform-certificate", "switch"} {
		t.Run("mode "+mode, func(t *testing.T) {
			args := payCheckArgs(url, keys, "--chaos", "30")
			if mode != "" {
				args = append(args, "--pay-mode", mode)
			}
			res := runCLI(t, "", nil, args...)
			if res.code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			want := mode
			if want == "" {
				want = "switch"
			}
			lines := strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
			total, skipped := len(conformance.PlanComplaints.Cases()), payObserverCases()
			if !strings.HasPrefix(lines[0], "payfeedback check --plan complaints "+url+" (mchid 1900000109, keys "+want+"): ") {
				t.Errorf("header %q", lines[0])
			}
			key := "public-key"
			if want == "platform-certificate" {
				key = want
			}
			for _, w := range []string{"PASS  accept/key/" + key + "\n", "PASS  refuse/probe\n", "PASS  once/retry/acknowledged\n",
				"SKIP  once/retry/processed-once: needs an observation of the merchant's work"} {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, res.stdout)
				}
			}
			got := lines[len(lines)-1]
			if !strings.HasPrefix(got, itoa(total)+" cases, ") || !strings.HasSuffix(got, " 0 failed") {
				t.Errorf("summary %q: want %d cases, 0 failed", got, total)
			}
			if want == "switch" && got != itoa(total)+" cases, "+itoa(total-skipped)+" passed, "+itoa(skipped)+" skipped, 0 failed" {
				t.Errorf("summary %q: want %d skipped, the cases that count the merchant's work", got, skipped)
			}
		})
	}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// anythingGoes acknowledges every request: it verifies nothing.
func anythingGoes(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.WriteHeader(http.StatusNoContent)
}

func TestCheckComplaintsFails(t *testing.T) {
	keys := payKeysDir(t)
	url := serveCallbacks(t, http.HandlerFunc(anythingGoes))
	args := payCheckArgs(url, keys, "--run", "^refuse/(probe|signature/)")
	res := runCLI(t, "", nil, args...)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"FAIL  refuse/probe: accepted a signature probe (WECHATPAY/SIGNTEST/…)\n",
		"FAIL  refuse/signature/other-key: accepted a callback signed with another key\n",
		"--- FAIL refuse/signature/tampered-body\n",
		"    Fix:         refuse a signature that starts with WECHATPAY/SIGNTEST/",
		"docs/apiv3.md#signature-probes",
		"3 cases, 0 passed, 0 skipped, 3 failed\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	// The same failures, listed as expected: the run passes, and says so.
	expect := filepath.Join(t.TempDir(), "expect.txt")
	if err := os.WriteFile(expect, []byte("refuse/probe\nrefuse/signature/tampered-body\nrefuse/signature/other-key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = runCLI(t, "", nil, append(args, "--expect-fail", expect)...)
	if res.code != 0 || !strings.HasSuffix(res.stdout, "3 cases, 0 passed, 0 skipped, 0 failed (3 expected failures)\n") {
		t.Errorf("with --expect-fail: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

func TestCheckComplaintsWrongKeys(t *testing.T) {
	t.Parallel()
	// The merchant is configured with other keys than those given: the
	// control is refused, and the refusals prove nothing.
	url := callbackMerchant(t, payKeysDir(t))
	other := payKeysDir(t)
	b := []byte(`{"mchid":"1900000109","serial_no":"BE6DCDA7A5931FA0","apiv3_key":"fedcba9876543210fedcba9876543210","public_key_id":"PUB_KEY_ID_0000000000000024101100397200000006"}`)
	if err := os.WriteFile(filepath.Join(other, apiv3.FileMerchant), b, 0o600); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, "", nil, payCheckArgs(url, other)...)
	if res.code != 1 || !strings.Contains(res.stdout, "FAIL  control") || !strings.Contains(res.stdout, "the same as the control:") {
		t.Errorf("exit %d, want 1 with the control failed and the cases folded under it:\n%s%s", res.code, res.stdout, res.stderr)
	}
}

func TestCheckComplaintsUsage(t *testing.T) {
	keys := payKeysDir(t)
	url := "http://127.0.0.1:1/wechat/complaints"
	partial := filepath.Join(t.TempDir(), "partial")
	if err := os.Mkdir(partial, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{apiv3.FileMerchant, apiv3.FilePrivateKey, apiv3.FilePublicKey} {
		b, _ := os.ReadFile(filepath.Join(keys, name))
		os.WriteFile(filepath.Join(partial, name), b, 0o600)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown plan", []string{"check", "--plan", "v3", "--url", url}, `--plan "v3": want v1.5 (the 2014 notifications, the default) or complaints`},
		{"no keys", []string{"check", "--plan", "complaints", "--url", url}, "--keys DIR is required with --plan complaints"},
		{"no url", []string{"check", "--plan", "complaints", "--keys", keys}, "--url is required: the merchant's complaint callback URL"},
		{"missing keys", payCheckArgs(url, keys+".none"), "--keys: "},
		{"the merchant's keys only", payCheckArgs(url, partial), "payfeedback mock --pay-keys DIR"},
		{"bad pay mode", payCheckArgs(url, keys, "--pay-mode", "rsa"), `--pay-mode "rsa": want public-key, platform-certificate or switch`},
		{"appid", payCheckArgs(url, keys, "--appid", checkAppID), "--appid is the V1.5 plan's: the Complaints 2.0 plan takes the merchant's identity from --keys DIR"},
		{"paysignkey", payCheckArgs(url, keys, "--paysignkey", checkKey), "--paysignkey is the V1.5 plan's"},
		{"api address without api", payCheckArgs(url, keys, "--api-addr", "127.0.0.1:0"), "--api-addr, --api-timeout and --respond-within are the API cases': add --api"},
		{"virtual clock without api", payCheckArgs(url, keys, "--virtual-clock"), "--virtual-clock is the clock of the API cases' fake WeChat: add --api"},
		{"respond-within not positive", payCheckArgs(url, keys, "--api", "--respond-within", "0s"), "--respond-within 0s: want a positive duration"},
		{"respond-within with v1.5", checkArgs(url, "--respond-within", "1h"), "--respond-within is the Complaints 2.0 plan's: add --plan complaints"},
		{"keys with v1.5", checkArgs(url, "--keys", keys), "--keys is the Complaints 2.0 plan's: add --plan complaints"},
		{"pay mode with v1.5", checkArgs(url, "--pay-mode", "public-key"), "--pay-mode is the Complaints 2.0 plan's: add --plan complaints"},
		{"unknown expected failure", payCheckArgs(url, keys, "--run", "^refuse/probe$", "--expect-fail", writeTemp(t, "security/replay/msgtype\n")), `no case is named "security/replay/msgtype"`},
		{"selects nothing", payCheckArgs(url, keys, "--run", "^security/"), `--run "^security/" selects no case`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, "", nil, tc.args...)
			if res.code != 2 || !strings.Contains(res.stderr, tc.want) || !strings.Contains(res.stderr, "Try: ") {
				t.Errorf("exit %d, stderr %q: want 2, %q and a Try: hint", res.code, res.stderr, tc.want)
			}
			if strings.Contains(res.stderr, "PRIVATE KEY") || strings.Contains(res.stderr, "0123456789abcdef0123456789abcdef") {
				t.Error("stderr shows a key")
			}
		})
	}
}

// writeTemp writes s to a new file and returns its path.
func writeTemp(t *testing.T, s string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "file.txt")
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestCheckComplaintsList(t *testing.T) {
	res := runCLI(t, "", nil, "check", "--plan", "complaints", "--list", "--run", "^once/")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"once/retry/acknowledged\n    WeChat's retry", "once/retry/processed-once [--api]\n", "6 cases\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("--list lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "security/") {
		t.Errorf("--plan complaints --list lists V1.5 cases:\n%s", res.stdout)
	}
}

func TestCheckComplaintsEvidence(t *testing.T) {
	keys := payKeysDir(t)
	url := callbackMerchant(t, keys)
	dir := t.TempDir()
	bundle, key := filepath.Join(dir, "evidence.tar"), keygen(t)
	res := runCLI(t, "", nil, payCheckArgs(url, keys, "--run", "^(accept/key|refuse/probe)", "--seed", "4711", "--evidence", bundle, "--evidence-key", key)...)
	if res.code != 0 {
		t.Fatalf("check: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	v := runCLI(t, "", nil, "evidence", "verify", bundle, "--key", key+".pub")
	for _, want := range []string{
		"  plan      complaints (api=off, chaos=0, keys=switch, mchid=1900000109, strict=off)\n",
		"  verdict   passed\n",
		"  seed      4711 (--seed 4711 replays the run's random choices)\n",
		"  masked    apiv3Key (not found)\n",
		"the key given with --key",
	} {
		if v.code != 0 || !strings.Contains(v.stdout, want) {
			t.Errorf("verify: exit %d, output lacks %q:\n%s%s", v.code, want, v.stdout, v.stderr)
		}
	}
	// A changed byte: the bundle no longer verifies.
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), `"status": "PASS"`)
	if i < 0 {
		i = strings.Index(string(b), `PASS`)
	}
	b[i+1] ^= 0x20
	if err := os.WriteFile(bundle, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if v := runCLI(t, "", nil, "evidence", "verify", bundle, "--key", key+".pub"); v.code != 1 {
		t.Errorf("verify of a changed bundle: exit %d, want 1\n%s%s", v.code, v.stdout, v.stderr)
	}
}

func TestCheckComplaintsChaos(t *testing.T) {
	t.Parallel()
	keys := payKeysDir(t)
	url := callbackMerchant(t, keys)
	res := runCLI(t, "", nil, payCheckArgs(url, keys, "--run", "^chaos/", "--chaos", "60", "--seed", "5")...)
	if res.code != 0 || !strings.Contains(res.stdout, "chaos campaign: 60 complaints, seed 5 (the same seed replays it: --chaos 60 --seed 5)") ||
		!strings.Contains(res.stdout, "PASS  chaos/callbacks: 60 complaints, ") || !strings.Contains(res.stdout, " RSA signatures") {
		t.Errorf("exit %d:\n%s%s", res.code, res.stdout, res.stderr)
	}
	// A receiver that acknowledges everything: the campaign's probes,
	// forged and stale copies are acknowledged.
	url = serveCallbacks(t, http.HandlerFunc(anythingGoes))
	res = runCLI(t, "", nil, payCheckArgs(url, keys, "--run", "^chaos/", "--chaos", "60")...)
	if res.code != 1 || !strings.Contains(res.stdout, "FAIL  chaos/callbacks: ") || !strings.Contains(res.stdout, "probes, forged or stale copies acknowledged") ||
		!strings.Contains(res.stdout, "reproduce with --chaos 60 --seed ") || !strings.Contains(res.stdout, "Fix:") {
		t.Errorf("exit %d:\n%s%s", res.code, res.stdout, res.stderr)
	}
}

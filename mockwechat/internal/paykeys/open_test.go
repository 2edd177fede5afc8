package paykeys

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// generated is one keys directory made fresh, once for the whole test
// binary (RSA key generation takes a while on a loaded machine); each test
// gets a copy (copyDir).
var generated = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "paykeys-test-")
	if err != nil {
		return "", err
	}
	_, err = Open(Options{Dir: dir, Now: at(t0)})
	return dir, err
})

// copyDir returns a copy of the generated directory, without the files
// named in leave.
func copyDir(t *testing.T, leave ...string) string {
	t.Helper()
	src, err := generated()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if contains(leave, e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	pubKeyIDPattern = regexp.MustCompile(`^PUB_KEY_ID_[0-9]{32}$`)
	serialPattern   = regexp.MustCompile(`^[0-9A-F]{40}$`)
)

// TestOpenFresh: a fresh identity has WeChat's forms: a public key id of
// 32 digits, certificates with 40-digit serials valid five years on the
// fake's clock, a 32-character APIv3 key, three distinct keys.
func TestOpenFresh(t *testing.T) {
	dir := copyDir(t)
	id, err := Open(Options{Dir: dir, Now: at(t0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	m := id.Merchant()
	switch {
	case !pubKeyIDPattern.MatchString(id.PublicKeyID()):
		t.Errorf("public key id %q", id.PublicKeyID())
	case !serialPattern.MatchString(id.PlatformSerial()):
		t.Errorf("platform serial %q", id.PlatformSerial())
	case !serialPattern.MatchString(m.SerialNo):
		t.Errorf("merchant serial %q", m.SerialNo)
	case m.MchID != DefaultMchID:
		t.Errorf("mchid %q", m.MchID)
	case len(m.APIv3Key) != 32 || strings.Trim(m.APIv3Key, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "":
		t.Errorf("APIv3 key of %d characters", len(m.APIv3Key))
	case !id.PlatformCertificate().NotBefore.Equal(t0) || !id.PlatformCertificate().NotAfter.Equal(t0.Add(CertificateValidity)):
		t.Errorf("platform certificate valid %s to %s, want from %s for 5 years", id.PlatformCertificate().NotBefore, id.PlatformCertificate().NotAfter, t0)
	case !m.Certificate.NotBefore.Equal(t0):
		t.Errorf("merchant certificate from %s", m.Certificate.NotBefore)
	case id.PublicKey().Equal(id.PlatformCertificate().PublicKey) || id.PublicKey().Equal(m.PublicKey) || m.PublicKey.Equal(id.PlatformCertificate().PublicKey):
		t.Error("two of the three keys are the same")
	case id.PublicKeyID() != PublicKeyIDOf(id.PublicKey()):
		t.Errorf("public key id %s is not the key's %s", id.PublicKeyID(), PublicKeyIDOf(id.PublicKey()))
	}
	if s := id.String(); strings.Contains(s, m.APIv3Key) || !strings.Contains(s, m.SerialNo) {
		t.Errorf("String() = %q: want the serial and no APIv3 key", s)
	}
}

// TestOpenInMemory: no directory, no file; the identity still works.
func TestOpenInMemory(t *testing.T) {
	wd, _ := os.Getwd()
	before, _ := os.ReadDir(wd)
	id, err := Open(Options{MchID: "1230000109", Now: at(t0)})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadDir(wd)
	if len(after) != len(before) {
		t.Errorf("Open without Dir wrote into the working directory")
	}
	if id.Merchant().MchID != "1230000109" || id.Merchant().PrivateKey == nil {
		t.Errorf("merchant %+v", id.Merchant())
	}
}

// TestDirWrittenAsAPIv3ReadsIt: the directory holds the files the brief
// names, each mode 0600, and apiv3.LoadMerchantKeys reads the merchant's
// configuration from it: the ids and keys the identity has.
func TestDirWrittenAsAPIv3ReadsIt(t *testing.T) {
	dir := copyDir(t)
	src, _ := generated()
	for _, name := range knownFiles {
		if name == FileMerchantPublicKey || name == FilePreviousPlatformCertificate || name == FilePreviousPlatformKey {
			continue // only a merchant bringing its key writes it; only a rotation the previous certificate
		}
		fi, err := os.Stat(filepath.Join(src, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	id, err := Open(Options{Dir: dir, Now: at(t0.Add(48 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	k, err := apiv3.LoadMerchantKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := id.Merchant()
	if k.MchID != m.MchID || k.SerialNo != m.SerialNo || k.APIv3Key != m.APIv3Key || k.PublicKeyID != id.PublicKeyID() ||
		!k.PrivateKey.Equal(m.PrivateKey) || !k.PublicKey.Equal(id.PublicKey()) {
		t.Errorf("apiv3 reads %s; the identity is %s", k, id)
	}
	if !k.PublicKey.Equal(id.MerchantKeys(ModePublicKey).PublicKey) || id.MerchantKeys(ModePlatformCertificate).PublicKey != nil {
		t.Error("MerchantKeys: the public key in public-key mode, none in platform-certificate mode")
	}
}

// TestReopenIsStable: opening the same directory again gives the same
// identity, certificates and all, whatever the clock says now.
func TestReopenIsStable(t *testing.T) {
	dir := copyDir(t)
	a, err := Open(Options{Dir: dir, Now: at(t0)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(Options{Dir: dir, Now: at(t0.Add(400 * 24 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() || !a.PublicKey().Equal(b.PublicKey()) || !a.Merchant().PrivateKey.Equal(b.Merchant().PrivateKey) ||
		!bytes.Equal(a.PlatformCertificatePEM(), b.PlatformCertificatePEM()) || !a.PlatformSigner().PublicKey().Equal(b.PlatformSigner().PublicKey()) {
		t.Errorf("reopened:\n%s\n%s", a, b)
	}
}

// testdataCert is a certificate nobody in these tests made: the official
// SDK's test platform certificate, standing for a merchant's own API
// certificate (serial D7CE59D1F522D701).
func testdataCert(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "apiv3", "wechatpay-go-test-platform-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBringYourOwn: a merchant puts merchant.json and its API certificate
// (or public key) in an empty directory; the fake makes its own keys
// beside them, takes the serial from the certificate, and keeps the
// merchant's files as they are.
func TestBringYourOwn(t *testing.T) {
	const v3 = "0123456789abcdef0123456789abcdef"
	t.Run("certificate", func(t *testing.T) {
		dir := copyDir(t, apiv3.FileMerchant, apiv3.FilePrivateKey, FileMerchantCertificate)
		writeJSON(t, filepath.Join(dir, apiv3.FileMerchant), map[string]string{"mchid": "1234567890", "apiv3_key": v3})
		os.WriteFile(filepath.Join(dir, FileMerchantCertificate), testdataCert(t), 0o600)
		id, err := Open(Options{Dir: dir, Now: at(t0)})
		if err != nil {
			t.Fatal(err)
		}
		m := id.Merchant()
		if m.MchID != "1234567890" || m.SerialNo != "D7CE59D1F522D701" || m.APIv3Key != v3 || m.PrivateKey != nil || m.Certificate == nil {
			t.Errorf("merchant %+v", m)
		}
		if _, err := os.Stat(filepath.Join(dir, apiv3.FilePrivateKey)); err == nil {
			t.Error("the fake wrote a private key for a merchant that brought its certificate")
		}
		if id.PublicKeyID() != PublicKeyIDOf(id.PublicKey()) {
			t.Errorf("public key id %s", id.PublicKeyID())
		}
	})
	t.Run("public key", func(t *testing.T) {
		dir := copyDir(t, apiv3.FileMerchant, apiv3.FilePrivateKey, FileMerchantCertificate)
		const named = "PUB_KEY_ID_0000000000000024101100397200000006"
		writeJSON(t, filepath.Join(dir, apiv3.FileMerchant), map[string]string{"mchid": "1234567890", "serial_no": "BE6DCDA7A5931FA0",
			"apiv3_key": v3, "public_key_id": named})
		c, err := apiv3.ParseCertificate(testdataCert(t))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := apiv3.EncodePublicKey(c.PublicKey.(*rsa.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, FileMerchantPublicKey), pub, 0o600)
		id, err := Open(Options{Dir: dir, Now: at(t0)})
		if err != nil {
			t.Fatal(err)
		}
		m := id.Merchant()
		if m.SerialNo != "BE6DCDA7A5931FA0" || !m.PublicKey.Equal(c.PublicKey) || m.Certificate != nil || m.PrivateKey != nil {
			t.Errorf("merchant %+v", m)
		}
		if id.PublicKeyID() != named {
			t.Errorf("public key id %s, want merchant.json's %s", id.PublicKeyID(), named)
		}
	})
}

// TestOpenRefuses: a directory whose files do not hold together is refused
// with an error naming the file and what to do, and never quoting a key.
func TestOpenRefuses(t *testing.T) {
	const v3 = "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name  string
		leave []string
		edit  func(t *testing.T, dir string)
		want  string // in the error
	}{
		{name: "pub_key.pem without its private half", leave: []string{FileWeChatPayPrivateKey}, want: apiv3.FilePublicKey},
		{name: "platform key without certificate", leave: []string{FilePlatformCertificate}, want: FilePlatformKey},
		{name: "platform certificate without key", leave: []string{FilePlatformKey}, want: FilePlatformCertificate},
		{name: "merchant.json without a key", leave: []string{apiv3.FilePrivateKey, FileMerchantCertificate}, want: apiv3.FileMerchant},
		{name: "a key without merchant.json", leave: []string{apiv3.FileMerchant}, want: apiv3.FileMerchant},
		{name: "merchant.json not JSON", edit: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, apiv3.FileMerchant), []byte("mchid=1"), 0o600)
		}, want: apiv3.FileMerchant},
		{name: "short APIv3 key", edit: func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, apiv3.FileMerchant), map[string]string{"mchid": "1", "apiv3_key": "short"})
		}, want: "apiv3_key"},
		{name: "serial_no not the certificate's", edit: func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, apiv3.FileMerchant), map[string]string{"mchid": "1", "serial_no": "ABCD", "apiv3_key": v3})
		}, want: "serial_no ABCD"},
		{name: "a certificate of another key", edit: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, FileMerchantCertificate), testdataCert(t), 0o600)
		}, want: FileMerchantCertificate},
		{name: "platform certificate of another key", edit: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, FilePlatformCertificate), testdataCert(t), 0o600)
		}, want: FilePlatformCertificate},
		{name: "pub_key.pem of another key", edit: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, apiv3.FilePublicKey), testdataCert(t), 0o600)
		}, want: apiv3.FilePublicKey},
		{name: "a private key that is not PEM", edit: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, FilePlatformKey), []byte("not a key"), 0o600)
		}, want: FilePlatformKey},
		{name: "a public key without serial_no", leave: []string{apiv3.FilePrivateKey, FileMerchantCertificate}, edit: func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, apiv3.FileMerchant), map[string]string{"mchid": "1", "apiv3_key": v3})
			c, _ := apiv3.ParseCertificate(testdataCert(t))
			pub, _ := apiv3.EncodePublicKey(c.PublicKey.(*rsa.PublicKey))
			os.WriteFile(filepath.Join(dir, FileMerchantPublicKey), pub, 0o600)
		}, want: "serial_no is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, c.leave...)
			if c.edit != nil {
				c.edit(t, dir)
			}
			secrets := readAll(t, dir)
			_, err := Open(Options{Dir: dir, Now: at(t0)})
			if err == nil {
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %q", err, c.want)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q quotes a file's content", err)
				}
			}
		})
	}
}

// readAll returns pieces of every file's content that an error must never
// quote: the middle lines of PEM files, the APIv3 key.
func readAll(t *testing.T, dir string) []string {
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		lines := strings.Split(string(b), "\n")
		if len(lines) > 3 && strings.HasPrefix(lines[0], "-----BEGIN") {
			out = append(out, lines[1], lines[len(lines)/2])
		}
		var k apiv3.MerchantKeys
		if json.Unmarshal(b, &k) == nil && len(k.APIv3Key) > 8 {
			out = append(out, k.APIv3Key)
		}
	}
	return out
}

package paykeystest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/mockwechat/paykeystest"
)

// TestCopiesShareOneIdentity: each Dir is a directory of its own, files
// 0600 in a 0700 directory, byte for byte the same keys (made once), and
// two fakes started on two copies are one identity; a fake's write into
// its copy is not seen by the next copy.
func TestCopiesShareOneIdentity(t *testing.T) {
	var id paykeystest.Identity
	defer id.Close()
	dirs := make([]string, 4)
	var wg sync.WaitGroup
	for i := range dirs {
		wg.Go(func() { dirs[i] = id.Dir(t) })
	}
	wg.Wait()
	first := readDir(t, dirs[0])
	for _, name := range []string{"apiclient_key.pem", "pub_key.pem", "merchant.json", "platform_key.pem", "platform_cert.pem", "wechatpay_public_key_private.pem"} {
		if _, ok := first[name]; !ok {
			t.Errorf("the copy lacks %s: %v", name, keys(first))
		}
	}
	for _, d := range dirs[1:] {
		if d == dirs[0] {
			t.Fatalf("two copies in one directory %s", d)
		}
		got := readDir(t, d)
		for name, b := range first {
			if !bytes.Equal(got[name], b) {
				t.Errorf("%s differs between %s and %s: the identity was made twice", name, dirs[0], d)
			}
		}
	}
	fi, err := os.Stat(dirs[0])
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the directory: %v, %v; want 0700", fi.Mode(), err)
	}
	for name := range first {
		fi, err := os.Stat(filepath.Join(dirs[0], name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want 0600", name, fi.Mode(), err)
		}
	}

	a := mockwechat.NewServer(mockwechat.Options{Pay: &mockwechat.PayOptions{KeysDir: dirs[0]}})
	defer a.Close()
	b := mockwechat.NewServer(mockwechat.Options{Pay: &mockwechat.PayOptions{KeysDir: dirs[1]}})
	defer b.Close()
	ma, _ := a.PayMerchant()
	mb, _ := b.PayMerchant()
	if ma.SerialNo == "" || ma.SerialNo != mb.SerialNo || ma.APIv3Key != mb.APIv3Key || ma.PublicKeyID != mb.PublicKeyID || ma.PlatformSerial != mb.PlatformSerial {
		t.Errorf("two fakes on two copies:\n%+v\n%+v\nwant one identity", ma, mb)
	}
	if err := os.WriteFile(filepath.Join(dirs[0], "merchant.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if next := readDir(t, id.Dir(t)); !bytes.Equal(next["merchant.json"], first["merchant.json"]) {
		t.Error("a test's write into its copy reached the next copy")
	}
}

// TestCopyToRefuses: CopyTo does not write over a file, and fails after
// Close saying when to close; Close removes the identity's directory and
// is harmless twice or unused.
func TestCopyToRefuses(t *testing.T) {
	var id paykeystest.Identity
	dir := t.TempDir()
	if err := id.CopyTo(dir); err != nil {
		t.Fatal(err)
	}
	if err := id.CopyTo(dir); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second copy into %s: %v, want a refusal", dir, err)
	}
	if err := id.Close(); err != nil {
		t.Fatal(err)
	}
	if err := id.CopyTo(filepath.Join(t.TempDir(), "k")); err == nil || !strings.Contains(err.Error(), "after Close") {
		t.Errorf("a copy after Close: %v", err)
	}
	if err := id.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	var unused paykeystest.Identity
	if err := unused.Close(); err != nil {
		t.Errorf("Close of an unused Identity: %v", err)
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func keys(m map[string][]byte) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	return names
}

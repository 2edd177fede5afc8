package apiv3

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestMerchantKeys(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "keys")
	k := &MerchantKeys{MchID: testMchID, SerialNo: testMerchantSerial, APIv3Key: testAPIv3Key, PublicKeyID: testPubKeyID,
		PrivateKey: merchantKey(t), PublicKey: &wechatKey(t).PublicKey}
	if err := WriteMerchantKeys(dir, k); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FileMerchant, FilePrivateKey, FilePublicKey} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v (want 0600 even with umask 0)", f, err, st.Mode().Perm())
		}
	}
	back, err := LoadMerchantKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.MchID != k.MchID || back.SerialNo != k.SerialNo || back.APIv3Key != k.APIv3Key || back.PublicKeyID != k.PublicKeyID ||
		!back.PrivateKey.Equal(k.PrivateKey) || !back.PublicKey.Equal(k.PublicKey) {
		t.Errorf("round trip %+v", back)
	}
	if s := back.String(); strings.Contains(s, testAPIv3Key) || !strings.Contains(s, testMchID) {
		t.Errorf("String() = %q", s)
	}
	if _, err := back.Signer(nil); err != nil {
		t.Error(err)
	}
	if _, err := back.Verifier(nil); err != nil {
		t.Error(err)
	}

	// Broken directories: each error names the file, never the secret.
	for name, mod := range map[string]func(){
		"no merchant.json": func() { os.Remove(filepath.Join(dir, FileMerchant)) },
		"short APIv3 key": func() {
			os.WriteFile(filepath.Join(dir, FileMerchant), []byte(`{"mchid":"1","serial_no":"S","apiv3_key":"tooshort-secret"}`), 0o600)
		},
		"id without prefix": func() {
			os.WriteFile(filepath.Join(dir, FileMerchant), []byte(`{"mchid":"1","serial_no":"S","apiv3_key":"`+testAPIv3Key+`","public_key_id":"123"}`), 0o600)
		},
		"no pub_key.pem": func() { os.Remove(filepath.Join(dir, FilePublicKey)) },
		"not JSON":       func() { os.WriteFile(filepath.Join(dir, FileMerchant), []byte(`mchid=1`), 0o600) },
	} {
		if err := WriteMerchantKeys(dir, k); err != nil {
			t.Fatal(err)
		}
		mod()
		_, err := LoadMerchantKeys(dir)
		if err == nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		if strings.Contains(err.Error(), "tooshort-secret") || strings.Contains(err.Error(), testAPIv3Key) {
			t.Errorf("%s: the error quotes a secret: %v", name, err)
		}
	}
}

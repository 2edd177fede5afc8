package apiv3

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The files of a merchant's keys directory: what the merchant platform
// gives, laid out as the kit reads and writes it (the fake's --pay-keys,
// the suite's --keys, examples/complaints-merchant's --keys).
const (
	// FilePrivateKey is the merchant's API private key (apiclient_key.pem,
	// PKCS#8).
	FilePrivateKey = "apiclient_key.pem"
	// FilePublicKey is the WeChat Pay public key the merchant trusts
	// (pub_key.pem). Absent for a merchant on platform certificates.
	FilePublicKey = "pub_key.pem"
	// FileMerchant holds the merchant's ids and APIv3 key as JSON:
	// {"mchid", "serial_no", "apiv3_key", "public_key_id"}.
	FileMerchant = "merchant.json"
)

// MerchantKeys is what a merchant configures to speak APIv3: its id, its
// API key and certificate serial, its APIv3 key, and the WeChat Pay public
// key it trusts (nil for a merchant on platform certificates, which
// downloads them: Client.DownloadCertificates).
type MerchantKeys struct {
	MchID       string          `json:"mchid"`
	SerialNo    string          `json:"serial_no"`
	APIv3Key    string          `json:"apiv3_key"`
	PublicKeyID string          `json:"public_key_id,omitempty"`
	PrivateKey  *rsa.PrivateKey `json:"-"`
	PublicKey   *rsa.PublicKey  `json:"-"`
}

// LoadMerchantKeys reads a keys directory: merchant.json and
// apiclient_key.pem, and pub_key.pem when merchant.json names a
// public_key_id. Errors name the file and the field, never a key's or the
// APIv3 key's content.
func LoadMerchantKeys(dir string) (*MerchantKeys, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileMerchant))
	if err != nil {
		return nil, fmt.Errorf("apiv3: keys directory: %w (want %s, %s and, with the public key, %s)", err, FileMerchant, FilePrivateKey, FilePublicKey)
	}
	k := new(MerchantKeys)
	if err := json.Unmarshal(b, k); err != nil {
		return nil, fmt.Errorf("apiv3: %s: not JSON of {\"mchid\",\"serial_no\",\"apiv3_key\",\"public_key_id\"}", filepath.Join(dir, FileMerchant))
	}
	switch {
	case k.MchID == "":
		return nil, fmt.Errorf("apiv3: %s: mchid is empty", filepath.Join(dir, FileMerchant))
	case k.SerialNo == "":
		return nil, fmt.Errorf("apiv3: %s: serial_no (the API certificate's serial) is empty", filepath.Join(dir, FileMerchant))
	case len(k.APIv3Key) != APIv3KeyLength:
		return nil, fmt.Errorf("apiv3: %s: apiv3_key has %d characters, want %d", filepath.Join(dir, FileMerchant), len(k.APIv3Key), APIv3KeyLength)
	case k.PublicKeyID != "" && !IsPublicKeyID(k.PublicKeyID):
		return nil, fmt.Errorf("apiv3: %s: public_key_id does not start with %s", filepath.Join(dir, FileMerchant), PublicKeyIDPrefix)
	}
	if k.PrivateKey, err = LoadPrivateKeyFile(filepath.Join(dir, FilePrivateKey)); err != nil {
		return nil, err
	}
	if k.PublicKeyID != "" {
		if k.PublicKey, err = LoadPublicKeyFile(filepath.Join(dir, FilePublicKey)); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// WriteMerchantKeys writes k into dir (created if missing) as
// LoadMerchantKeys reads it, every file with mode 0600: they hold secrets.
func WriteMerchantKeys(dir string, k *MerchantKeys) error {
	if k.PrivateKey == nil {
		return errors.New("apiv3: WriteMerchantKeys: no private key")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("apiv3: keys directory: %w", err)
	}
	priv, err := EncodePrivateKey(k.PrivateKey)
	if err != nil {
		return err
	}
	files := map[string][]byte{FilePrivateKey: priv}
	if k.PublicKey != nil {
		if files[FilePublicKey], err = EncodePublicKey(k.PublicKey); err != nil {
			return err
		}
	}
	if files[FileMerchant], err = json.MarshalIndent(k, "", "  "); err != nil {
		return err
	}
	for name, b := range files {
		if err := writeFile0600(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	return nil
}

// writeFile0600 writes b to path with mode 0600, whatever the umask, and
// whatever mode a file already there had.
func writeFile0600(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("apiv3: write %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("apiv3: chmod %s: %w", path, err)
	}
	return nil
}

// Signer returns the Signer of the merchant's requests.
func (k *MerchantKeys) Signer(now func() time.Time) (*Signer, error) {
	return NewSigner(SignerOptions{Key: k.PrivateKey, Serial: k.SerialNo, Now: now})
}

// Verifier returns a Verifier trusting the merchant's WeChat Pay public
// key; for a merchant on platform certificates (no public key), one with
// those certificates, which the caller downloads first
// (Client.DownloadCertificates).
func (k *MerchantKeys) Verifier(now func() time.Time, certs ...*x509.Certificate) (*Verifier, error) {
	return NewVerifier(VerifierOptions{PublicKeyID: k.PublicKeyID, PublicKey: k.PublicKey, Certificates: certs, Now: now})
}

// String describes k without its secrets, for logs and banners.
func (k *MerchantKeys) String() string {
	pub := "platform certificates"
	if k.PublicKeyID != "" {
		pub = "public key " + k.PublicKeyID
	}
	return fmt.Sprintf("mchid %s, API certificate %s, APIv3 key %s, trusting %s", k.MchID, k.SerialNo, maskSecret(k.APIv3Key), pub)
}

// maskSecret keeps the first and last two characters of a secret.
func maskSecret(s string) string {
	if len(s) <= 6 {
		return "****"
	}
	return s[:2] + "…" + s[len(s)-2:]
}

package conformance

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/payfeedback/payfeedback/apiv3"
)

// The files of a keys directory that hold WeChat's side of the identity,
// beside the merchant's (apiv3.FileMerchant merchant.json,
// apiv3.FilePrivateKey apiclient_key.pem, apiv3.FilePublicKey pub_key.pem):
// the fake WeChat writes them (payfeedback mock --pay-keys DIR), and the
// suite reads them to sign as the same WeChat. Only WeChat holds the real
// ones.
const (
	// FileWeChatPayPrivateKey is the private half of the WeChat Pay public
	// key (pub_key.pem).
	FileWeChatPayPrivateKey = "wechatpay_public_key_private.pem"
	// FilePlatformKey is the platform certificate's private key.
	FilePlatformKey = "platform_key.pem"
	// FilePlatformCertificate is the platform certificate.
	FilePlatformCertificate = "platform_cert.pem"
)

// PayKeys are the keys of a Complaints 2.0 run: what the merchant
// configures, and WeChat's own, with which the suite signs callbacks as
// WeChat does. The suite and the fake WeChat are one WeChat with one
// identity: LoadPayKeys reads the directory the fake writes.
type PayKeys struct {
	// Merchant is what the merchant configures (apiv3.LoadMerchantKeys):
	// the suite uses its MchID, its APIv3Key, which encrypts the
	// callbacks' resources, and its PublicKeyID. Required.
	Merchant *apiv3.MerchantKeys
	// PublicKey is the WeChat Pay public key's private half: it signs
	// callbacks sent with Wechatpay-Serial Merchant.PublicKeyID. Required
	// unless the key mode is KeyModePlatformCertificate.
	PublicKey *rsa.PrivateKey
	// Platform is a platform certificate and PlatformKey its private key:
	// they sign callbacks sent with the certificate's serial. Required
	// unless the key mode is KeyModePublicKey.
	Platform    *x509.Certificate
	PlatformKey *rsa.PrivateKey
}

// LoadPayKeys reads a keys directory: the merchant's files as
// apiv3.LoadMerchantKeys reads them, and WeChat's: the WeChat Pay public
// key's private half (FileWeChatPayPrivateKey), and the platform
// certificate (FilePlatformCertificate) with its key (FilePlatformKey).
// Either of WeChat's keys may be missing, not both; each must match what
// the merchant's files say of it. Errors name the file, never a key.
func LoadPayKeys(dir string) (*PayKeys, error) {
	m, err := apiv3.LoadMerchantKeys(dir)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	k := &PayKeys{Merchant: m}
	present := func(name string) (bool, error) {
		_, err := os.Stat(filepath.Join(dir, name))
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, fs.ErrNotExist):
			return false, nil
		}
		return false, fmt.Errorf("conformance: keys directory: %w", err)
	}
	if ok, err := present(FileWeChatPayPrivateKey); err != nil {
		return nil, err
	} else if ok {
		if k.PublicKey, err = apiv3.LoadPrivateKeyFile(filepath.Join(dir, FileWeChatPayPrivateKey)); err != nil {
			return nil, fmt.Errorf("conformance: %w", err)
		}
	}
	if ok, err := present(FilePlatformKey); err != nil {
		return nil, err
	} else if ok {
		if k.PlatformKey, err = apiv3.LoadPrivateKeyFile(filepath.Join(dir, FilePlatformKey)); err != nil {
			return nil, fmt.Errorf("conformance: %w", err)
		}
		b, err := os.ReadFile(filepath.Join(dir, FilePlatformCertificate))
		if err != nil {
			return nil, fmt.Errorf("conformance: %s is there, so %s must be too: %w", FilePlatformKey, FilePlatformCertificate, err)
		}
		if k.Platform, err = apiv3.ParseCertificate(b); err != nil {
			return nil, fmt.Errorf("conformance: %s: %w", filepath.Join(dir, FilePlatformCertificate), err)
		}
	}
	if k.PublicKey == nil && k.PlatformKey == nil {
		return nil, fmt.Errorf("conformance: %s holds the merchant's keys but none of WeChat's (%s; or %s and %s): "+
			"the suite signs callbacks as WeChat, so give it the directory the fake WeChat writes (payfeedback mock --pay-keys DIR)",
			dir, FileWeChatPayPrivateKey, FilePlatformKey, FilePlatformCertificate)
	}
	if err := k.check(); err != nil {
		return nil, fmt.Errorf("conformance: keys directory %s: %w", dir, err)
	}
	return k, nil
}

// check reports what does not fit together in k: a private key that is
// not the half of the public key or certificate the merchant trusts.
func (k *PayKeys) check() error {
	switch {
	case k.Merchant == nil:
		return errors.New("no merchant keys (PayKeys.Merchant)")
	case len(k.Merchant.APIv3Key) != apiv3.APIv3KeyLength:
		return fmt.Errorf("the merchant's APIv3 key has %d characters, want %d", len(k.Merchant.APIv3Key), apiv3.APIv3KeyLength)
	case k.PublicKey != nil && k.Merchant.PublicKeyID == "":
		return fmt.Errorf("%s is there but %s names no public_key_id: the merchant would not know the key", FileWeChatPayPrivateKey, apiv3.FileMerchant)
	case k.PublicKey != nil && k.Merchant.PublicKey != nil && !k.Merchant.PublicKey.Equal(k.PublicKey.Public()):
		return fmt.Errorf("%s is not the public half of %s: they come from different identities", apiv3.FilePublicKey, FileWeChatPayPrivateKey)
	case (k.Platform == nil) != (k.PlatformKey == nil):
		return fmt.Errorf("a platform certificate needs its key: give both %s and %s, or neither", FilePlatformCertificate, FilePlatformKey)
	case k.Platform != nil && !k.PlatformKey.PublicKey.Equal(k.Platform.PublicKey):
		return fmt.Errorf("%s is not the key of %s", FilePlatformKey, FilePlatformCertificate)
	}
	return nil
}

// writeFakeKeys writes k into dir as the fake WeChat reads a keys
// directory (mockwechat.PayOptions.KeysDir), so that the embedded fake is
// the WeChat the plan signs as: the merchant's files, the WeChat Pay
// public key's private half and the platform certificate with its key
// (the fake makes whichever of WeChat's keys k lacks). Every file has mode
// 0600.
func writeFakeKeys(dir string, k *PayKeys) error {
	if err := apiv3.WriteMerchantKeys(dir, k.Merchant); err != nil {
		return fmt.Errorf("conformance: the embedded fake's keys: %w", err)
	}
	files := map[string][]byte{}
	if k.PublicKey != nil {
		b, err := apiv3.EncodePrivateKey(k.PublicKey)
		if err != nil {
			return fmt.Errorf("conformance: the embedded fake's keys: %w", err)
		}
		files[FileWeChatPayPrivateKey] = b
	}
	if k.Platform != nil {
		b, err := apiv3.EncodePrivateKey(k.PlatformKey)
		if err != nil {
			return fmt.Errorf("conformance: the embedded fake's keys: %w", err)
		}
		files[FilePlatformKey] = b
		files[FilePlatformCertificate] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.Platform.Raw})
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return fmt.Errorf("conformance: the embedded fake's keys: %w", err)
		}
	}
	return nil
}

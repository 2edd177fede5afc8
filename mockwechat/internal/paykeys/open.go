package paykeys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// The files of a keys directory beyond apiv3's three (apiv3.FilePrivateKey
// apiclient_key.pem, apiv3.FilePublicKey pub_key.pem, apiv3.FileMerchant
// merchant.json). Every file the fake writes has mode 0600.
const (
	// FileMerchantCertificate is the merchant's API certificate, as the
	// merchant platform names it: the demo merchant's, or one a merchant
	// brings (its serial is then the merchant's serial_no).
	FileMerchantCertificate = "apiclient_cert.pem"
	// FileMerchantPublicKey is a merchant's API public key ("BEGIN PUBLIC
	// KEY"), for a merchant that brings its key without its certificate:
	// merchant.json must then give serial_no.
	FileMerchantPublicKey = "apiclient_public_key.pem"
	// FileWeChatPayPrivateKey is the private half of the WeChat Pay public
	// key (pub_key.pem): the fake's, what only WeChat holds for the real one.
	FileWeChatPayPrivateKey = "wechatpay_public_key_private.pem"
	// FilePlatformKey is the platform certificate's private key (the fake's).
	FilePlatformKey = "platform_key.pem"
	// FilePlatformCertificate is the platform certificate, self-signed:
	// the one that signs.
	FilePlatformCertificate = "platform_cert.pem"
	// FilePreviousPlatformCertificate and FilePreviousPlatformKey are the
	// platform certificate the last rotation replaced
	// (Identity.RotatePlatform), its NotAfter the end of the overlap, and
	// its key: GET /v3/certificates lists it, and is signed by it, until
	// then.
	FilePreviousPlatformCertificate = "platform_cert_previous.pem"
	FilePreviousPlatformKey         = "platform_key_previous.pem"
)

// Options configures Open.
type Options struct {
	// Dir is the keys directory (--pay-keys DIR); "" keeps a fresh identity
	// in memory only.
	Dir string
	// Now is the fake's clock: new certificates are valid from now for
	// CertificateValidity (nil: time.Now). The signers stamp it too.
	Now func() time.Time
	// MchID is the demo merchant's id ("": DefaultMchID), used when the
	// identity makes the merchant; a merchant.json in Dir names its own.
	MchID string
}

// Open returns the fake's identity: made fresh (its RSA keys generated
// concurrently) when Dir is "" or holds none of the files; loaded when Dir
// holds them, so keys are stable across runs. The three groups of files
// are made or loaded each on its own, and a group made is written to Dir:
//
//   - WeChat's public key: wechatpay_public_key_private.pem, and pub_key.pem
//     written beside it for the merchant. A pub_key.pem without its
//     private half is refused: the fake cannot sign as that key.
//   - The platform certificate: platform_key.pem and platform_cert.pem,
//     both or neither.
//   - The merchant: merchant.json ({"mchid","serial_no","apiv3_key",
//     "public_key_id"}) and its API key, as one of apiclient_cert.pem (its
//     certificate: the serial comes from it), apiclient_public_key.pem (its
//     public key: merchant.json gives serial_no) or apiclient_key.pem (its
//     private key; with a certificate too, they must match). A merchant
//     that brings its own puts merchant.json and its certificate in an
//     empty Dir: the fake makes its own keys beside them. With none of
//     these files the fake makes the demo merchant: merchant.json,
//     apiclient_key.pem (PKCS#8) and apiclient_cert.pem.
//
// The WeChat Pay public key's id is merchant.json's public_key_id when it
// names one, else PublicKeyIDOf the key. Errors name the file and what is
// wrong with it, never a key's content.
func Open(o Options) (*Identity, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	mchid := o.MchID
	if mchid == "" {
		mchid = DefaultMchID
	}
	d := dir{path: o.Dir}
	if err := d.scan(); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	n := 0
	for _, need := range []bool{!d.has(FileWeChatPayPrivateKey), !d.has(FilePlatformKey), !d.hasMerchant()} {
		if need {
			n++
		}
	}
	fresh, err := generateKeys(n)
	if err != nil {
		return nil, err
	}
	take := func() *rsa.PrivateKey { k := fresh[0]; fresh = fresh[1:]; return k }

	var pub *rsa.PrivateKey
	if d.has(FileWeChatPayPrivateKey) {
		if pub, err = d.privateKey(FileWeChatPayPrivateKey); err != nil {
			return nil, err
		}
	} else {
		pub = take()
		if err := d.writePrivateKey(FileWeChatPayPrivateKey, pub); err != nil {
			return nil, err
		}
	}
	if err := d.pubKeyFile(&pub.PublicKey); err != nil {
		return nil, err
	}

	var platformKey *rsa.PrivateKey
	var platformCert *x509.Certificate
	var platformPEM []byte
	var previous *platform
	if d.has(FilePreviousPlatformKey) {
		k, err := d.privateKey(FilePreviousPlatformKey)
		if err != nil {
			return nil, err
		}
		c, b, err := d.certificate(FilePreviousPlatformCertificate, &k.PublicKey)
		if err != nil {
			return nil, err
		}
		previous = &platform{key: k, cert: Certificate{Cert: c, PEM: b}}
	}
	if d.has(FilePlatformKey) {
		if platformKey, err = d.privateKey(FilePlatformKey); err != nil {
			return nil, err
		}
		if platformCert, platformPEM, err = d.certificate(FilePlatformCertificate, &platformKey.PublicKey); err != nil {
			return nil, err
		}
	} else {
		platformKey = take()
		if platformCert, platformPEM, err = newCertificate(platformKey, platformSubject, now(), rand.Reader); err != nil {
			return nil, err
		}
		if err := d.writePrivateKey(FilePlatformKey, platformKey); err != nil {
			return nil, err
		}
		if err := d.write(FilePlatformCertificate, platformPEM); err != nil {
			return nil, err
		}
	}

	var m Merchant
	pubID := PublicKeyIDOf(&pub.PublicKey)
	if d.hasMerchant() {
		var named string
		if m, named, err = d.merchant(); err != nil {
			return nil, err
		}
		if named != "" {
			pubID = named
		}
	} else {
		if m, err = newMerchant(take(), mchid, now()); err != nil {
			return nil, err
		}
		if err := d.writeMerchant(m, pubID, &pub.PublicKey); err != nil {
			return nil, err
		}
	}
	return newIdentity(d, pubID, pub, platform{key: platformKey, cert: Certificate{Cert: platformCert, PEM: platformPEM}}, previous, m, now)
}

// newMerchant makes the demo merchant around key.
func newMerchant(key *rsa.PrivateKey, mchid string, now time.Time) (Merchant, error) {
	cert, _, err := newCertificate(key, merchantSubject(mchid), now, rand.Reader)
	if err != nil {
		return Merchant{}, err
	}
	v3, err := newAPIv3Key(rand.Reader)
	if err != nil {
		return Merchant{}, err
	}
	return Merchant{MchID: mchid, SerialNo: apiv3.SerialOf(cert), APIv3Key: v3, PublicKey: &key.PublicKey,
		PrivateKey: key, Certificate: cert}, nil
}

// dir is a keys directory being opened; path "" is no directory at all.
type dir struct {
	path    string
	present map[string]bool
}

// knownFiles are the files Open reads or writes.
var knownFiles = []string{apiv3.FilePrivateKey, apiv3.FilePublicKey, apiv3.FileMerchant, FileMerchantCertificate,
	FileMerchantPublicKey, FileWeChatPayPrivateKey, FilePlatformKey, FilePlatformCertificate, FilePreviousPlatformCertificate, FilePreviousPlatformKey}

// scan notes which known files the directory holds.
func (d *dir) scan() error {
	d.present = map[string]bool{}
	if d.path == "" {
		return nil
	}
	for _, name := range knownFiles {
		fi, err := os.Stat(d.file(name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("paykeys: %w", err)
		case fi.IsDir():
			return fmt.Errorf("paykeys: %s is a directory, want a file", d.file(name))
		default:
			d.present[name] = true
		}
	}
	return nil
}

// check refuses a directory whose files do not make whole groups.
func (d *dir) check() error {
	switch {
	case d.has(apiv3.FilePublicKey) && !d.has(FileWeChatPayPrivateKey):
		return fmt.Errorf("paykeys: %s has no private half (%s): the fake cannot sign as a WeChat Pay public key it did not make; remove %s and the fake writes its own",
			d.file(apiv3.FilePublicKey), FileWeChatPayPrivateKey, apiv3.FilePublicKey)
	case d.has(FilePlatformKey) != d.has(FilePlatformCertificate):
		have, missing := FilePlatformKey, FilePlatformCertificate
		if d.has(FilePlatformCertificate) {
			have, missing = missing, have
		}
		return fmt.Errorf("paykeys: %s is there without %s: keep both, or remove it and the fake makes a new platform certificate", d.file(have), missing)
	case d.has(FilePreviousPlatformKey) != d.has(FilePreviousPlatformCertificate):
		return fmt.Errorf("paykeys: %s and %s go together: keep both, or remove both (the rotation's old certificate is then forgotten)", d.file(FilePreviousPlatformKey), FilePreviousPlatformCertificate)
	case d.has(apiv3.FileMerchant) && !d.merchantKeyFiles():
		return fmt.Errorf("paykeys: %s names a merchant without its API key: add its certificate (%s), its public key (%s) or its private key (%s)",
			d.file(apiv3.FileMerchant), FileMerchantCertificate, FileMerchantPublicKey, apiv3.FilePrivateKey)
	case !d.has(apiv3.FileMerchant) && d.merchantKeyFiles():
		return fmt.Errorf("paykeys: %s is missing: write {\"mchid\",\"serial_no\",\"apiv3_key\"} beside the merchant's key, or empty the directory and the fake makes a demo merchant",
			d.file(apiv3.FileMerchant))
	}
	return nil
}

func (d *dir) has(name string) bool { return d.present[name] }

func (d *dir) merchantKeyFiles() bool {
	return d.has(apiv3.FilePrivateKey) || d.has(FileMerchantCertificate) || d.has(FileMerchantPublicKey)
}

// hasMerchant reports a merchant to load (check made sure it is whole).
func (d *dir) hasMerchant() bool { return d.has(apiv3.FileMerchant) }

func (d *dir) file(name string) string { return filepath.Join(d.path, name) }

func (d *dir) privateKey(name string) (*rsa.PrivateKey, error) {
	k, err := apiv3.LoadPrivateKeyFile(d.file(name))
	if err != nil {
		return nil, fmt.Errorf("paykeys: %w", err)
	}
	return k, nil
}

// certificate loads a certificate and checks it is of key's pair.
func (d *dir) certificate(name string, key *rsa.PublicKey) (*x509.Certificate, []byte, error) {
	b, err := os.ReadFile(d.file(name))
	if err != nil {
		return nil, nil, fmt.Errorf("paykeys: %w", err)
	}
	c, err := apiv3.ParseCertificate(b)
	if err != nil {
		return nil, nil, fmt.Errorf("paykeys: %s: %w", d.file(name), err)
	}
	if key != nil && !key.Equal(c.PublicKey) {
		return nil, nil, fmt.Errorf("paykeys: %s is not the certificate of the key beside it: keep the pair together", d.file(name))
	}
	return c, b, nil
}

// pubKeyFile checks pub_key.pem against the WeChat Pay key, or writes it.
func (d *dir) pubKeyFile(pub *rsa.PublicKey) error {
	if d.path == "" {
		return nil
	}
	if d.has(apiv3.FilePublicKey) {
		k, err := apiv3.LoadPublicKeyFile(d.file(apiv3.FilePublicKey))
		if err != nil {
			return fmt.Errorf("paykeys: %w", err)
		}
		if !k.Equal(pub) {
			return fmt.Errorf("paykeys: %s is not the public half of %s: remove %s and the fake writes it again", d.file(apiv3.FilePublicKey), FileWeChatPayPrivateKey, apiv3.FilePublicKey)
		}
		return nil
	}
	b, err := apiv3.EncodePublicKey(pub)
	if err != nil {
		return err
	}
	return d.write(apiv3.FilePublicKey, b)
}

// merchant loads a merchant from merchant.json and its key files, and
// returns the public key id merchant.json names ("" for none).
func (d *dir) merchant() (Merchant, string, error) {
	path := d.file(apiv3.FileMerchant)
	b, err := os.ReadFile(path)
	if err != nil {
		return Merchant{}, "", fmt.Errorf("paykeys: %w", err)
	}
	var k apiv3.MerchantKeys
	if err := json.Unmarshal(b, &k); err != nil {
		return Merchant{}, "", fmt.Errorf("paykeys: %s: not JSON of {\"mchid\",\"serial_no\",\"apiv3_key\",\"public_key_id\"}", path)
	}
	switch {
	case k.MchID == "":
		return Merchant{}, "", fmt.Errorf("paykeys: %s: mchid is empty", path)
	case len(k.APIv3Key) != apiv3.APIv3KeyLength:
		return Merchant{}, "", fmt.Errorf("paykeys: %s: apiv3_key has %d characters, want %d", path, len(k.APIv3Key), apiv3.APIv3KeyLength)
	case k.PublicKeyID != "" && !apiv3.IsPublicKeyID(k.PublicKeyID):
		return Merchant{}, "", fmt.Errorf("paykeys: %s: public_key_id does not start with %s", path, apiv3.PublicKeyIDPrefix)
	}
	m := Merchant{MchID: k.MchID, SerialNo: k.SerialNo, APIv3Key: k.APIv3Key}
	if d.has(apiv3.FilePrivateKey) {
		if m.PrivateKey, err = d.privateKey(apiv3.FilePrivateKey); err != nil {
			return Merchant{}, "", err
		}
		m.PublicKey = &m.PrivateKey.PublicKey
	}
	switch {
	case d.has(FileMerchantCertificate):
		if m.Certificate, _, err = d.certificate(FileMerchantCertificate, m.PublicKey); err != nil {
			return Merchant{}, "", err
		}
		m.PublicKey = m.Certificate.PublicKey.(*rsa.PublicKey) // ParseCertificate checked it is RSA
		serial := apiv3.SerialOf(m.Certificate)
		if m.SerialNo != "" && m.SerialNo != serial {
			return Merchant{}, "", fmt.Errorf("paykeys: %s: serial_no %s is not the serial of %s (%s): correct it or leave it empty", path, m.SerialNo, FileMerchantCertificate, serial)
		}
		m.SerialNo = serial
	case d.has(FileMerchantPublicKey):
		pub, err := apiv3.LoadPublicKeyFile(d.file(FileMerchantPublicKey))
		if err != nil {
			return Merchant{}, "", fmt.Errorf("paykeys: %w", err)
		}
		if m.PublicKey != nil && !m.PublicKey.Equal(pub) {
			return Merchant{}, "", fmt.Errorf("paykeys: %s is not the public half of %s", d.file(FileMerchantPublicKey), apiv3.FilePrivateKey)
		}
		m.PublicKey = pub
	}
	if m.SerialNo == "" {
		return Merchant{}, "", fmt.Errorf("paykeys: %s: serial_no is empty and there is no %s to read it from: give the API certificate's serial", path, FileMerchantCertificate)
	}
	return m, k.PublicKeyID, nil
}

// writeMerchant writes a new demo merchant as apiv3 lays out a keys
// directory, and its certificate.
func (d *dir) writeMerchant(m Merchant, pubID string, pub *rsa.PublicKey) error {
	if d.path == "" {
		return nil
	}
	if err := apiv3.WriteMerchantKeys(d.path, &apiv3.MerchantKeys{MchID: m.MchID, SerialNo: m.SerialNo, APIv3Key: m.APIv3Key,
		PublicKeyID: pubID, PrivateKey: m.PrivateKey, PublicKey: pub}); err != nil {
		return fmt.Errorf("paykeys: %w", err)
	}
	return d.write(FileMerchantCertificate, encodeCertificate(m.Certificate))
}

func (d *dir) writePrivateKey(name string, k *rsa.PrivateKey) error {
	if d.path == "" {
		return nil
	}
	b, err := apiv3.EncodePrivateKey(k)
	if err != nil {
		return err
	}
	return d.write(name, b)
}

// write writes a file with mode 0600, whatever the umask: it may hold a
// secret.
func (d *dir) write(name string, b []byte) error {
	if d.path == "" {
		return nil
	}
	if err := os.MkdirAll(d.path, 0o700); err != nil {
		return fmt.Errorf("paykeys: keys directory: %w", err)
	}
	path := d.file(name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("paykeys: write %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("paykeys: chmod %s: %w", path, err)
	}
	return nil
}

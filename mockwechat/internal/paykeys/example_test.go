package paykeys_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
)

// The fake's identity in a keys directory: the files a merchant configures,
// and a switch during which the public key signs a growing share of
// callbacks.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "pay-keys")
	defer os.RemoveAll(dir)
	now := func() time.Time { return time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC) }
	id, err := paykeys.Open(paykeys.Options{Dir: dir, Now: now})
	if err != nil {
		panic(err)
	}
	k, _ := apiv3.LoadMerchantKeys(dir) // what the merchant configures
	fmt.Println(k.MchID, k.SerialNo == id.Merchant().SerialNo, k.PublicKeyID == id.PublicKeyID())
	for _, f := range []string{apiv3.FilePrivateKey, apiv3.FilePublicKey, apiv3.FileMerchant, paykeys.FilePlatformCertificate} {
		fi, _ := os.Stat(filepath.Join(dir, f))
		fmt.Println(f, fi.Mode().Perm())
	}
	s, _ := paykeys.NewSigning(paykeys.SigningOptions{Identity: id, Mode: paykeys.ModeSwitch, SwitchBegan: now(), Seed: 1})
	fmt.Println(s.Answer("") == id.PlatformSigner(), s.Answer(id.PublicKeyID()) == id.PublicKeySigner())
	fmt.Println(paykeys.PublicKeyShare(now(), now().Add(3*24*time.Hour)))
	// Output:
	// 1900000109 true true
	// apiclient_key.pem -rw-------
	// pub_key.pem -rw-------
	// merchant.json -rw-------
	// platform_cert.pem -rw-------
	// true true
	// 0.1
}

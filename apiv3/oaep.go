package apiv3

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
)

// EncryptOAEP encrypts a sensitive field as WeChat does (payer_phone, for
// one): RSAES-OAEP with SHA-1 and MGF1-SHA-1, no label, under pub (for a
// field WeChat sends, the merchant's API certificate's key), returned in
// standard Base64.
func EncryptOAEP(pub *rsa.PublicKey, plaintext string) (string, error) {
	if pub == nil {
		return "", errors.New("apiv3: EncryptOAEP: the public key is nil")
	}
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, []byte(plaintext), nil)
	if err != nil {
		return "", fmt.Errorf("apiv3: EncryptOAEP: %w", err)
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// ErrOAEP: a sensitive field does not decrypt with the private key given.
var ErrOAEP = errors.New("the field does not decrypt")

// DecryptOAEP decrypts a field EncryptOAEP encrypted (payer_phone, for
// one) with priv, the merchant's API private key (apiclient_key.pem).
// The error never includes the ciphertext or the plaintext.
func DecryptOAEP(priv *rsa.PrivateKey, ciphertext string) (string, error) {
	if priv == nil {
		return "", errors.New("apiv3: DecryptOAEP: the private key is nil")
	}
	raw, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		return "", fmt.Errorf("apiv3: %w: not standard Base64", ErrOAEP)
	}
	pt, err := rsa.DecryptOAEP(sha1.New(), nil, priv, raw, nil)
	if err != nil {
		return "", fmt.Errorf("apiv3: %w: it was encrypted for another key (WeChat encrypts with the key of the merchant's API certificate)", ErrOAEP)
	}
	return string(pt), nil
}

package apiv3

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// AlgorithmAEADAES256GCM is the only algorithm WeChat encrypts callback
// resources and platform certificates with.
const AlgorithmAEADAES256GCM = "AEAD_AES_256_GCM"

// APIv3KeyLength is the length of an APIv3 key (商户平台 → API安全 → APIv3密钥):
// 32 characters, whose ASCII bytes are the AES-256 key.
const APIv3KeyLength = 32

// Errors of AEAD, wrapped with details.
var (
	// ErrAlgorithm: a resource names an algorithm other than
	// AlgorithmAEADAES256GCM.
	ErrAlgorithm = errors.New("unsupported resource algorithm")
	// ErrDecrypt: the ciphertext does not open: the APIv3 key is wrong,
	// or the ciphertext, nonce or associated data were altered.
	ErrDecrypt = errors.New("the resource does not decrypt")
)

// AEAD encrypts and decrypts with the APIv3 key as WeChat does
// (AEAD_AES_256_GCM, RFC 5116): the key's ASCII bytes are the AES key, the
// nonce's ASCII bytes (12 of them) the GCM nonce, the associated data's
// ASCII bytes the GCM additional data, and a ciphertext is the standard
// Base64 of the GCM output (ciphertext then 16-byte tag). It is safe for
// concurrent use.
type AEAD struct {
	gcm cipher.AEAD
}

// NewAEAD returns the AEAD of an APIv3 key. WeChat's keys have
// APIv3KeyLength characters (AES-256); 16- and 24-byte keys are taken too
// (AES-128 and -192), as the official SDK takes them, because its
// published test vectors use them.
func NewAEAD(apiv3Key string) (*AEAD, error) {
	switch len(apiv3Key) {
	case 16, 24, 32:
	case 0:
		return nil, errors.New("apiv3: the APIv3 key is empty: copy it from 商户平台 → API安全 → APIv3密钥 (32 characters)")
	default:
		return nil, fmt.Errorf("apiv3: the APIv3 key has %d characters, want %d (商户平台 → API安全 → APIv3密钥)", len(apiv3Key), APIv3KeyLength)
	}
	block, err := aes.NewCipher([]byte(apiv3Key))
	if err != nil {
		return nil, fmt.Errorf("apiv3: APIv3 key: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("apiv3: APIv3 key: %w", err)
	}
	return &AEAD{gcm: gcm}, nil
}

// NonceSize is the length of an AEAD nonce: 12 characters.
const NonceSize = 12

// Open decrypts ciphertext (standard Base64) with nonce and associated
// data, as WeChat's resources carry them.
func (a *AEAD) Open(nonce, associatedData, ciphertext string) ([]byte, error) {
	return a.AppendOpen(nil, nonce, associatedData, ciphertext)
}

// AppendOpen is Open appending the plaintext to dst, reusing dst's
// capacity for the decoded ciphertext too.
func (a *AEAD) AppendOpen(dst []byte, nonce, associatedData, ciphertext string) ([]byte, error) {
	if len(nonce) != NonceSize {
		return nil, fmt.Errorf("apiv3: %w: the nonce has %d characters, want %d", ErrDecrypt, len(nonce), NonceSize)
	}
	need := base64.StdEncoding.DecodedLen(len(ciphertext))
	start := len(dst)
	if cap(dst)-start < need {
		dst = append(dst, make([]byte, need)...)[:start]
	}
	raw := dst[start : start+need]
	n, err := base64.StdEncoding.Decode(raw, bytesOf(ciphertext))
	if err != nil {
		return nil, fmt.Errorf("apiv3: %w: the ciphertext is not standard Base64", ErrDecrypt)
	}
	if n < a.gcm.Overhead() {
		return nil, fmt.Errorf("apiv3: %w: the ciphertext is shorter than the GCM tag", ErrDecrypt)
	}
	out, err := a.gcm.Open(dst[:start], bytesOf(nonce), raw[:n], bytesOf(associatedData))
	if err != nil {
		return nil, fmt.Errorf("apiv3: %w: the APIv3 key is not the one WeChat encrypted with (商户平台 → API安全 → APIv3密钥), or the ciphertext was altered", ErrDecrypt)
	}
	return out, nil
}

// Seal encrypts plaintext with nonce (NonceSize characters) and associated
// data and returns the ciphertext in standard Base64, as WeChat does.
func (a *AEAD) Seal(nonce, associatedData string, plaintext []byte) (string, error) {
	if len(nonce) != NonceSize {
		return "", fmt.Errorf("apiv3: seal: the nonce has %d characters, want %d", len(nonce), NonceSize)
	}
	out := a.gcm.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))
	return base64.StdEncoding.EncodeToString(out), nil
}

// OpenResource decrypts r after checking its algorithm.
func (a *AEAD) OpenResource(r *Resource) ([]byte, error) {
	if r.Algorithm != AlgorithmAEADAES256GCM {
		return nil, &algorithmError{r.Algorithm}
	}
	return a.Open(r.Nonce, r.AssociatedData, r.Ciphertext)
}

// SealResource encrypts plaintext into a Resource with a fresh nonce drawn
// from rand (nil: crypto/rand), as WeChat encrypts a callback's resource.
func (a *AEAD) SealResource(originalType, associatedData string, plaintext []byte, rand io.Reader) (Resource, error) {
	n, err := Nonce(rand)
	if err != nil {
		return Resource{}, err
	}
	nonce := n[:NonceSize]
	ct, err := a.Seal(nonce, associatedData, plaintext)
	if err != nil {
		return Resource{}, err
	}
	return Resource{Algorithm: AlgorithmAEADAES256GCM, Ciphertext: ct, Nonce: nonce, AssociatedData: associatedData, OriginalType: originalType}, nil
}

package payfeedback

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// Param is one signed field: a key (lower-cased when signing) and its value
// (trimmed when signing).
type Param struct {
	Key, Value string
}

// Sign computes a WeChat V2 payment signature (docs/protocol.md, "The AppSignature"): the params plus
// appkey=appKey, keys lower-cased and sorted, joined as key=value with '&',
// SHA1, lower-case hex. It is the one implementation behind AppSignature and
// the deliver-notify app_signature. Sign returns ErrEmptyKey for an empty
// appKey.
func Sign(params []Param, appKey string) (string, error) {
	sum, err := digest(params, appKey)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// SignNotification returns the AppSignature of a notification's signed
// fields: appid, appkey, openid and timestamp.
func SignNotification(appID, openID, timestamp, appKey string) (string, error) {
	return Sign(notificationParams(appID, openID, timestamp), appKey)
}

// Sign sets n.AppSignature (and SignMethod, when empty) from its signed
// fields and appKey.
func (n *Notification) Sign(appKey string) error {
	sig, err := SignNotification(n.AppID, n.OpenID, n.TimeStamp, appKey)
	if err != nil {
		return err
	}
	n.AppSignature = sig
	if n.SignMethod == "" {
		n.SignMethod = SignMethodSHA1
	}
	return nil
}

// Verify checks n.AppSignature against appKey in constant time. It returns
// nil or one of ErrEmptyKey, ErrMissingSignature, ErrUnknownSignMethod and
// ErrBadSignature. It does not judge the TimeStamp's age, nor the fields the
// signature does not cover (MsgType, FeedBackId, …): see the middleware
// package for both.
func (n *Notification) Verify(appKey string) error {
	if n.SignMethod != "" && !strings.EqualFold(n.SignMethod, SignMethodSHA1) {
		return ErrUnknownSignMethod
	}
	if n.AppSignature == "" {
		return ErrMissingSignature
	}
	if appKey == "" {
		return ErrEmptyKey
	}
	// The hot path of every receiver: the four signed keys are fixed and
	// already in order, so the string to sign is written directly (the same
	// bytes appendCanonical writes; TestVerifyMatchesSign proves it).
	var buf [384]byte
	return compareSignature(sha1.Sum(appendNotificationCanonical(buf[:0], n.AppID, n.OpenID, n.TimeStamp, appKey)), n.AppSignature)
}

// appendNotificationCanonical appends the string to sign of a
// notification: appendCanonical of appid, openid and timestamp, unrolled.
func appendNotificationCanonical(b []byte, appID, openID, timestamp, appKey string) []byte {
	b = append(b, "appid="...)
	b = append(b, trimXMLSpace(appID)...)
	b = append(b, "&appkey="...)
	b = append(b, trimXMLSpace(appKey)...)
	b = append(b, "&openid="...)
	b = append(b, trimXMLSpace(openID)...)
	b = append(b, "&timestamp="...)
	return append(b, trimXMLSpace(timestamp)...)
}

// VerifySignature checks that signature (hex, either case) is the signature
// of params under appKey, in constant time.
func VerifySignature(params []Param, appKey, signature string) error {
	if signature == "" {
		return ErrMissingSignature
	}
	want, err := digest(params, appKey)
	if err != nil {
		return err
	}
	return compareSignature(want, signature)
}

// compareSignature compares a digest with a signature in hex (either case)
// in constant time; the signature's length and hex digits are not secret.
func compareSignature(want [sha1.Size]byte, signature string) error {
	if len(signature) != 2*sha1.Size {
		return ErrBadSignature
	}
	var got [sha1.Size]byte
	for i := range got {
		hi, ok1 := fromHex(signature[2*i])
		lo, ok2 := fromHex(signature[2*i+1])
		if !ok1 || !ok2 {
			return ErrBadSignature
		}
		got[i] = hi<<4 | lo
	}
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return ErrBadSignature
	}
	return nil
}

func fromHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func notificationParams(appID, openID, timestamp string) []Param {
	return []Param{{"appid", appID}, {"openid", openID}, {"timestamp", timestamp}}
}

// digest builds the string to sign in a stack buffer and hashes it.
func digest(params []Param, appKey string) ([sha1.Size]byte, error) {
	if appKey == "" {
		return [sha1.Size]byte{}, ErrEmptyKey
	}
	var buf [1024]byte
	return sha1.Sum(appendCanonical(buf[:0], params, appKey)), nil
}

// appendCanonical appends the string to sign: params plus appkey, keys
// lower-cased and sorted, values trimmed, joined as key=value with '&'.
func appendCanonical(b []byte, params []Param, appKey string) []byte {
	var local [12]Param
	ps := local[:0]
	ps = append(ps, params...)
	ps = append(ps, Param{"appkey", appKey})
	for i := range ps {
		ps[i].Key = lowerASCII(ps[i].Key)
		ps[i].Value = trimXMLSpace(ps[i].Value)
	}
	// Insertion sort: a handful of keys, no allocation.
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Key < ps[j-1].Key; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	for i, p := range ps {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.Key...)
		b = append(b, '=')
		b = append(b, p.Value...)
	}
	return b
}

// lowerASCII lower-cases ASCII letters, copying only when needed.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// StringToSign returns the canonical string that Sign hashes, with the
// appkey value masked as "***", for debugging signature mismatches without
// leaking the key.
func StringToSign(params []Param) string {
	return string(appendCanonical(nil, params, "***"))
}

package payfeedback

import (
	"math"
	"time"
)

// MsgType is the kind of a complaint notification.
type MsgType string

// The three kinds of complaint notification (docs/protocol.md, "The notification").
const (
	// MsgRequest: the user filed a complaint.
	MsgRequest MsgType = "request"
	// MsgConfirm: the user confirmed the complaint is resolved.
	MsgConfirm MsgType = "confirm"
	// MsgReject: the user rejected the merchant's handling.
	MsgReject MsgType = "reject"
)

// Valid reports whether t is one of the three known kinds.
func (t MsgType) Valid() bool {
	return t == MsgRequest || t == MsgConfirm || t == MsgReject
}

// MaxPictures is how many pictures WeChat attaches to a complaint at most.
// The decoder keeps up to 16 pictures of a PicInfo and ignores the
// others; the encoder and the fake server never write more than this.
const MaxPictures = 5

// SignMethodSHA1 is the only signature method of the protocol.
const SignMethodSHA1 = "sha1"

// Notification is one complaint notification, every element of docs/protocol.md, "The notification".
// Values are kept exactly as sent, trimmed of surrounding whitespace.
type Notification struct {
	// AppID is the official account's id (AppId).
	AppID string `json:"AppId"`
	// TimeStamp is the Unix time in seconds, as the decimal string that was
	// signed. Use Time for the parsed value.
	TimeStamp string `json:"TimeStamp"`
	// OpenID identifies the paying user (OpenId).
	OpenID string `json:"OpenId"`
	// MsgType says what happened: request, confirm or reject.
	MsgType MsgType `json:"MsgType"`
	// FeedBackID is the complaint id (FeedBackId). Real ids exceed int64,
	// so it stays a string.
	FeedBackID string `json:"FeedBackId"`
	// TransID is the WeChat transaction id (TransId). It is optional in
	// every MsgType: WeChat's document marks it so, and a complaint filed
	// without an order carries none.
	TransID string `json:"TransId,omitempty"`
	// Reason is the user's complaint reason.
	Reason string `json:"Reason,omitempty"`
	// Solution is the solution the user asks for.
	Solution string `json:"Solution,omitempty"`
	// ExtInfo is a free note, usually with a phone number.
	ExtInfo string `json:"ExtInfo,omitempty"`
	// AppSignature is the SHA1 signature over appid, appkey, openid and
	// timestamp (see Verify).
	AppSignature string `json:"AppSignature"`
	// SignMethod is "sha1" in practice; an empty SignMethod means sha1.
	SignMethod string `json:"SignMethod,omitempty"`
	// PicURLs are the user's picture evidence (PicInfo/item/PicUrl), empty
	// slots dropped.
	PicURLs []string `json:"PicUrls,omitempty"`
}

// MaxTimestampDigits is the longest TimeStamp accepted: WeChat's document
// gives the element as "32 characters or less". A value of more than 19
// digits is a well-formed TimeStamp that no clock reaches: Unix reports it
// as math.MaxInt64, so a freshness check refuses it as being in the future.
const MaxTimestampDigits = 32

// Unix returns the TimeStamp as seconds since the Unix epoch, or an error
// wrapping ErrBadTimestamp when it is not 1 to MaxTimestampDigits decimal
// digits. A value beyond int64 (possible with 20 to 32 digits) saturates at
// math.MaxInt64: later than any clock, never earlier.
func (n *Notification) Unix() (int64, error) {
	return parseTimestamp(n.TimeStamp)
}

// Time returns the TimeStamp as a time.Time; the zero Time when the
// TimeStamp is not a decimal number (decoded notifications always have one).
func (n *Notification) Time() time.Time {
	sec, err := n.Unix()
	if err != nil {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// parseTimestamp accepts 1 to MaxTimestampDigits decimal digits and nothing
// else (no sign, no spaces: values are trimmed before); values beyond int64
// saturate at math.MaxInt64.
func parseTimestamp(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, &DecodeError{Err: ErrBadTimestamp, Element: "TimeStamp", Detail: "found a character that is not a digit"}
		}
	}
	if len(s) == 0 || len(s) > MaxTimestampDigits {
		return 0, &DecodeError{Err: ErrBadTimestamp, Element: "TimeStamp", Detail: "empty or longer than 32 digits"}
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return math.MaxInt64, nil
		}
		v = v*10 + d
	}
	return int64(v), nil
}

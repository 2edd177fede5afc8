package world

import (
	"crypto/rand"
	"encoding/base64"
	mathrand "math/rand/v2"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Token is one issued access_token.
type Token struct {
	Value   string    `json:"value"`
	AppID   string    `json:"appid"`
	Expires time.Time `json:"expires"`
	// SupersededAt is when a newer token was issued; zero while latest.
	SupersededAt time.Time `json:"superseded_at,omitzero"`
}

// Quota is an account's count of token calls on one day.
type Quota struct {
	// Day is the Beijing date counted, "2006-01-02".
	Day  string `json:"day,omitempty"`
	Used int    `json:"used,omitempty"`
}

// beijing is the time zone in which WeChat's daily quotas reset.
var beijing = time.FixedZone("CST", 8*60*60)

// values makes the random opaque values the world hands out (tokens and
// media ids). It is a ChaCha8 stream, which math/rand/v2 documents as
// cryptographically strong, seeded from crypto/rand when the world is
// made. Drawing 48 bytes from it takes a few dozen nanoseconds, against
// about 200 for a crypto/rand read, which cost a token call more than the
// token API's checks. Its lock is a leaf, never held with the world's.
type values struct {
	mu sync.Mutex
	g  *mathrand.ChaCha8
}

func newValues() *values {
	var seed [32]byte
	rand.Read(seed[:])
	return &values{g: mathrand.NewChaCha8(seed)}
}

// NewValue returns a random opaque value for a token or a media id: 64
// URL-safe characters (48 random bytes). It takes no lock of the world's:
// a caller makes the value before the transition that keeps it.
func (w *World) NewValue() string {
	var b [48]byte
	w.values.mu.Lock()
	w.values.g.Read(b[:])
	w.values.mu.Unlock()
	var out [64]byte
	base64.RawURLEncoding.Encode(out[:], b[:])
	return string(out[:])
}

// TokenCall answers the token API's checks after grant_type, in order:
// appid missing 41002, unknown 40013, secret missing 41004, wrong 40125,
// the daily quota 45009 (counted per day, reset at midnight Beijing time,
// on the fake's clock); then it issues a token. value is made by the
// caller (NewValue), outside the lock.
func (w *World) TokenCall(appID, secret, value string, now time.Time) (Token, error) {
	if appID == "" {
		return Token{}, refuse(payfeedback.CodeAppIDMissing, "")
	}
	if err := w.lock(); err != nil {
		return Token{}, err
	}
	defer w.mu.Unlock()
	acc, ok := w.accounts[appID]
	switch {
	case !ok:
		return Token{}, refuse(payfeedback.CodeInvalidAppID, "no such appid")
	case secret == "":
		return Token{}, refuse(payfeedback.CodeSecretMissing, "")
	case secret != acc.Secret:
		return Token{}, refuse(payfeedback.CodeInvalidSecret, "appsecret is wrong")
	}
	limit := acc.TokenCallsPerDay
	if limit == 0 {
		limit = w.cfg.TokenCallsPerDay
	}
	if limit > 0 {
		day := now.In(beijing).Format(time.DateOnly)
		if acc.Quota.Day != day {
			acc.Quota = Quota{Day: day}
		}
		if acc.Quota.Used >= limit {
			return Token{}, refuse(payfeedback.CodeQuotaExceeded, "token calls per day exceeded: the count resets at midnight, Beijing time")
		}
		acc.Quota.Used++
	}
	return w.issue(acc, value, now), nil
}

// IssueToken issues a token for an account as the token API would, without
// its checks nor the quota.
func (w *World) IssueToken(appID, value string) (Token, error) {
	if err := w.lock(); err != nil {
		return Token{}, err
	}
	defer w.mu.Unlock()
	acc, err := w.account(appID)
	if err != nil {
		return Token{}, err
	}
	return w.issue(acc, value, w.now()), nil
}

// issue makes a new latest token for acc (w.mu held); the previous latest
// enters its grace period and the one before is forgotten (40001 from then
// on).
func (w *World) issue(acc *AccountState, value string, now time.Time) Token {
	t := &Token{Value: value, AppID: acc.AppID, Expires: now.Add(w.cfg.TokenTTL)}
	if acc.PreviousToken != "" {
		delete(w.tokens, acc.PreviousToken)
	}
	if cur, ok := w.tokens[acc.Token]; ok {
		cur.SupersededAt = now
	}
	acc.PreviousToken, acc.Token = acc.Token, t.Value
	w.tokens[t.Value] = t
	return *t
}

// TokenAccount returns the account of a known token, valid or not; "" for
// an unknown one.
func (w *World) TokenAccount(value string) string {
	if value == "" {
		return ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.tokens[value]; ok {
		return t.AppID
	}
	return ""
}

// auth checks an access_token (w.mu held): 41001 missing, 40001 unknown
// or superseded past the grace period, 42001 expired. It returns the
// token's appid whenever the token is known, valid or not, for the call
// log.
func (w *World) auth(value string, now time.Time) (*AccountState, string, error) {
	if value == "" {
		return nil, "", refuse(payfeedback.CodeTokenMissing, "pass access_token in the query")
	}
	t, ok := w.tokens[value]
	if !ok {
		return nil, "", refuse(payfeedback.CodeInvalidCredential, "access_token is invalid or not latest")
	}
	if !now.Before(t.Expires) {
		return nil, t.AppID, refuse(payfeedback.CodeTokenExpired, "fetch a new token")
	}
	if !t.SupersededAt.IsZero() && !now.Before(t.SupersededAt.Add(w.cfg.TokenGrace)) {
		return nil, t.AppID, refuse(payfeedback.CodeInvalidCredential, "access_token is not latest: a newer one was issued")
	}
	acc, ok := w.accounts[t.AppID]
	if !ok {
		return nil, t.AppID, refuse(payfeedback.CodeInvalidCredential, "the token's account no longer exists")
	}
	return acc, t.AppID, nil
}

// Auth checks an access_token as the API endpoints do and returns its
// account's appid (whenever the token is known, valid or not): 41001
// missing, 40001 unknown or superseded past the grace period, 42001
// expired.
func (w *World) Auth(value string, now time.Time) (string, error) {
	if err := w.lock(); err != nil {
		return "", err
	}
	defer w.mu.Unlock()
	_, appID, err := w.auth(value, now)
	return appID, err
}

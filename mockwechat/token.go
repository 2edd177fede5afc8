package mockwechat

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback"
)

// token is one issued access_token. Its fields change only under tokMu.
type token struct {
	value        string
	appID        string
	expires      time.Time
	supersededAt time.Time // zero while it is the account's latest
}

// newTokenValue returns a random opaque token: 64 URL-safe characters.
func newTokenValue() string {
	var b [48]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// lookupToken returns the appid of a known token (valid or not), or nil.
func (s *Server) lookupToken(v string) *tokenInfo {
	if v == "" {
		return nil
	}
	s.tokMu.RLock()
	t, ok := s.tokens[v]
	var ti tokenInfo
	if ok {
		ti = tokenInfo{appID: t.appID, expires: t.expires, supersededAt: t.supersededAt}
	}
	s.tokMu.RUnlock()
	if !ok {
		return nil
	}
	return &ti
}

type tokenInfo struct {
	appID                 string
	expires, supersededAt time.Time
}

// auth checks the call's access_token: 41001 missing, 40001 unknown or
// superseded past the grace period, 42001 expired.
func (c *apiCall) auth() (appID string, resp response, ok bool) {
	v := c.query.Get("access_token")
	if v == "" {
		return "", fail(payfeedback.CodeTokenMissing, "pass access_token in the query"), false
	}
	t := c.s.lookupToken(v)
	if t == nil {
		return "", fail(payfeedback.CodeInvalidCredential, "access_token is invalid or not latest"), false
	}
	if !c.now.Before(t.expires) {
		return t.appID, fail(payfeedback.CodeTokenExpired, "fetch a new token"), false
	}
	if !t.supersededAt.IsZero() && !c.now.Before(t.supersededAt.Add(c.s.set.TokenGrace)) {
		return t.appID, fail(payfeedback.CodeInvalidCredential, "access_token is not latest: a newer one was issued"), false
	}
	return t.appID, response{}, true
}

// handleToken serves GET /cgi-bin/token (PROTOCOL §5).
func (s *Server) handleToken(c *apiCall) response {
	if gt := c.query.Get("grant_type"); gt != "client_credential" {
		return fail(payfeedback.CodeInvalidGrantType, "grant_type must be client_credential")
	}
	appID, secret := c.query.Get("appid"), c.query.Get("secret")
	if appID == "" {
		return fail(payfeedback.CodeAppIDMissing, "")
	}
	s.mu.Lock()
	acc, ok := s.accounts[appID]
	var want string
	if ok {
		want = acc.Secret
	}
	s.mu.Unlock()
	if !ok {
		return fail(payfeedback.CodeInvalidAppID, "no such appid")
	}
	if secret == "" {
		return fail(payfeedback.CodeSecretMissing, "")
	}
	if secret != want {
		return fail(payfeedback.CodeInvalidCredential, "appsecret is wrong")
	}
	if acc.limiter != nil && !acc.limiter.AllowN(c.now, 1) {
		return fail(payfeedback.CodeQuotaExceeded, "token calls per day exceeded")
	}
	t := s.issueToken(acc, c.now)
	b := make([]byte, 0, 128)
	b = append(b, `{"access_token":"`...)
	b = append(b, t.value...)
	b = append(b, `","expires_in":`...)
	b = strconv.AppendInt(b, int64(s.set.TokenTTL/time.Second), 10)
	b = append(b, '}')
	return response{body: b}
}

// Token issues a token for an account as the token API would, without a
// call, for tests that need one quickly.
func (s *Server) Token(appID string) (string, error) {
	s.mu.Lock()
	acc, err := s.accountLocked(appID)
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	t := s.issueToken(acc, s.sched.now())
	return t.value, nil
}

// issueToken makes a new latest token for acc; the previous latest enters
// its grace period and the one before is forgotten (40001 from then on).
func (s *Server) issueToken(acc *account, now time.Time) *token {
	t := &token{value: newTokenValue(), appID: acc.AppID, expires: now.Add(s.set.TokenTTL)}
	s.tokMu.Lock()
	if acc.prev != nil {
		delete(s.tokens, acc.prev.value)
	}
	if acc.cur != nil {
		acc.cur.supersededAt = now
	}
	acc.prev, acc.cur = acc.cur, t
	s.tokens[t.value] = t
	s.tokMu.Unlock()
	return t
}

package mockwechat

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

func TestTokenErrors(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	demo := DemoAccount()
	tests := []struct {
		name string
		q    url.Values
		want payfeedback.ErrorCode
	}{
		{"ok", url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}, "secret": {demo.Secret}}, 0},
		{"no grant_type", url.Values{"appid": {demo.AppID}, "secret": {demo.Secret}}, payfeedback.CodeInvalidGrantType},
		{"bad grant_type", url.Values{"grant_type": {"password"}, "appid": {demo.AppID}, "secret": {demo.Secret}}, payfeedback.CodeInvalidGrantType},
		{"no appid", url.Values{"grant_type": {"client_credential"}, "secret": {demo.Secret}}, payfeedback.CodeAppIDMissing},
		{"unknown appid", url.Values{"grant_type": {"client_credential"}, "appid": {"wx0000000000000000"}, "secret": {demo.Secret}}, payfeedback.CodeInvalidAppID},
		{"no secret", url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}}, payfeedback.CodeSecretMissing},
		{"wrong secret", url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}, "secret": {"nope"}}, payfeedback.CodeInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := do(t, s, "GET", payfeedback.PathToken, tt.q, "")
			if a.status != 200 || a.ErrCode != tt.want {
				t.Fatalf("got HTTP %d %s, want errcode %d", a.status, a.raw, tt.want)
			}
			if tt.want == 0 && (a.ExpiresIn != 7200 || len(a.AccessToken) < 32) {
				t.Fatalf("success answer %s: want expires_in 7200 and a long token", a.raw)
			}
			if tt.want != 0 && a.AccessToken != "" {
				t.Fatalf("error answer carries a token: %s", a.raw)
			}
		})
	}
}

func TestTokenNeverRecordsSecret(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	getToken(t, s, DemoAccount())
	do(t, s, "GET", payfeedback.PathToken, url.Values{"grant_type": {"client_credential"}, "appid": {DemoAccount().AppID}, "secret": {"wrong-secret"}}, "")
	calls := s.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls recorded, want 2", len(calls))
	}
	for _, c := range calls {
		if got := c.Query.Get("secret"); got != "***" {
			t.Errorf("call %d records secret %q, want ***", c.Seq, got)
		}
		if c.AppID != DemoAccount().AppID || c.Endpoint != payfeedback.PathToken || len(c.Answer) == 0 {
			t.Errorf("call %+v: want appid, endpoint and answer recorded", c)
		}
	}
}

// tokenCheck calls update with a token; update's own checks fail after the
// token checks, so the errcode tells which token check answered.
func tokenCheck(t *testing.T, s *Server, tok string) payfeedback.ErrorCode {
	t.Helper()
	q := url.Values{"openid": {"nobody"}, "feedbackid": {"1"}}
	if tok != "" {
		q.Set("access_token", tok)
	}
	return do(t, s, "GET", payfeedback.PathUpdateFeedback, q, "").ErrCode
}

func TestTokenLifecycle(t *testing.T) {
	s, clk := newVirtual(t, Options{})
	demo := DemoAccount()
	first := getToken(t, s, demo)
	if got := tokenCheck(t, s, first); got != payfeedback.CodeInvalidOpenID {
		t.Fatalf("fresh token: errcode %d, want the token accepted (40003 from the openid check)", got)
	}
	if got := tokenCheck(t, s, ""); got != payfeedback.CodeTokenMissing {
		t.Fatalf("no token: %d, want 41001", got)
	}
	if got := tokenCheck(t, s, "not-a-token"); got != payfeedback.CodeInvalidCredential {
		t.Fatalf("unknown token: %d, want 40001", got)
	}
	second := getToken(t, s, demo)
	if second == first {
		t.Fatal("a new token equals the previous one")
	}
	clk.Advance(4 * time.Minute)
	if got := tokenCheck(t, s, first); got != payfeedback.CodeInvalidOpenID {
		t.Fatalf("previous token within grace: %d, want accepted", got)
	}
	clk.Advance(time.Minute)
	if got := tokenCheck(t, s, first); got != payfeedback.CodeInvalidCredential {
		t.Fatalf("previous token after grace: %d, want 40001", got)
	}
	if got := tokenCheck(t, s, second); got != payfeedback.CodeInvalidOpenID {
		t.Fatalf("latest token: %d, want accepted", got)
	}
	clk.Advance(7200*time.Second - 5*time.Minute)
	if got := tokenCheck(t, s, second); got != payfeedback.CodeTokenExpired {
		t.Fatalf("token at expiry: %d, want 42001", got)
	}
	third := getToken(t, s, demo)
	getToken(t, s, demo)
	getToken(t, s, demo)
	if got := tokenCheck(t, s, third); got != payfeedback.CodeInvalidCredential {
		t.Fatalf("token two generations old: %d, want 40001", got)
	}
}

// TestTokenDailyLimit: the daily token quota is a count per day on the
// fake's clock, reset at midnight Beijing time (UTC+8), not a rate
// refilled evenly: the fourth call of the day is refused until midnight,
// then three more pass.
func TestTokenDailyLimit(t *testing.T) {
	s, clk := newVirtual(t, Options{TokenCallsPerDay: 3}) // t0 is 18:00 in Beijing
	demo := DemoAccount()
	q := url.Values{"grant_type": {"client_credential"}, "appid": {demo.AppID}, "secret": {demo.Secret}}
	calls := func(when string, want ...payfeedback.ErrorCode) {
		t.Helper()
		for i, w := range want {
			if a := do(t, s, "GET", payfeedback.PathToken, q, ""); a.ErrCode != w {
				t.Fatalf("%s, call %d: %s, want errcode %d", when, i+1, a.raw, w)
			}
		}
	}
	calls("the first day", 0, 0, 0, payfeedback.CodeQuotaExceeded)
	clk.Advance(6*time.Hour - time.Second) // 23:59:59 in Beijing
	calls("a second before midnight", payfeedback.CodeQuotaExceeded)
	clk.Advance(time.Second)
	calls("at midnight in Beijing", 0, 0, 0, payfeedback.CodeQuotaExceeded)
}

// TestTokenAnswerLogged: the token the world keeps is the one answered
// (the handler writes it once, into the answer), each answer is logged with
// the token masked, and a second token leaves the first one whole: the
// first stays usable in its grace period, the second as the latest.
func TestTokenAnswerLogged(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	first := getToken(t, s, DemoAccount())
	second := getToken(t, s, DemoAccount())
	if first == second || len(first) != 64 || len(second) != 64 {
		t.Fatalf("tokens %q and %q: want two different 64-character values", first, second)
	}
	for _, tok := range []string{first, second} {
		if code := tokenCheck(t, s, tok); code == payfeedback.CodeInvalidCredential || code == payfeedback.CodeTokenMissing {
			t.Errorf("token %q refused: errcode %d", tok, code)
		}
	}
	var logged []string
	for _, c := range s.Calls() {
		if c.Endpoint == payfeedback.PathToken {
			logged = append(logged, string(c.Answer))
		}
	}
	want := []string{
		`{"access_token":"***` + first[58:] + `","expires_in":7200}`,
		`{"access_token":"***` + second[58:] + `","expires_in":7200}`,
	}
	if !slices.Equal(logged, want) {
		t.Errorf("the log's token answers:\n%q\nwant\n%q", logged, want)
	}
}

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// newFakeWeChat starts an in-process mockwechat with the demo account and
// files one complaint.
func newFakeWeChat(t *testing.T) (*mockwechat.Server, mockwechat.Account, mockwechat.Complaint) {
	t.Helper()
	srv := mockwechat.NewServer(mockwechat.Options{})
	t.Cleanup(srv.Close)
	acct := mockwechat.DemoAccount()
	comp, err := srv.FileComplaint(context.Background(), mockwechat.ComplaintSpec{AppID: acct.AppID, Goods: payfeedback.GoodsVirtual})
	if err != nil {
		t.Fatal(err)
	}
	return srv, acct, comp
}

func TestUpdate(t *testing.T) {
	srv, acct, comp := newFakeWeChat(t)
	base := []string{"update", "--appid", acct.AppID, "--openid", comp.OpenID, "--feedbackid", comp.FeedBackID}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantOut  string
		wantErr  string
		handled  bool
	}{
		{name: "flags", args: append(base[1:], "--secret", acct.Secret, "--base-url", srv.URL), handled: true,
			wantOut: "handled: complaint " + comp.FeedBackID + " of " + comp.OpenID + "\n"},
		{name: "environment", args: base[1:], env: map[string]string{"PAYFEEDBACK_BASE_URL": srv.URL, "PAYFEEDBACK_SECRET": acct.Secret},
			handled: true, wantOut: "handled: complaint "},
		{name: "flag beats environment", args: append(base[1:], "--base-url", srv.URL, "--secret", acct.Secret),
			env: map[string]string{"PAYFEEDBACK_BASE_URL": "http://127.0.0.1:1"}, handled: true, wantOut: "handled: complaint "},
		{name: "verbose logs no secrets", args: append(base[1:], "--secret", acct.Secret, "--base-url", srv.URL, "--verbose"),
			handled: true, wantOut: "handled: complaint ", wantErr: "op=UpdateFeedback"},
		{name: "unknown openid", args: []string{"--appid", acct.AppID, "--secret", acct.Secret, "--base-url", srv.URL, "--openid", "nobody", "--feedbackid", comp.FeedBackID},
			wantCode: 1, wantErr: "errcode 40003"},
		{name: "wrong secret", args: append(base[1:], "--secret", "not-the-secret", "--base-url", srv.URL),
			wantCode: 1, wantErr: "errcode 40125"},
		{name: "missing secret", args: append(base[1:], "--base-url", srv.URL), wantCode: 2, wantErr: "--secret (or $PAYFEEDBACK_SECRET) is required"},
		{name: "missing appid", args: []string{"--secret", "s", "--openid", "o", "--feedbackid", "1"}, wantCode: 2, wantErr: "--appid is required"},
		{name: "missing feedbackid", args: []string{"--appid", acct.AppID, "--secret", "s", "--openid", "o"}, wantCode: 2, wantErr: "--openid and --feedbackid are required"},
		{name: "bad base url", args: append(base[1:], "--secret", acct.Secret, "--base-url", "localhost:8080"), wantCode: 2, wantErr: "not an absolute http(s) URL"},
		{name: "stray argument", args: append(base[1:], "--secret", acct.Secret, "extra"), wantCode: 2, wantErr: `unexpected argument "extra"`},
		{name: "help", args: []string{"-h"}, wantOut: "Usage: payfeedback update"},
		{name: "timeout without a unit", args: append(base[1:], "--timeout", "5"), wantCode: 2, wantErr: "use a duration such as 5s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := srv.SetPayPermission(acct.AppID, true); err != nil {
				t.Fatal(err)
			}
			before, _ := srv.Complaint(comp.FeedBackID)
			r := runCLI(t, "", tt.env, append([]string{"update"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, tt.wantOut) {
				t.Errorf("stdout %q, want it to start with %q", r.stdout, tt.wantOut)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.wantErr)
			}
			if tt.wantCode == 2 && !strings.Contains(r.stderr, "Try: payfeedback update") {
				t.Errorf("usage error without a hint: %q", r.stderr)
			}
			assertNoSecrets(t, srv, acct, r)
			after, _ := srv.Complaint(comp.FeedBackID)
			if got := after.Updates - before.Updates; (got == 1) != tt.handled {
				t.Errorf("%d updates recorded, want handled=%v", got, tt.handled)
			}
		})
	}
}

// assertNoSecrets checks that nothing the CLI printed shows the secret,
// the paySignKey or a token the fake issued.
func assertNoSecrets(t *testing.T, srv *mockwechat.Server, acct mockwechat.Account, r result) {
	t.Helper()
	out := r.stdout + r.stderr
	if strings.Contains(out, acct.Secret) || strings.Contains(out, acct.PaySignKey) {
		t.Errorf("output shows a secret:\n%s", out)
	}
	for _, c := range srv.Calls() {
		if tok := c.Query.Get("access_token"); tok != "" && strings.Contains(out, tok) {
			t.Errorf("output shows an access_token:\n%s", out)
		}
	}
}

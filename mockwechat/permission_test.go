package mockwechat

import (
	"testing"

	"github.com/payfeedback/payfeedback"
)

// TestMessagePermission: an account without the customer-service message
// permission gets 48001 on custom/send, right after the token check, and
// nothing is delivered; the permission is an account option, in the admin
// JSON and PATCH, and SetMessagePermission.
func TestMessagePermission(t *testing.T) {
	demo := DemoAccount()
	demo.NoMessagePermission = true
	s, _ := newVirtual(t, Options{Accounts: []Account{demo}})
	s.Interact("", "o1")
	tok := getToken(t, s, demo)
	tests := []struct {
		name, tok, body string
		want            payfeedback.ErrorCode
	}{
		{"a valid message", tok, textTo1, payfeedback.CodeUnauthorized},
		{"an empty body: the permission first", tok, "", payfeedback.CodeUnauthorized},
		{"no token: the token first", "", textTo1, payfeedback.CodeTokenMissing},
	}
	for _, tt := range tests {
		if got := send(t, s, tt.tok, tt.body); got.ErrCode != tt.want {
			t.Errorf("%s: %s, want errcode %d", tt.name, got.raw, tt.want)
		}
	}
	if n := len(s.Inbox("o1")); n != 0 {
		t.Fatalf("%d messages delivered without the permission", n)
	}
	// Update and deliver notify need the pay permission, not this one.
	c, _ := s.FileComplaint(testCtx(t), ComplaintSpec{OpenID: "o2"})
	if got := update(t, s, tok, "o2", c.FeedBackID); got != 0 {
		t.Fatalf("update without the message permission: errcode %d, want 0", got)
	}

	if err := s.SetMessagePermission(demo.AppID, true); err != nil {
		t.Fatal(err)
	}
	if got := send(t, s, tok, textTo1); got.ErrCode != 0 {
		t.Fatalf("permission granted: %s", got.raw)
	}
	var a Account
	if st, raw := adminCall(t, s, "PATCH", "/_mock/accounts/"+demo.AppID, `{"message_permission":false}`, &a); st != 200 || !a.NoMessagePermission {
		t.Fatalf("PATCH message_permission: HTTP %d %s", st, raw)
	}
	if got := send(t, s, tok, textTo1); got.ErrCode != payfeedback.CodeUnauthorized {
		t.Fatalf("permission withdrawn over the admin API: %s, want 48001", got.raw)
	}
	if st, raw := adminCall(t, s, "POST", "/_mock/accounts", `{"appid":"wx2","secret":"s","paysignkey":"k","no_message_permission":true}`, &a); st != 201 || !a.NoMessagePermission {
		t.Fatalf("POST an account without the permission: HTTP %d %s", st, raw)
	}
}

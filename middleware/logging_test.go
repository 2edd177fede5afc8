package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestLogsNoSecrets drives every path with a debug logger and checks that
// the records name the notification and the outcome but never hold a key,
// in the logs or in the responses.
func TestLogsNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := baseConfig()
	cfg.Logger = logger
	keys := cfg.Keys
	cfg.Keys = middleware.KeyFunc(func(ctx context.Context, appID string) (string, error) {
		if appID == "wx-vault-down" {
			return "", errors.New("vault: sealed")
		}
		return keys.PaySignKey(ctx, appID)
	})
	d := middleware.Dispatcher{
		OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
			if n.FeedBackID == "boom" {
				return errors.New("database down")
			}
			return nil
		},
		Logger: logger,
	}
	h := middleware.New(cfg)(d)
	valid := signedSample(t, nil)
	sig := sigOf(t, valid)
	bodies := [][]byte{
		valid, // accepted
		valid, // duplicate
		[]byte(strings.Replace(string(valid), "补发货给我", "退款", 1)),                                                         // conflict
		signed(t, sample(), testKey+"x"),                                                                                 // bad signature
		signedSample(t, func(n *payfeedback.Notification) { n.AppID = "wx-unknown" }),                                    // unknown app
		signedSample(t, func(n *payfeedback.Notification) { n.AppID = "wx-vault-down" }),                                 // resolver down
		signedSample(t, func(n *payfeedback.Notification) { n.FeedBackID, n.OpenID = "boom", "u-boom" }),                 // handler fails
		signedSample(t, func(n *payfeedback.Notification) { n.MsgType, n.OpenID = payfeedback.MsgConfirm, "u-confirm" }), // no handler
		signedAt(t, 1),         // too old
		[]byte("<xml><AppId>"), // malformed
	}
	var responses strings.Builder
	for _, b := range bodies {
		w := serve(h, post(b))
		responses.WriteString(w.Body.String())
	}
	out := logs.String()
	if strings.Contains(out, testKey) || strings.Contains(responses.String(), testKey) {
		t.Fatalf("the paySignKey leaked:\nlogs: %s\nresponses: %s", out, responses.String())
	}
	if strings.Contains(out, "oDF3iY9P32sK") {
		t.Errorf("an OpenId was logged:\n%s", out)
	}
	if strings.Contains(responses.String(), "database down") || strings.Contains(responses.String(), "vault") {
		t.Errorf("an internal error reached a response: %s", responses.String())
	}
	// The records do say what happened.
	for _, want := range []string{
		`"msg":"payfeedback: notification accepted"`,
		`"msg":"payfeedback: duplicate notification acknowledged, not handled again"`,
		`"status":409`,
		`"status":401`,
		`"status":403`,
		`"status":503`,
		`"error":"database down"`,
		`"msg":"payfeedback: no handler for this MsgType`,
		`"level":"ERROR"`,
		`"appid":"` + testAppID + `"`,
		`"feedbackid":"13275936403980775178"`,
		`vault: sealed`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, sig) {
		t.Errorf("logs hold the AppSignature, which is not needed to identify a notification")
	}
}

func TestNilLogger(t *testing.T) {
	// With Config.Logger nil, every path still works.
	next := &recorder{}
	h := middleware.New(baseConfig())(next)
	for _, b := range [][]byte{signedSample(t, nil), signed(t, sample(), "bad"), nil} {
		serve(h, post(b))
	}
	serve(h, httpGet())
	if next.runs.Load() != 1 {
		t.Fatalf("next ran %d times, want 1", next.runs.Load())
	}
}

func httpGet() *http.Request {
	r := post(nil)
	r.Method = http.MethodGet
	return r
}

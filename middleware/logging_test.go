package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

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
	cfg.SharedSignature = middleware.RefuseSharedSignature
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

// useDefaultLogger points slog.Default at a buffer for the test (and back
// after it): the middleware's default logging writes there.
func useDefaultLogger(t *testing.T) *syncBuffer {
	t.Helper()
	var buf syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDefaultLoggingRateLimited: without Config.Logger, refusals and
// handler failures reach slog.Default, one record per cause a minute with
// the count of those left out; accepted notifications are not logged. It
// runs on a synctest bubble's clock. Before, a nil Logger logged nothing,
// and a merchant's terminal was silent about refusals.
func TestDefaultLoggingRateLimited(t *testing.T) {
	logs := useDefaultLogger(t)
	synctest.Test(t, func(t *testing.T) {
		d := middleware.Dispatcher{OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
			if n.FeedBackID == "boom" {
				return errors.New("database down")
			}
			return nil
		}}
		h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}})(d)
		forged := signed(t, sample(), "a forged key")
		for range 3 {
			if w := serve(h, post(forged)); w.Code != 401 {
				t.Fatalf("status %d", w.Code)
			}
		}
		serve(h, post(stampedNow(t, nil)))                                                                        // accepted: not logged
		serve(h, post(stampedNow(t, func(n *payfeedback.Notification) { n.FeedBackID, n.OpenID = "boom", "u" }))) // failed
		out := logs.String()
		if n := strings.Count(out, "AppSignature does not match"); n != 1 {
			t.Fatalf("%d records of the bad signature within a minute, want 1:\n%s", n, out)
		}
		if strings.Contains(out, "notification accepted") {
			t.Fatalf("an accepted notification was logged by default:\n%s", out)
		}
		if !strings.Contains(out, "notification handler failed") || !strings.Contains(out, `error="database down"`) {
			t.Fatalf("the handler's failure or its cause is missing:\n%s", out)
		}
		time.Sleep(time.Minute) // the bubble's clock
		serve(h, post(forged))
		out = logs.String()
		if n := strings.Count(out, "AppSignature does not match"); n != 2 || !strings.Contains(out, "suppressed=2") {
			t.Fatalf("a minute later: %d records, want 2, the second counting 2 left out:\n%s", n, out)
		}
	})
}

// TestDefaultLoggingOptOut: a discarding logger silences the middleware.
func TestDefaultLoggingOptOut(t *testing.T) {
	logs := useDefaultLogger(t)
	h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}, Now: fixedNow,
		Logger: slog.New(slog.DiscardHandler)})(&recorder{})
	serve(h, post(signed(t, sample(), "a forged key")))
	if logs.String() != "" {
		t.Fatalf("logged with a discarding Config.Logger:\n%s", logs.String())
	}
}

// TestOneLoggerForMiddlewareAndDispatcher: with Config.Logger set and the
// Dispatcher's Logger left nil, the record of a failed handler carries the
// function's error, whether the Dispatcher is the next handler or sits
// behind another middleware. Before, the cause reached only a logger set
// on the Dispatcher itself.
func TestOneLoggerForMiddlewareAndDispatcher(t *testing.T) {
	d := middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error {
		return errors.New("database down")
	}}
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) })
	}
	for name, next := range map[string]http.Handler{"Dispatcher": d, "*Dispatcher": &d, "wrapped": wrap(d)} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := baseConfig()
			cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			h := middleware.New(cfg)(next)
			if w := serve(h, post(signedSample(t, nil))); w.Code != 500 {
				t.Fatalf("status %d", w.Code)
			}
			out := logs.String()
			if strings.Count(out, `"error":"database down"`) != 1 || !strings.Contains(out, "notification handler failed") {
				t.Fatalf("want one record of the failure with its cause:\n%s", out)
			}
		})
	}
}

package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

func TestDispatcher(t *testing.T) {
	wc := newWeChat(t)
	var got []string
	var logs bytes.Buffer
	d := &Dispatcher{
		Handlers: map[complaints.ActionType]HandlerFunc{
			complaints.ActionCreateComplaint: func(ctx context.Context, e *Event) error {
				got = append(got, "create "+e.ComplaintID)
				return nil
			},
			complaints.ActionUserApplyPlatformService: func(ctx context.Context, e *Event) error {
				got = append(got, "platform "+string(e.ActionType))
				return nil
			},
			complaints.ActionUserResponse: func(ctx context.Context, e *Event) error {
				return errors.New("database down")
			},
			complaints.ActionContinueComplaint: func(ctx context.Context, e *Event) error {
				return &Error{Status: http.StatusServiceUnavailable, Reason: "busy"}
			},
		},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}
	h := newMiddleware(t, d, nil)
	for _, tc := range []struct {
		action string
		status int
		reason string
	}{
		{"CREATE_COMPLAINT", 204, ""},
		{"USER_APPLY_PLATFORM_SERVICE", 204, ""},
		{"USER_APPLY_PLATFORM_SERIVCE", 204, ""},
		{"SOME_FUTURE_ACTION", 204, ""},
		{"USER_RESPONSE", 500, "event handler failed: WeChat will retry"},
		{"CONTINUE_COMPLAINT", 503, "busy"},
	} {
		rec := serve(h, wc.request(complaintCallback("EV-"+tc.action, tc.action)))
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.action, rec.Code, tc.status)
		}
		if tc.reason != "" {
			var f failure
			json.Unmarshal(rec.Body.Bytes(), &f)
			if f.Code != "FAIL" || f.Message != tc.reason {
				t.Errorf("%s: body %s", tc.action, rec.Body)
			}
		}
	}
	want := "create 200201820200101080076610000,platform USER_APPLY_PLATFORM_SERVICE,platform USER_APPLY_PLATFORM_SERIVCE"
	if strings.Join(got, ",") != want {
		t.Errorf("handled %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), "SOME_FUTURE_ACTION") || !strings.Contains(logs.String(), "database down") {
		t.Errorf("the unrouted type and the handler's error are not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), apiv3Key) {
		t.Error("the log holds the APIv3 key")
	}

	// A Default takes every unrouted type.
	var defaults []string
	d.Default = func(ctx context.Context, e *Event) error {
		defaults = append(defaults, string(e.ActionType))
		return nil
	}
	serve(h, wc.request(complaintCallback("EV-default", "REFUND_SUCCESS")))
	if len(defaults) != 1 || defaults[0] != "REFUND_SUCCESS" {
		t.Errorf("Default got %q", defaults)
	}

	// Mounted without the middleware: 500, never a panic.
	rec := serve(d, post([]byte(`{}`), http.Header{}))
	if rec.Code != 500 {
		t.Errorf("without the middleware: %d", rec.Code)
	}
}

func TestDefaultLogIsRateLimited(t *testing.T) {
	l := &limiter{every: time.Minute, last: map[string]time.Time{}}
	t0 := time.Unix(testNow, 0)
	for i, tc := range []struct {
		reason string
		at     time.Duration
		want   bool
	}{
		{"bad_signature", 0, true},
		{"bad_signature", 30 * time.Second, false},
		{"too_old", 30 * time.Second, true},
		{"bad_signature", 61 * time.Second, true},
		{"bad_signature", 62 * time.Second, false},
	} {
		if got := l.allow(tc.reason, t0.Add(tc.at)); got != tc.want {
			t.Errorf("step %d (%s at %v): %v, want %v", i, tc.reason, tc.at, got, tc.want)
		}
	}
}

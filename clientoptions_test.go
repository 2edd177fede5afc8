package payfeedback_test

import (
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestClientOptionsValidate: what an unset or badly read variable leaves
// is refused at start-up, by Validate and NewClient alike, without showing
// a secret.
func TestClientOptionsValidate(t *testing.T) {
	ok := payfeedback.ClientOptions{AppID: stubAppID, Secret: stubSecret, PaySignKey: stubKey}
	with := func(f func(*payfeedback.ClientOptions)) payfeedback.ClientOptions {
		o := ok
		f(&o)
		return o
	}
	tests := []struct {
		name    string
		opts    payfeedback.ClientOptions
		wantErr string
	}{
		{"valid", ok, ""},
		{"retry policy", with(func(o *payfeedback.ClientOptions) {
			o.Retry = payfeedback.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Second}
		}), ""},
		{"no PaySignKey (only DeliverNotify needs one)", with(func(o *payfeedback.ClientOptions) { o.PaySignKey = "" }), ""},
		{"unset variables", payfeedback.ClientOptions{}, "AppID is required"},
		{"blank secret", with(func(o *payfeedback.ClientOptions) { o.Secret = " \n" }), "Secret is required"},
		{"secret read with its newline", with(func(o *payfeedback.ClientOptions) { o.Secret = stubSecret + "\n" }), "Secret has white space"},
		{"key read with its newline", with(func(o *payfeedback.ClientOptions) { o.PaySignKey = stubKey + "\n" }), "PaySignKey has white space"},
		{"negative lease", with(func(o *payfeedback.ClientOptions) { o.LeaseTTL = -time.Second }), "must not be negative"},
		{"negative attempts", with(func(o *payfeedback.ClientOptions) { o.Retry.MaxAttempts = -1 }), "MaxAttempts is negative"},
		{"negative backoff", with(func(o *payfeedback.ClientOptions) { o.Retry.MaxBackoff = -1 }), "must not be negative"},
		{"backoff above its maximum", with(func(o *payfeedback.ClientOptions) {
			o.Retry = payfeedback.RetryPolicy{MaxAttempts: 2, InitialBackoff: time.Minute, MaxBackoff: time.Second}
		}), "above MaxBackoff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			_, nerr := payfeedback.NewClient(tt.opts)
			if tt.wantErr == "" {
				if err != nil || nerr != nil {
					t.Fatalf("Validate: %v; NewClient: %v", err, nerr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate: %v, want an error containing %q", err, tt.wantErr)
			}
			if nerr == nil || nerr.Error() != err.Error() {
				t.Fatalf("NewClient: %v, want Validate's error", nerr)
			}
			if strings.Contains(err.Error(), stubSecret) || strings.Contains(err.Error(), stubKey) {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

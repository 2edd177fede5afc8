package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// threeSamples are the samples of docs/protocol.md's vectors for one user
// (oDF3iY9P32sK…) at one TimeStamp: a request, a confirm and a reject. They
// share one AppSignature, as every notification of that user in that
// second does.
func threeSamples(t *testing.T) [][]byte {
	t.Helper()
	var bodies [][]byte
	for _, name := range []string{"request_no_pictures.xml", "confirm_plain.xml", "reject_plain.xml"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "notifications", name))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	if a, b, c := sigOf(t, bodies[0]), sigOf(t, bodies[1]), sigOf(t, bodies[2]); a != b || b != c {
		t.Fatalf("the samples do not share a signature: %s %s %s", a, b, c)
	}
	return bodies
}

// TestThreeSamplesOfOneUser: the request, confirm and reject of one user
// in one second, under each policy. Accepting (the default) handles all
// three and reports the last two; refusing answers them 409, as the
// middleware did for every configuration before the policy existed.
func TestThreeSamplesOfOneUser(t *testing.T) {
	tests := []struct {
		policy     middleware.SharedSignaturePolicy
		want       []int
		wantRuns   int32
		wantShared []bool // per handled notification, as the handler saw it
	}{
		{middleware.AcceptSharedSignature, []int{200, 200, 200}, 3, []bool{false, true, true}},
		{middleware.RefuseSharedSignature, []int{200, 409, 409}, 1, []bool{false}},
	}
	for _, tc := range tests {
		t.Run(tc.policy.String(), func(t *testing.T) {
			var obs observations
			var shared []bool
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				shared = append(shared, middleware.SharedSignature(r.Context()))
			})
			cfg := baseConfig()
			cfg.SharedSignature, cfg.Metrics = tc.policy, &obs
			h := middleware.New(cfg)(next)
			bodies := threeSamples(t)
			for i, body := range bodies {
				if w := serve(h, post(body)); w.Code != tc.want[i] {
					t.Fatalf("sample %d: status %d, want %d (%q)", i, w.Code, tc.want[i], w.Body.String())
				}
			}
			if len(shared) != int(tc.wantRuns) || !equalBools(shared, tc.wantShared) {
				t.Fatalf("handler ran %d times seeing SharedSignature %v, want %v", len(shared), shared, tc.wantShared)
			}
			// Re-deliveries of each are acknowledged, never handled again.
			for i, body := range bodies {
				if w := serve(h, post(body)); w.Code != tc.want[i] {
					t.Fatalf("re-delivery of sample %d: status %d, want %d", i, w.Code, tc.want[i])
				}
			}
			if len(shared) != int(tc.wantRuns) {
				t.Fatalf("re-deliveries ran the handler: %d runs, want %d", len(shared), tc.wantRuns)
			}
			all := obs.take()
			for i, o := range all[:3] {
				if wantShared := tc.policy == middleware.AcceptSharedSignature && i > 0; o.SharedSignature != wantShared {
					t.Errorf("observation %d: SharedSignature %v, want %v", i, o.SharedSignature, wantShared)
				}
				if tc.policy == middleware.RefuseSharedSignature && i > 0 && o.Reason() != "signature_reused" {
					t.Errorf("observation %d: reason %q, want signature_reused", i, o.Reason())
				}
			}
		})
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSharedSignatureAccepted: under the default policy a copy with other
// unsigned fields is handled once, reported in the log, and its own
// re-deliveries are recognised; so are the first copy's.
func TestSharedSignatureAccepted(t *testing.T) {
	original := signedSample(t, nil)
	sig := sigOf(t, original)
	other := func(edit func(n *payfeedback.Notification)) []byte {
		n := sample()
		edit(n)
		n.AppSignature, n.SignMethod = sig, payfeedback.SignMethodSHA1
		b, err := n.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	confirm := other(func(n *payfeedback.Notification) { n.MsgType = payfeedback.MsgConfirm })
	otherID := other(func(n *payfeedback.Notification) { n.FeedBackID = "1" })
	tests := []struct {
		name     string
		bodies   [][]byte
		statuses []int // the handler's answers, 0: 200
		want     []int
		wantRuns int32
	}{
		{"second copy handled, re-deliveries of both acknowledged",
			[][]byte{original, confirm, confirm, original}, nil, []int{200, 200, 200, 200}, 2},
		{"three notifications, one signature", [][]byte{original, confirm, otherID, otherID}, nil, []int{200, 200, 200, 200}, 3},
		{"the other copy first", [][]byte{otherID, original, original}, nil, []int{200, 200, 200}, 2},
		{"first failed: the other is handled, the first runs again",
			[][]byte{original, otherID, original, original}, []int{500, 0, 0, 0}, []int{500, 200, 200, 200}, 3},
		{"second failed: it runs again on its re-delivery",
			[][]byte{original, otherID, otherID, otherID}, []int{0, 503, 0, 0}, []int{200, 503, 200, 200}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := baseConfig()
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			next := &recorder{}
			h := middleware.New(cfg)(next)
			for i, body := range tc.bodies {
				status := 0
				if tc.statuses != nil {
					status = tc.statuses[i]
				}
				next.status.Store(int32(status))
				if w := serve(h, post(body)); w.Code != tc.want[i] {
					t.Fatalf("send %d: status %d, want %d (%q)", i, w.Code, tc.want[i], w.Body.String())
				}
			}
			if got := next.runs.Load(); got != tc.wantRuns {
				t.Fatalf("handler ran %d times, want %d", got, tc.wantRuns)
			}
			if !strings.Contains(logs.String(), "AppSignature already used by a notification with other unsigned fields") {
				t.Fatalf("no warning about the shared signature:\n%s", logs.String())
			}
		})
	}
}

// TestVerifierSharedSignature: Verifier.Claim reports the shared signature
// under the default policy, and refuses it with 409 under the other.
func TestVerifierSharedSignature(t *testing.T) {
	bodies := threeSamples(t)
	ctx := context.Background()
	for _, policy := range []middleware.SharedSignaturePolicy{middleware.AcceptSharedSignature, middleware.RefuseSharedSignature} {
		t.Run(policy.String(), func(t *testing.T) {
			cfg := baseConfig()
			cfg.SharedSignature = policy
			v, err := middleware.NewVerifier(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, body := range bodies {
				n, err := v.Verify(ctx, body)
				if err != nil {
					t.Fatalf("sample %d: Verify: %v", i, err)
				}
				c, err := v.Claim(ctx, n)
				if i > 0 && policy == middleware.RefuseSharedSignature {
					var e *middleware.Error
					if !errors.As(err, &e) || e.Status != 409 || !errors.Is(err, middleware.ErrSignatureReused) {
						t.Fatalf("sample %d: Claim = %v, want a 409 ErrSignatureReused", i, err)
					}
					continue
				}
				if err != nil || c.Duplicate() || c.SharedSignature() != (i > 0) {
					t.Fatalf("sample %d: Claim = duplicate %v, shared %v, %v; want new, shared %v", i, c.Duplicate(), c.SharedSignature(), err, i > 0)
				}
				if err := c.Complete(ctx); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

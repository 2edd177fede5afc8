package middleware_test

import (
	"net/http"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestForgedCopyAfterFailure is the attack a handler failure used to open:
// whoever saw a notification and its 5xx answer resends its AppSignature
// (same OpenId and TimeStamp) with another FeedBackId and MsgType confirm.
// Under RefuseSharedSignature the forged copy is refused; under the default
// it is handled, flagged as a shared signature for the handler to check
// against its records. Under both, WeChat's genuine re-delivery still runs
// the handler, and the genuine notification is never flagged.
func TestForgedCopyAfterFailure(t *testing.T) {
	genuine := sample()
	genuineBody := signed(t, genuine, testKey)
	forged := sample()
	forged.FeedBackID, forged.MsgType = "999", payfeedback.MsgConfirm
	forged.TransID, forged.Solution, forged.ExtInfo, forged.PicURLs = "", "", "", nil
	forged.AppSignature, forged.SignMethod = genuine.AppSignature, genuine.SignMethod
	forgedBody, err := forged.Encode()
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		name       string
		body       []byte
		status     int // the handler's answer, 0: 200
		want       int
		wantRuns   int32
		wantShared bool // what the handler saw, when it ran
	}
	tests := []struct {
		policy middleware.SharedSignaturePolicy
		steps  []step
	}{
		{middleware.RefuseSharedSignature, []step{
			{"genuine (handler fails)", genuineBody, 500, 500, 1, false},
			{"forged copy", forgedBody, 0, 409, 1, false},
			{"genuine re-delivery", genuineBody, 0, 200, 2, false},
			{"forged copy again", forgedBody, 0, 409, 2, false},
		}},
		{middleware.AcceptSharedSignature, []step{
			{"genuine (handler fails)", genuineBody, 500, 500, 1, false},
			{"forged copy, flagged", forgedBody, 0, 200, 2, true},
			{"genuine re-delivery", genuineBody, 0, 200, 3, false},
			{"forged copy again: acknowledged", forgedBody, 0, 200, 3, true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.policy.String(), func(t *testing.T) {
			var shared []bool
			next := &recorder{}
			flags := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				shared = append(shared, middleware.SharedSignature(r.Context()))
				next.ServeHTTP(w, r)
			})
			cfg := baseConfig()
			cfg.SharedSignature = tc.policy
			h := middleware.New(cfg)(flags)
			for _, s := range tc.steps {
				before := next.runs.Load()
				next.status.Store(int32(s.status))
				w := serve(h, post(s.body))
				if w.Code != s.want || next.runs.Load() != s.wantRuns {
					t.Fatalf("%s: status %d, handler runs %d; want %d and %d", s.name, w.Code, next.runs.Load(), s.want, s.wantRuns)
				}
				if next.runs.Load() > before && shared[len(shared)-1] != s.wantShared {
					t.Fatalf("%s: the handler saw SharedSignature %v, want %v", s.name, shared[len(shared)-1], s.wantShared)
				}
				if s.name == "genuine re-delivery" && next.last().FeedBackID != genuine.FeedBackID {
					t.Fatalf("%s: the handler saw FeedBackId %s, want the genuine %s", s.name, next.last().FeedBackID, genuine.FeedBackID)
				}
			}
		})
	}
}

package middleware_test

import (
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestForgedCopyAfterFailure is the attack a handler failure used to open:
// whoever saw a notification and its 5xx answer resends its AppSignature
// (same OpenId and TimeStamp) with another FeedBackId and MsgType confirm.
// The forged copy must be refused, and WeChat's genuine re-delivery must
// still run the handler.
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

	next := &recorder{}
	h := middleware.New(baseConfig())(next)
	steps := []struct {
		name     string
		body     []byte
		status   int // the handler's answer, 0: 200
		want     int
		wantRuns int32
	}{
		{"genuine (handler fails)", genuineBody, 500, 500, 1},
		{"forged copy", forgedBody, 0, 409, 1},
		{"genuine re-delivery", genuineBody, 0, 200, 2},
		{"forged copy again", forgedBody, 0, 409, 2},
	}
	for _, s := range steps {
		next.status.Store(int32(s.status))
		w := serve(h, post(s.body))
		if w.Code != s.want || next.runs.Load() != s.wantRuns {
			t.Fatalf("%s: status %d, handler runs %d; want %d and %d", s.name, w.Code, next.runs.Load(), s.want, s.wantRuns)
		}
		if s.wantRuns == 2 && s.want == 200 && next.last().FeedBackID != genuine.FeedBackID {
			t.Fatalf("%s: the handler saw FeedBackId %s, want the genuine %s", s.name, next.last().FeedBackID, genuine.FeedBackID)
		}
	}
}

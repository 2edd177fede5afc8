package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTokenAnswer: the answer carries the token whole, the logged copy
// only its last six characters.
func TestTokenAnswer(t *testing.T) {
	tok := strings.Repeat("A", 58) + "tail42"
	for _, ttl := range []int64{7200, 0, 1 << 62} {
		answer, logged := tokenAnswer(tok, ttl)
		var a, l struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int64  `json:"expires_in"`
		}
		if err := json.Unmarshal(answer, &a); err != nil || a.AccessToken != tok || a.ExpiresIn != ttl {
			t.Errorf("ttl %d: answer %s (%v), want the token and the ttl", ttl, answer, err)
		}
		if err := json.Unmarshal(logged, &l); err != nil || l.AccessToken != "***tail42" || l.ExpiresIn != ttl {
			t.Errorf("ttl %d: logged %s (%v), want ***tail42 and the ttl", ttl, logged, err)
		}
		if strings.Contains(string(logged), tok[:16]) {
			t.Errorf("ttl %d: logged %s holds the token", ttl, logged)
		}
		if cap(answer) != len(answer) { // so that appending to it cannot write over the logged copy
			t.Errorf("ttl %d: the answer's capacity %d runs past its %d bytes into the logged copy", ttl, cap(answer), len(answer))
		}
	}
}

// TestTokenAnswerAllocs: the answer and its logged copy take one
// allocation (named for CI's allocation step, which runs it without -race).
func TestTokenAnswerAllocs(t *testing.T) {
	tok := strings.Repeat("A", 58) + "tail42"
	if n := testing.AllocsPerRun(100, func() { tokenAnswer(tok, 7200) }); n != 1 {
		t.Errorf("tokenAnswer: %v allocations, want 1", n)
	}
}

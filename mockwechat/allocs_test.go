package mockwechat

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/race"
)

// TestHandlerAllocs bounds the allocations of a call to each endpoint the
// load script measures, the request made outside the count: what the fake
// allocates, its call log's copy included. A call's state stays on the
// stack (the endpoints are dispatched by a switch, not a function value);
// a token call makes three (the value, one buffer for the answer and its
// masked log copy, the world's Token). The count is the process's, so
// update and send also count what their effects cost the fake's other
// goroutines: their bounds are today's counts, which work finishing
// outside the measured calls can only lower.
func TestHandlerAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("allocation counts differ under -race; CI's run without -race checks them")
	}
	s, err := New(Options{Clock: NewVirtualClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.FileComplaint(t.Context(), ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Token("")
	demo := DemoAccount()
	send := []byte(`{"touser":"o1","msgtype":"text","text":{"content":"Hello from the merchant"}}`)
	for _, tt := range []struct {
		name   string
		method string
		target string
		body   []byte
		max    float64
	}{
		{"token", "GET", payfeedback.PathToken + "?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret, nil, 3},
		{"update", "GET", payfeedback.PathUpdateFeedback + "?" + url.Values{"access_token": {tok}, "openid": {"o1"}, "feedbackid": {c.FeedBackID}}.Encode(), nil, 5},
		{"send", "POST", payfeedback.PathSendMessage + "?access_token=" + tok, send, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &discardWriter{h: http.Header{}}
			reqs := make([]*http.Request, 0, 101)
			for range 101 {
				r := httptest.NewRequest(tt.method, tt.target, bytes.NewReader(tt.body))
				r.Host = "127.0.0.1:8080"
				reqs = append(reqs, r)
			}
			i := 0
			got := testing.AllocsPerRun(100, func() {
				clear(w.h)
				s.ServeHTTP(w, reqs[i])
				i++
			})
			if w.code != http.StatusOK {
				t.Fatalf("status %d", w.code)
			}
			if got > tt.max {
				t.Errorf("%s: %v allocations a call, want at most %v", tt.name, got, tt.max)
			}
		})
	}
}

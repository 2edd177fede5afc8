package mockwechat

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// t0 is the virtual start of most tests.
var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func newVirtual(t *testing.T, opts Options) (*Server, *VirtualClock) {
	t.Helper()
	clk := NewVirtualClock(t0)
	opts.Clock = clk
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s, clk
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiAnswer is a decoded API answer.
type apiAnswer struct {
	ErrCode     payfeedback.ErrorCode `json:"errcode"`
	ErrMsg      string                `json:"errmsg"`
	AccessToken string                `json:"access_token"`
	ExpiresIn   int                   `json:"expires_in"`
	MediaID     string                `json:"media_id"`
	Type        string                `json:"type"`
	CreatedAt   int64                 `json:"created_at"`
	status      int
	raw         string
}

func do(t *testing.T, s *Server, method, path string, q url.Values, body string) apiAnswer {
	t.Helper()
	u := s.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var a apiAnswer
	if len(b) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("%s %s: answer %q is not JSON: %v", method, path, b, err)
		}
	}
	a.status = resp.StatusCode
	a.raw = string(b)
	return a
}

func getToken(t *testing.T, s *Server, acc Account) string {
	t.Helper()
	a := do(t, s, "GET", payfeedback.PathToken, url.Values{"grant_type": {"client_credential"}, "appid": {acc.AppID}, "secret": {acc.Secret}}, "")
	if a.ErrCode != 0 || a.AccessToken == "" {
		t.Fatalf("token: %+v", a)
	}
	return a.AccessToken
}

// receiver is a merchant endpoint for tests: it verifies every
// notification with the key and answers what answer says.
type receiver struct {
	*httptest.Server
	key string

	mu      sync.Mutex
	got     []*payfeedback.Notification
	bad     int // refused: unparsable or bad signature
	answers []int
	onOK    func(n *payfeedback.Notification)
}

func newReceiver(t *testing.T, key string) *receiver {
	rc := &receiver{key: key}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		n, err := payfeedback.ParseNotification(b)
		if err == nil {
			err = n.Verify(rc.key)
		}
		rc.mu.Lock()
		if err != nil {
			rc.bad++
			rc.mu.Unlock()
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		status := http.StatusOK
		if len(rc.answers) > 0 {
			status = rc.answers[0]
			rc.answers = rc.answers[1:]
		}
		if status == http.StatusOK {
			rc.got = append(rc.got, n)
		}
		cb := rc.onOK
		rc.mu.Unlock()
		if status == http.StatusOK && cb != nil {
			cb(n)
		}
		w.WriteHeader(status)
		io.WriteString(w, "success")
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) notifications() []*payfeedback.Notification {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*payfeedback.Notification(nil), rc.got...)
}

func (rc *receiver) refused() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bad
}

// answerNext makes the receiver answer these statuses to the next
// verified notifications (200 afterwards).
func (rc *receiver) answerNext(statuses ...int) {
	rc.mu.Lock()
	rc.answers = append(rc.answers, statuses...)
	rc.mu.Unlock()
}

func newHandlerServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func okHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "success") }
}

// eventually polls cond until it holds, and fails the test when it does
// not within 10 s: for what sends no event to wait on (a connection the
// server accepted, a line another goroutine logs). It never sleeps a fixed
// time: it stops as soon as cond holds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("%s: not within 10 s", what)
		case <-tick.C:
		}
	}
}

// openConns counts the server's open connections in a state ("new",
// "idle", "active").
func openConns(s *Server, state string) int {
	n := 0
	for _, c := range s.life.open() {
		if strings.HasSuffix(c, "("+state+")") {
			n++
		}
	}
	return n
}

package middleware_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// Facts of the test vectors (testdata/vectors in the root package).
const (
	testAppID  = "wxf8b4f85f3a794e77"
	testKey    = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"
	otherAppID = "wx0123456789abcdef"
	otherKey   = "k"
	testUnix   = 1764201600 // 2025-11-27T00:00:00Z
	testPath   = "/wechat/payfeedback"
)

// fixedNow is the clock of the tests where time does not pass: the
// moment the test vectors were signed. Tests where it passes run in a
// testing/synctest bubble on its fake clock instead (see stampedNow).
func fixedNow() time.Time { return time.Unix(testUnix, 0) }

// stampedNow returns the sample, changed by edit, with the TimeStamp of
// time.Now (in a synctest bubble, the bubble's clock), signed with testKey.
func stampedNow(t testing.TB, edit func(n *payfeedback.Notification)) []byte {
	t.Helper()
	return signedSample(t, func(n *payfeedback.Notification) {
		n.TimeStamp = itoa(time.Now().Unix())
		if edit != nil {
			edit(n)
		}
	})
}

// sample returns a request notification like the one in docs/protocol.md,
// not yet signed.
func sample() *payfeedback.Notification {
	return &payfeedback.Notification{
		AppID:      testAppID,
		TimeStamp:  "1764201600",
		OpenID:     "oDF3iY9P32sK_5GgYiRkjsCo45bk",
		MsgType:    payfeedback.MsgRequest,
		FeedBackID: "13275936403980775178",
		TransID:    "1219419901201309253115768232",
		Reason:     "商品质量有问题",
		Solution:   "补发货给我",
		ExtInfo:    "明天六点前联系我 18610847266",
		PicURLs:    []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"},
	}
}

// signed signs n with key and encodes it.
func signed(t testing.TB, n *payfeedback.Notification, key string) []byte {
	t.Helper()
	if err := n.Sign(key); err != nil {
		t.Fatal(err)
	}
	b, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signedSample returns the sample, changed by edit, signed with testKey.
func signedSample(t testing.TB, edit func(n *payfeedback.Notification)) []byte {
	t.Helper()
	n := sample()
	if edit != nil {
		edit(n)
	}
	return signed(t, n, testKey)
}

func post(body []byte) *http.Request {
	return httptest.NewRequest(http.MethodPost, testPath, bytes.NewReader(body))
}

// recorder is the next handler: it counts runs, keeps the notification it
// saw and answers status (200 when 0) after waiting on gate, if set.
type recorder struct {
	runs   atomic.Int32
	mu     sync.Mutex
	seen   []*payfeedback.Notification
	status atomic.Int32
	gate   chan struct{} // when set, each run waits for a value
	inside chan struct{} // when set, each run signals it started
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.runs.Add(1)
	rec.mu.Lock()
	rec.seen = append(rec.seen, middleware.FromContext(r.Context()))
	rec.mu.Unlock()
	if rec.inside != nil {
		rec.inside <- struct{}{}
	}
	if rec.gate != nil {
		<-rec.gate
	}
	if s := rec.status.Load(); s != 0 {
		w.WriteHeader(int(s))
		return
	}
	_, _ = io.WriteString(w, "success")
}

func (rec *recorder) last() *payfeedback.Notification {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.seen) == 0 {
		return nil
	}
	return rec.seen[len(rec.seen)-1]
}

// baseConfig is a config with both test accounts and a fixed clock.
func baseConfig() middleware.Config {
	return middleware.Config{
		Keys: middleware.StaticKeys{testAppID: testKey, otherAppID: otherKey},
		Now:  fixedNow,
	}
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

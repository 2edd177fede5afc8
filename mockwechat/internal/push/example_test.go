package push_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
)

// host pushes every account's notifications to one URL.
type host struct{ url string }

func (h host) Target(string) (string, string)                      { return h.url, "key" }
func (h host) TimeStamp(string, string) int64                      { return 1740823200 }
func (h host) Fault(string, payfeedback.MsgType) (push.Plan, bool) { return push.Plan{}, false }

// The engine signs, posts, and retries on the fake's clock until a 2xx.
func ExampleEngine() {
	answers := []int{503, 200}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(answers[0])
		answers = answers[1:]
	}))
	defer rcv.Close()
	clk := clock.NewVirtual(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	e := push.New(push.Options{Host: host{rcv.URL}, Sched: clk.Scheduler(), Retry: []time.Duration{15 * time.Second},
		Timeout: time.Second, Concurrency: 1, LogSize: 10, LogBytes: 1 << 20})
	e.Send(payfeedback.Notification{AppID: "wx1", OpenID: "o1", MsgType: payfeedback.MsgRequest, FeedBackID: "1", TransID: "2"})
	e.WaitIdle()
	clk.Advance(15 * time.Second)
	e.WaitIdle()
	for _, a := range e.Deliveries()[0].Attempts {
		fmt.Println(a.Time.Format("15:04:05"), a.Status, a.OK)
	}
	// Output:
	// 10:00:00 503 false
	// 10:00:15 200 true
}

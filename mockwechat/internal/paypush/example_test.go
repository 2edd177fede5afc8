package paypush_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// host sends every merchant's callbacks to one URL, with no fault.
type host struct{ url, apiv3Key string }

func (h host) Target(string) (string, string)                           { return h.url, h.apiv3Key }
func (h host) Fault(string, complaints.ActionType) (paypush.Plan, bool) { return paypush.Plan{}, false }

// The engine encrypts and signs a callback, the merchant verifies and
// opens it, and a refused attempt is retried 5 s later on the fake's
// clock, under the same notification id.
func Example() {
	clk := clock.NewVirtual(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	id, err := paykeys.Open(paykeys.Options{Now: clk.Now})
	if err != nil {
		panic(err)
	}
	signing, _ := paykeys.NewSigning(paykeys.SigningOptions{Identity: id, Mode: paykeys.ModePublicKey})
	verifier, _ := id.Verifier(paykeys.ModePublicKey, clk.Now) // what the merchant configures
	opener, _ := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: verifier, APIv3Key: id.Merchant().APIv3Key})

	answers := []int{http.StatusServiceUnavailable, http.StatusNoContent}
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c, err := opener.OpenRequest(r, body)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Println("merchant:", c.EventType, string(c.Plaintext))
		w.WriteHeader(answers[0])
		answers = answers[1:]
	}))
	defer merchant.Close()

	e, err := paypush.New(paypush.Options{Host: host{merchant.URL, id.Merchant().APIv3Key}, Sched: clk.Scheduler(),
		Signing: signing, Now: clk.Now, Seed: 1})
	if err != nil {
		panic(err)
	}
	defer e.Stop()
	clk.Attach(clock.Hooks{Settle: e.WaitIdle}) // an Advance waits for the attempts it fires

	nid := e.Send(payworld.Callback{MchID: id.Merchant().MchID, ComplaintID: "200202503010000000000000001",
		EventType: complaints.EventCreate, ActionType: complaints.ActionCreateComplaint})
	e.WaitIdle()
	clk.Advance(5 * time.Second)

	d, _ := e.Delivery(nid)
	fmt.Println(len(d.ID), d.Delivered)
	for _, a := range d.Attempts {
		fmt.Println(a.Time.Format("15:04:05"), a.Status, a.Verdict)
	}
	// Output:
	// merchant: COMPLAINT.CREATE {"complaint_id":"200202503010000000000000001","action_type":"CREATE_COMPLAINT"}
	// merchant: COMPLAINT.CREATE {"complaint_id":"200202503010000000000000001","action_type":"CREATE_COMPLAINT"}
	// 36 true
	// 10:00:00 503 refused
	// 10:00:05 204 acknowledged
}

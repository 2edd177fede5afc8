package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

// apiMistakes are the ways a Complaints 2.0 merchant goes wrong with
// WeChat's API; the zero value makes none.
type apiMistakes struct {
	noDetail     bool          // acts on the callback's id without fetching the complaint
	invalidReply bool          // its first reply to each complaint has an empty response_content
	sameID       bool          // one idempotent_id for every immediate-service reply
	newIDOnRetry bool          // retries a failed immediate-service reply under a new idempotent_id
	ignoreLimits bool          // lists the complaints 210 times in a burst
	completeLate time.Duration // completes (and decides refunds) this long after replying, on the fake's clock
	firstPage    bool          // reads only the first page of a history, 1 entry

	// calls, when not nil, counts the API requests sent (benchmarks).
	calls *atomic.Int64
}

// countingTransport counts the requests it sends.
type countingTransport struct{ n *atomic.Int64 }

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// apiMerchant is a Complaints 2.0 merchant wired to the suite's embedded
// fake (Options.Merchant): middleware/callback in front of handlers that
// call the fake with complaints.Client. Sound, it fetches the detail on
// CREATE_COMPLAINT, decides a REFUND complaint's refund (APPROVE), replies
// to the others (immediately when they need immediate service) and
// completes them, reads the whole history on USER_RESPONSE, 2 entries a
// page, and refreshes the detail on every other callback.
func apiMerchant(m apiMistakes) func(conformance.APIEnv) http.Handler {
	return func(env conformance.APIEnv) http.Handler {
		k := payKeys()
		signer, err := k.Merchant.Signer(nil)
		if err != nil {
			panic(err)
		}
		verifier := payVerifier(k, time.Now)
		retry := &apiv3.RetryPolicy{Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
		if m.newIDOnRetry {
			retry = nil
		}
		o := apiv3.ClientOptions{BaseURL: env.BaseURL, MchID: k.Merchant.MchID, Signer: signer, Verifier: verifier, Retry: retry}
		if m.calls != nil {
			o.HTTPClient = &http.Client{Transport: countingTransport{m.calls}}
		}
		client, err := complaints.NewClient(complaints.ClientOptions{API: o})
		if err != nil {
			panic(err)
		}
		opener, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: verifier, APIv3Key: k.Merchant.APIv3Key})
		if err != nil {
			panic(err)
		}
		w := &apiWorker{m: m, env: env, c: client, mchid: k.Merchant.MchID}
		quiet := slog.New(slog.DiscardHandler)
		d := &callback.Dispatcher{
			Handlers: map[complaints.ActionType]callback.HandlerFunc{
				complaints.ActionCreateComplaint: w.onNew,
				complaints.ActionUserResponse:    w.onMessage,
			},
			Default: w.onChange,
			Logger:  quiet,
		}
		return callback.New(callback.Config{Opener: opener, Logger: quiet})(d)
	}
}

type apiWorker struct {
	m     apiMistakes
	env   conformance.APIEnv
	c     *complaints.Client
	mchid string

	hammered sync.Once
}

// sameIdempotentID is the sameID mistake's one id.
const sameIdempotentID = "9b1d7a5e-0000-4000-8000-000000000001"

func (w *apiWorker) onNew(ctx context.Context, e *callback.Event) error {
	id := e.ComplaintID
	c := complaints.Complaint{ComplaintID: id, ComplaintState: complaints.StatePending}
	if !w.m.noDetail {
		var err error
		if c, err = w.c.Detail(ctx, id); err != nil {
			return err
		}
	}
	if c.ComplaintState == complaints.StateProcessed {
		return nil
	}
	if c.ProblemType == complaints.ProblemRefund {
		day := 0
		return w.later(func(ctx context.Context) error {
			return w.c.UpdateRefundProgress(ctx, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove, LaunchRefundDay: &day})
		})
	}
	if err := w.reply(ctx, id, c.NeedImmediateService); err != nil {
		return err
	}
	return w.later(func(ctx context.Context) error {
		return w.c.Complete(ctx, id, complaints.CompleteRequest{ComplaintedMchID: w.mchid})
	})
}

// later runs f now, or completeLate from now on the fake's clock.
func (w *apiWorker) later(f func(context.Context) error) error {
	if w.m.completeLate == 0 {
		return f(context.Background())
	}
	w.env.AfterFunc(w.m.completeLate, func() { _ = f(context.Background()) })
	return nil
}

func (w *apiWorker) reply(ctx context.Context, id string, immediate bool) error {
	if w.m.invalidReply {
		// An empty response_content, sent past the client's checks.
		_, _ = w.c.API().Do(ctx, apiv3.Request{Method: http.MethodPost, Target: complaints.PathResponse(id),
			Body: fmt.Appendf(nil, `{"complainted_mchid":%q,"response_content":""}`, w.mchid)})
	}
	if !immediate {
		return w.c.Respond(ctx, id, complaints.ResponseRequest{ComplaintedMchID: w.mchid, ResponseContent: "您好，我们已收到您的投诉，马上处理。"})
	}
	r := complaints.ImmediateServiceRequest{ComplaintedMchID: w.mchid, IdempotentID: complaints.NewIdempotentID(),
		Message: complaints.NormalMessage{Blocks: []complaints.Block{{Type: complaints.BlockText, Text: &complaints.TextBlock{Text: "您好，客服已在处理，请稍候。"}}}}}
	if w.m.sameID {
		r.IdempotentID = sameIdempotentID
	}
	for attempt := 1; ; attempt++ {
		_, err := w.c.RespondImmediately(ctx, id, r)
		var ae *apiv3.Error
		if err == nil || !w.m.newIDOnRetry || attempt == 3 || !errors.As(err, &ae) || !ae.Retryable() {
			return err
		}
		r.IdempotentID = complaints.NewIdempotentID()
	}
}

func (w *apiWorker) onMessage(ctx context.Context, e *callback.Event) error {
	if _, err := w.c.Detail(ctx, e.ComplaintID); err != nil {
		return err
	}
	if w.m.firstPage {
		_, err := w.c.History(ctx, e.ComplaintID, complaints.HistoryRequest{Limit: 1})
		return err
	}
	for _, err := range w.c.HistoryAll(ctx, e.ComplaintID, 2) {
		if err != nil {
			return err
		}
	}
	if w.m.ignoreLimits {
		// It syncs the complaint list, every page of the week, in a burst,
		// until WeChat refuses it: a fixed number of calls would be over
		// the limit or not depending on how fast they go (the bucket
		// refills by one call every 300 ms of the fake's clock), which a
		// loaded machine decides.
		today := complaints.DateOf(w.env.Now())
		w.hammered.Do(func() {
			for range 2000 {
				_, err := w.c.List(ctx, complaints.ListRequest{BeginDate: today.AddDays(-6), EndDate: today, Limit: 1})
				if ae, ok := errors.AsType[*apiv3.Error](err); ok && ae.Code == apiv3.CodeFrequencyLimited || ctx.Err() != nil {
					return
				}
			}
		})
	}
	return nil
}

func (w *apiWorker) onChange(ctx context.Context, e *callback.Event) error {
	_, err := w.c.Detail(ctx, e.ComplaintID)
	return err
}

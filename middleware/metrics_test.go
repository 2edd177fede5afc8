package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// observations collects what Metrics receives.
type observations struct {
	mu  sync.Mutex
	all []middleware.Observation
}

func (o *observations) Observe(obs middleware.Observation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, obs)
}

func (o *observations) take() []middleware.Observation {
	o.mu.Lock()
	defer o.mu.Unlock()
	all := o.all
	o.all = nil
	return all
}

// TestMetrics drives each outcome and checks the observation: outcome,
// status, reason, AppId, MsgType and latency. It runs in a synctest bubble,
// where the handler's 3 ms of sleep are exactly the latency observed.
func TestMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var obs observations
		d := middleware.Dispatcher{
			OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
				time.Sleep(3 * time.Millisecond)
				if n.FeedBackID == "fail" {
					return errors.New("database down")
				}
				if n.FeedBackID == "panic" {
					panic(http.ErrAbortHandler)
				}
				return nil
			},
			OnConfirm: func(context.Context, *payfeedback.Notification) error { return nil },
		}
		h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}, Metrics: &obs,
			SharedSignature: middleware.RefuseSharedSignature})(d)
		valid := stampedNow(t, nil)
		type want struct {
			outcome middleware.Outcome
			status  int
			reason  string
			msgType payfeedback.MsgType
			latency time.Duration
		}
		steps := []struct {
			name string
			req  *http.Request
			want want
		}{
			{"accepted", post(valid), want{middleware.OutcomeAccepted, 200, "", payfeedback.MsgRequest, 3 * time.Millisecond}},
			{"duplicate", post(valid), want{middleware.OutcomeDuplicate, 200, "", payfeedback.MsgRequest, 0}},
			{"signature reused", post([]byte(strings.Replace(string(valid), "补发货给我", "退款", 1))),
				want{middleware.OutcomeRefused, 409, "signature_reused", payfeedback.MsgRequest, 0}},
			{"bad signature", post(signed(t, sample(), "wrong")), want{middleware.OutcomeRefused, 401, "bad_signature", payfeedback.MsgRequest, 0}},
			{"too old", post(signedAt(t, 1)), want{middleware.OutcomeRefused, 401, "too_old", payfeedback.MsgRequest, 0}},
			{"malformed", post([]byte("<xml>")), want{middleware.OutcomeRefused, 400, "malformed", "", 0}},
			{"GET", httpGet(), want{middleware.OutcomeRefused, 405, "method_not_allowed", "", 0}},
			{"handler error", post(stampedNow(t, func(n *payfeedback.Notification) { n.FeedBackID, n.OpenID = "fail", "u1" })),
				want{middleware.OutcomeHandlerError, 500, "", payfeedback.MsgRequest, 3 * time.Millisecond}},
			{"confirm", post(stampedNow(t, func(n *payfeedback.Notification) { n.MsgType, n.OpenID = payfeedback.MsgConfirm, "u2" })),
				want{middleware.OutcomeAccepted, 200, "", payfeedback.MsgConfirm, 0}},
		}
		for _, s := range steps {
			serve(h, s.req)
			got := obs.take()
			if len(got) != 1 {
				t.Fatalf("%s: %d observations, want 1: %+v", s.name, len(got), got)
			}
			o := got[0]
			w := s.want
			if o.Outcome != w.outcome || o.Status != w.status || o.Reason() != w.reason || o.MsgType != w.msgType || o.Latency != w.latency {
				t.Errorf("%s: got %v %d %q %q %v, want %v %d %q %q %v", s.name,
					o.Outcome, o.Status, o.Reason(), o.MsgType, o.Latency, w.outcome, w.status, w.reason, w.msgType, w.latency)
			}
			if w.msgType != "" && o.AppID != testAppID {
				t.Errorf("%s: AppID %q, want %q", s.name, o.AppID, testAppID)
			}
			if (w.outcome == middleware.OutcomeRefused) != (o.Err != nil) {
				t.Errorf("%s: Err = %v", s.name, o.Err)
			}
		}
		// A panicking handler is observed as a handler error too.
		func() {
			defer func() { _ = recover() }()
			serve(h, post(stampedNow(t, func(n *payfeedback.Notification) { n.FeedBackID, n.OpenID = "panic", "u3" })))
		}()
		if got := obs.take(); len(got) != 1 || got[0].Outcome != middleware.OutcomeHandlerError || got[0].Status != 500 {
			t.Errorf("panic: observations %+v, want one handler error 500", got)
		}
	})
}

// TestMetricsDegradedReplay: a store forgetting when full tells
// Config.Metrics when it forgets a still-fresh notification.
func TestMetricsDegradedReplay(t *testing.T) {
	var obs observations
	store := middleware.NewMemoryStore(middleware.MemoryOptions{Now: fixedNow, WhenFull: middleware.ForgetWhenFull, Metrics: &obs})
	h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}, Now: fixedNow, Metrics: &obs,
		Replay: store})(&recorder{})
	for i := range middleware.DefaultMaxEntries + 1 {
		body := signedSample(t, func(n *payfeedback.Notification) { n.OpenID = "u" + strconv.Itoa(i) })
		if w := serve(h, post(body)); w.Code != 200 {
			t.Fatalf("notification %d: status %d", i, w.Code)
		}
	}
	degraded := 0
	for _, o := range obs.take() {
		if o.Outcome == middleware.OutcomeReplayDegraded {
			degraded++
			if o.AppID != testAppID {
				t.Errorf("degraded observation with AppID %q", o.AppID)
			}
		}
	}
	if degraded != 1 {
		t.Fatalf("%d degraded observations, want 1 (one entry forgotten)", degraded)
	}
}

func TestOutcomeString(t *testing.T) {
	tests := map[middleware.Outcome]string{
		middleware.OutcomeAccepted: "accepted", middleware.OutcomeDuplicate: "duplicate",
		middleware.OutcomeRefused: "refused", middleware.OutcomeHandlerError: "handler_error",
		middleware.OutcomeReplayDegraded: "replay_degraded", 0: "invalid",
	}
	for o, want := range tests {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", o, got, want)
		}
	}
}

// TestReasons: every refusal class has its own label.
func TestReasons(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&middleware.Error{Err: middleware.ErrTooOld}, "too_old"},
		{&middleware.Error{Err: errors.Join(payfeedback.ErrMissingSignature, &payfeedback.DecodeError{Err: payfeedback.ErrMissingElement})}, "missing_signature"},
		{&middleware.Error{Err: &payfeedback.DecodeError{Err: payfeedback.ErrMissingElement}}, "missing_element"},
		{&middleware.Error{Err: middleware.ErrStoreUnavailable}, "store_unavailable"},
		{&middleware.Error{Err: fmt.Errorf("%w: %w", middleware.ErrStoreUnavailable, &middleware.StoreFullError{})}, "store_full"},
		{&middleware.Error{Err: errors.New("connection reset")}, "other"},
	}
	for _, tc := range tests {
		if got := (middleware.Observation{Err: tc.err}).Reason(); got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestMetricsNoAllocs: observing costs no allocation on the fast path.
func TestMetricsNoAllocs(t *testing.T) {
	count := 0
	metrics := middleware.MetricsFunc(func(o middleware.Observation) { count++ })
	allocs := func(m middleware.Metrics) float64 {
		d := middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }}
		h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey}, Now: fixedNow,
			Replay: middleware.NewMemoryStore(middleware.MemoryOptions{Now: fixedNow, MaxEntries: 1 << 20}), Metrics: m})(d)
		reqs := make([]benchRequest, 0, 512)
		for _, body := range distinctBodies(t, cap(reqs)) {
			reqs = append(reqs, newBenchRequest(body))
		}
		w := &discardWriter{h: make(http.Header)}
		i := 0
		return testing.AllocsPerRun(len(reqs)-1, func() {
			br := reqs[i]
			i++
			br.rd.Reset(br.body)
			w.reset()
			h.ServeHTTP(w, br.r)
		})
	}
	without, with := allocs(nil), allocs(metrics)
	if with != without || count == 0 {
		t.Fatalf("%v allocations per notification with Metrics, %v without (observed %d); want the same", with, without, count)
	}
}

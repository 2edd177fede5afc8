package conformance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// apiRun is the embedded fake WeChat of a run and the scenario played on
// it. The scenario is played once, when the first api case runs; every
// api case then judges its observations.
type apiRun struct {
	s     *settings
	fake  *mockwechat.Server
	clock *mockwechat.VirtualClock // nil: real time
	// push serves an in-process handler on loopback for the fake's pushes.
	push *httptest.Server
	// merchant is the handler Options.Merchant built, if any.
	merchant http.Handler
	apiEnv   APIEnv
	// notifyURL is where the fake pushes, once the scenario begins (the
	// complaints filed for the other cases are not pushed).
	notifyURL string

	// timers are the merchant's timers on the virtual clock.
	timers timers

	once sync.Once
	obs  *observations
}

// startAPI starts the fake WeChat with the merchant's account. With
// Options.Merchant the fake's clock is virtual and becomes the run's clock.
func startAPI(ctx context.Context, s *settings) (*apiRun, error) {
	secret := s.Secret
	if secret == "" {
		secret = mockwechat.DemoAccount().Secret
	}
	a := &apiRun{s: s}
	mo := mockwechat.Options{
		Accounts:    []mockwechat.Account{{AppID: s.AppID, Secret: secret, PaySignKey: s.PaySignKey}},
		PushTimeout: s.answerWait(),
	}
	if u, err := url.Parse(s.URL); err == nil && u.Hostname() != "" {
		// The merchant the suite was pointed at gets the pushes wherever it
		// is (the fake pushes to loopback only unless allowed).
		mo.AllowNotify = []string{u.Hostname()}
	}
	if s.Chaos > 0 {
		// The campaign's complaints get the same ids for the same seed,
		// and the call log holds every call of the campaign.
		mo.Seed = s.Seed
		mo.CallLogSize = mockwechat.DefaultCallLogSize + 8*s.Chaos
	}
	if s.VirtualClock || s.Merchant != nil && s.URL == "" {
		a.clock = mockwechat.NewVirtualClock(s.Now().Truncate(time.Second))
		mo.Clock = a.clock
		s.Now = a.clock.Now
	}
	fake, err := mockwechat.New(mo)
	if err != nil {
		return nil, fmt.Errorf("conformance: embedded fake WeChat: %w", err)
	}
	addr := s.APIAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("conformance: the embedded fake WeChat cannot listen on %s: %w (choose another --api-addr)", addr, err)
	}
	if err := fake.StartListener(ln); err != nil {
		ln.Close()
		return nil, fmt.Errorf("conformance: embedded fake WeChat: %w", err)
	}
	a.fake = fake
	a.apiEnv = APIEnv{BaseURL: fake.URL, AppID: s.AppID, Secret: secret, PaySignKey: s.PaySignKey, Now: fake.Now, AfterFunc: a.afterFunc}
	if s.Merchant != nil {
		a.merchant = s.Merchant(a.apiEnv)
		if a.merchant == nil {
			a.close()
			return nil, errors.New("conformance: Options.Merchant returned a nil handler")
		}
	}
	notifyURL := s.URL
	if notifyURL == "" {
		h := a.merchant // the handler wired to the fake, when there is one
		if h == nil {
			h = s.Handler
		}
		a.push = httptest.NewServer(h)
		notifyURL = a.push.URL + s.path()
	}
	a.notifyURL = notifyURL
	if s.APIReady != nil {
		s.APIReady(a.apiEnv)
	}
	return a, nil
}

// closeWait bounds the embedded fake's shutdown at the end of a run: by
// then nothing of the run is in flight, and the merchant's idle
// keep-alive connections must not hold the report back.
const closeWait = time.Second

func (a *apiRun) close() {
	if a.fake != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		_ = a.fake.Shutdown(ctx) // past closeWait, connections are closed forcibly
	}
	if a.push != nil {
		a.push.Close()
	}
}

// phase is one step of the scenario: a complaint filed and the merchant's
// successful payfeedback/update awaited.
type phase struct {
	name      string
	complaint mockwechat.Complaint
	// from and to bound the call log's sequence numbers of the phase.
	from, to uint64
	// update is the successful update call; nil when none came.
	update *mockwechat.Call
	// problem says why the phase failed; symptom, when the merchant
	// refused the fake's push, is that refusal's (see Result.Symptom).
	problem, symptom string
	// unreached reports that the update did not come within the wait on
	// the real clock, while the merchant acknowledged the push and called
	// the API: its deadline, days away, could not be reached, so the
	// phase proves nothing either way.
	unreached bool
	// expired reports the phase began with the merchant's token expired.
	expired bool
	// cell is the deadline cell of the phase's complaint, if it is one.
	cell *deadlineCell
}

// observations are what the scenario saw.
type observations struct {
	// from is the first call sequence number of the scenario.
	from uint64
	// phases ran in order; a phase that failed ends the scenario.
	phases []phase
	// stopped says why the scenario ended early ("" when it ran through),
	// stoppedAt at which phase, symptom with which symptom.
	stopped, stoppedAt, symptom string
	// calls are the merchant's API calls since the fake started (those
	// before from were made while the other cases ran).
	calls []mockwechat.Call
	// virtual reports the fake's clock was virtual.
	virtual bool
}

// The phases of the scenario.
const (
	phaseFirst   = "first complaint"
	phaseSecond  = "second complaint"
	phaseExpired = "complaint after the token expired"
)

// observe plays the scenario once and returns what it saw.
func (a *apiRun) observe(ctx context.Context) *observations {
	a.once.Do(func() { a.obs = a.play(ctx) })
	return a.obs
}

// play files complaints, one after the other, each by a user of its own,
// and waits each time for the merchant to mark it handled:
//
//  1. a first complaint;
//  2. a second one, so that two calls can share one token;
//  3. a third one after the merchant's token expired: with a virtual clock
//     (Options.Merchant) the clock moves past the token's lifetime and the
//     messaging window (25 h); with real time the fake answers the next
//     payfeedback/update with 42001 (access_token expired);
//  4. one complaint in each cell of the deadline table (deadlineCells).
//
// A phase whose update does not come ends the scenario (see awaitUpdate).
func (a *apiRun) play(ctx context.Context) *observations {
	obs := &observations{virtual: a.clock != nil}
	if err := a.fake.SetNotifyURL(a.s.AppID, a.notifyURL); err != nil {
		obs.stopped = "the fake refused the merchant's URL: " + err.Error()
		obs.stoppedAt = "start"
		return obs
	}
	obs.from = a.lastSeq()
	type step struct {
		name string
		cell *deadlineCell
	}
	steps := []step{{name: phaseFirst}, {name: phaseSecond}, {name: phaseExpired}}
	for i := range deadlineCells {
		steps = append(steps, step{name: deadlineCells[i].phaseName(), cell: &deadlineCells[i]})
	}
	for i, st := range steps {
		if st.name == phaseExpired {
			if a.clock != nil {
				a.advanceTo(ctx, a.clock.Now().Add(mockwechat.DefaultMessageWindow+time.Hour))
			} else if err := a.fake.AddFault(mockwechat.Fault{AppID: a.s.AppID, Endpoint: payfeedback.PathUpdateFeedback, ErrCode: payfeedback.CodeTokenExpired}); err != nil {
				obs.stopped = "the fake refused the fault that expires the token: " + err.Error()
				obs.stoppedAt = st.name
				break
			}
		}
		openID := a.s.OpenID
		if i > 0 {
			openID = fmt.Sprintf("%s-%d", a.s.OpenID, i+1)
		}
		spec := mockwechat.ComplaintSpec{
			AppID: a.s.AppID, OpenID: openID,
			Reason: sampleReason, Solution: sampleSolution, ExtInfo: sampleExtInfo,
			Goods: payfeedback.GoodsPhysical, Shipped: true,
		}
		if st.cell != nil {
			spec = st.cell.spec(a.s.AppID, openID, a.fake.Now())
		}
		ph := a.runPhase(ctx, st.name, spec)
		ph.to = a.lastSeq()
		ph.expired, ph.cell = st.name == phaseExpired, st.cell
		obs.phases = append(obs.phases, ph)
		if ph.problem != "" {
			obs.stopped = fmt.Sprintf("the scenario stopped at its %s: %s", st.name, ph.problem)
			obs.stoppedAt, obs.symptom = st.name, ph.symptom
			break
		}
	}
	obs.calls = a.fake.Calls()
	return obs
}

// runPhase files a complaint and waits for its update, up to a day past
// its deadline on the virtual clock (so that a late update is seen, and
// judged late).
func (a *apiRun) runPhase(ctx context.Context, name string, spec mockwechat.ComplaintSpec) phase {
	ph := phase{name: name}
	ph.from = a.lastSeq()
	c, err := a.fake.FileComplaint(ctx, spec)
	if err != nil {
		ph.problem = "the fake could not file the complaint: " + err.Error()
		return ph
	}
	ph.complaint = c
	call, err := a.awaitUpdate(ctx, c, ph.from)
	if err != nil {
		switch {
		case a.clock != nil:
			ph.problem = fmt.Sprintf("no successful payfeedback/update for complaint %s by a day past its deadline %s on the fake's clock "+
				"(the suite moved the clock to a minute before the deadline, then a day past it, waiting up to %s each time)",
				c.FeedBackID, rfc3339(c.Deadline), a.s.APITimeout)
		default:
			ph.problem = fmt.Sprintf("no successful payfeedback/update for complaint %s within %s", c.FeedBackID, a.s.APITimeout)
			ph.unreached = true
		}
		if d, ok := a.delivery(c.FeedBackID); ok && !d.Delivered {
			ph.problem += "; the merchant did not acknowledge the request notification the fake pushed (" + attemptsLine(d) + ")"
			ph.unreached = false
			if pushes := a.pushExchanges(c.FeedBackID); len(pushes) > 0 {
				ph.symptom = refusalSymptom(pushes[len(pushes)-1])
			}
		}
		if len(a.fake.Calls()) == 0 {
			ph.problem += "; the merchant made no API call to the fake at all: is it configured with the base URL " + a.fake.URL + " and the account's secret?"
			ph.unreached = false
		}
		if ph.unreached {
			ph.problem += fmt.Sprintf(": on the real clock the complaint's deadline (%s after it) cannot be reached in a run, so whether the merchant "+
				"marks it handled in time is not known (run with --virtual-clock, Options.VirtualClock, with the merchant following the fake's clock)",
				c.Deadline.Sub(c.FiledAt))
		}
		return ph
	}
	ph.update = call
	// Let the merchant finish with the notification, so that what it does
	// while handling it (customer messages) is in the log.
	wctx, cancel := context.WithTimeout(ctx, a.s.APITimeout)
	defer cancel()
	_, _ = a.fake.WaitForDelivery(wctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if fresh, ok := a.fake.Complaint(c.FeedBackID); ok {
		ph.complaint = fresh
	}
	return ph
}

// issue files a complaint, without a push, for a notification the suite
// sends itself, so that the merchant's API calls about it succeed. It
// files again until the FeedBackId is beyond int64 when big, within it
// otherwise (the fake's ids are random, half of them beyond).
func (a *apiRun) issue(big bool) (feedbackID, transID string, ok bool) {
	for range 64 {
		c, err := a.fake.FileComplaint(context.Background(), mockwechat.ComplaintSpec{
			AppID: a.s.AppID, OpenID: a.s.OpenID,
			Reason: sampleReason, Solution: sampleSolution, ExtInfo: sampleExtInfo,
			Goods: payfeedback.GoodsPhysical, Shipped: true,
		})
		if err != nil {
			return "", "", false
		}
		if fitsInt64(c.FeedBackID) != big {
			return c.FeedBackID, c.TransID, true
		}
	}
	return "", "", false
}

// settleWait bounds how long the suite waits, on the virtual clock, for a
// merchant that acknowledged a push and works on it after (in real time)
// before it moves the clock.
const settleWait = 250 * time.Millisecond

// awaitUpdate waits for the merchant's successful payfeedback/update of
// complaint c, made after the call numbered from.
//
// On the real clock it waits up to Options.APITimeout: the deadline is
// days away.
//
// On the virtual clock the update is judged against the deadline, so time
// is made to pass: the suite lets the merchant answer the push, runs the
// merchant's timers (APIEnv.AfterFunc) up to a day past the deadline, one
// after the other, and waits a moment (settleWait) for work the merchant
// does after answering. When the update has still not come (a merchant
// that follows the fake's clock, GET /_mock/clock, and resolves when its
// own schedule says), it moves the clock to a minute before the deadline
// and waits up to Options.APITimeout, then to a day past the deadline, so
// that a late update is seen, and judged late.
func (a *apiRun) awaitUpdate(ctx context.Context, c mockwechat.Complaint, from uint64) (*mockwechat.Call, error) {
	a.s.waiting("the merchant's payfeedback/update of complaint " + c.FeedBackID)
	defer a.s.waiting("")
	match := func(k mockwechat.Call) bool {
		return k.Seq >= from && k.Endpoint == payfeedback.PathUpdateFeedback && k.ErrCode == payfeedback.CodeOK &&
			k.Status == http.StatusOK && k.Query.Get("feedbackid") == c.FeedBackID
	}
	wait := func(d time.Duration) (*mockwechat.Call, error) {
		wctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		call, err := a.fake.WaitForCall(wctx, match)
		if err != nil {
			return nil, err
		}
		return &call, nil
	}
	if a.clock == nil {
		return wait(a.s.APITimeout)
	}
	limit := c.Deadline.Add(24 * time.Hour)
	// The merchant's handling of the push, timers it sets included, is
	// over once the first attempt has its answer.
	wctx, cancel := context.WithTimeout(ctx, a.s.APITimeout)
	_, _ = a.fake.WaitForDelivery(wctx, func(d mockwechat.Delivery) bool {
		return d.FeedBackID == c.FeedBackID && d.MsgType == payfeedback.MsgRequest && len(d.Attempts) > 0
	})
	cancel()
	for ctx.Err() == nil {
		if call, ok := a.findCall(match); ok {
			return &call, nil
		}
		at, ok := a.timers.next()
		if !ok || at.After(limit) {
			break
		}
		a.advanceTo(ctx, at)
	}
	if call, err := wait(min(settleWait, a.s.APITimeout)); err == nil || ctx.Err() != nil {
		return call, err
	}
	for _, at := range []time.Time{c.Deadline.Add(-time.Minute), limit} {
		if a.clock.Now().Before(at) {
			a.advanceTo(ctx, at)
		}
		if call, err := wait(a.s.APITimeout); err == nil || ctx.Err() != nil {
			return call, err
		}
	}
	return nil, context.DeadlineExceeded
}

// rfc3339 formats an instant of the fake's clock.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

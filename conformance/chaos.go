package conformance

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// The chaos campaign delivers Options.Chaos genuine complaints the way a
// bad network and WeChat's retries would (see chaosPlan), then checks the
// invariants a sound merchant keeps whatever the order and the copies:
//
//   - every genuine notification is eventually acknowledged (2xx; a body
//     other than "success" is a warning): a refused delivery is tried
//     again on WeChat's retry schedule as the kit assumes it (retryLadder),
//     or after the answer's Retry-After when it is longer, on the
//     campaign's own clock (campaignClock);
//   - no forged copy (a captured AppSignature with altered fields) and no
//     stale copy is acknowledged;
//   - with the API cases: no payfeedback/update names a forged FeedBackId,
//     and each complaint is updated at most once per genuine notification
//     of it the merchant acknowledged.

// chaosID is the id of the chaos campaign's case.
const chaosID = "chaos/campaign"

// payChaosID is the id of the Complaints 2.0 plan's chaos campaign (the
// plans share no id: an expected-failure list names one plan's cases).
const payChaosID = "chaos/callbacks"

// retryLadder is the delays between the deliveries of a refused
// notification: the fake WeChat's schedule (15 s, 15 s, 30 s, 3 min, …,
// 16 attempts over about a day). WeChat's document does not say that it
// retries a complaint notification at all: the schedule is the kit's
// assumption, taken from WeChat Pay's other notifications
// (docs/protocol.md, "What the merchant answers").
func retryLadder() []time.Duration { return mockwechat.DefaultRetrySchedule() }

// chaosWorkers is how many complaints are played at once.
const chaosWorkers = 8

// chaosFaultEvery: with the embedded fake, one payfeedback/update call in
// this many complaints fails with a system error (-1).
const chaosFaultEvery = 50

// chaosRequirement is the campaign's requirement.
const chaosRequirement = "Under a bad network and WeChat's retries (duplicates, reordered copies, late deliveries, copies cut mid-body, " +
	"retries after an error on WeChat's schedule as the kit assumes it, a complaint document being silent on retries), every genuine notification is eventually acknowledged, and no forged copy (a captured " +
	"AppSignature with altered fields) nor stale copy is; with the API cases, no payfeedback/update names a forged " +
	"FeedBackId and each complaint is updated at most once per genuine notification acknowledged."

func chaosCases() []Case {
	return []Case{{
		ID:          chaosID,
		Requirement: chaosRequirement,
		Fix: fix("acknowledge every genuine notification however often and in whatever order it comes, handle each once, "+
			"and refuse a captured signature reused with other fields or an old timestamp; reproduce a failure with the seed it prints",
			docAnswer, docSignature, docMiddleware+" (Config.Replay)", docSuite+" (the chaos campaign)"),
		run: func(ctx context.Context, e *env) Result {
			if e.s.Chaos == 0 {
				return Result{Status: Skip, Message: "the chaos campaign runs only when asked for (--chaos N, Options.Chaos)"}
			}
			return newCampaign(e).run(ctx)
		},
	}}
}

// campaign is one chaos campaign. The lock guards the tallies; it is
// taken alone (the clock has its own, never held with it).
type campaign struct {
	e     *env
	plan  []chaosComplaint
	notes []chaosNotes
	clock campaignClock

	mu         sync.Mutex
	counts     chaosCounts
	violations []violation
	unsuccess  []violation // acknowledged, but not with "success"
	acked      []int       // per complaint: genuine notifications acknowledged
}

// chaosNotes are the notifications of one complaint.
type chaosNotes struct {
	request, followUp *payfeedback.Notification
	requestBody       []byte
	forged            [][]byte
	forgedIDs         []string
	stale             []byte
}

// violation is a broken invariant, with the exchange that shows it.
type violation struct {
	complaint int
	kind      violationKind
	what      string
	ex        *Exchange
}

// violationKind is the cause a broken invariant points to.
type violationKind int

const (
	// underLoad: a genuine notification was refused with server errors or
	// back-pressure (5xx, 429, Retry-After) until WeChat's retries ran out.
	underLoad violationKind = iota
	// refusedGenuine: a genuine notification was refused as if it were
	// invalid (4xx) until WeChat's retries ran out.
	refusedGenuine
	// acceptedHostile: a forged or stale copy was acknowledged.
	acceptedHostile
	// forgedUpdate: payfeedback/update named a forged FeedBackId.
	forgedUpdate
	// doubleUpdate: a complaint was updated more often than its genuine
	// notifications were acknowledged: double processing.
	doubleUpdate
)

// causes are the kinds' words and Fix lines, in the order the verdict
// names them.
var causes = []chaosCause{
	{underLoad, "genuine notification refused under load until WeChat's retries ran out", "genuine notifications refused under load until WeChat's retries ran out",
		fix("acknowledge a notification once it is stored; under load, answer 503 with Retry-After and catch up within WeChat's retries "+
			"(the campaign retried 15 s, 15 s, 30 s, 3 min … about a day later, the kit's assumption of WeChat's schedule)", docAnswer, docMiddleware)},
	{refusedGenuine, "genuine notification refused as invalid at every delivery", "genuine notifications refused as invalid at every delivery",
		fix("acknowledge every genuine notification however often and in whatever order it comes (a duplicate, a follow-up before its request, "+
			"a full copy after a cut one, any form WeChat writes)", docAnswer, docFields, docMiddleware+" (Config.Replay)")},
	{acceptedHostile, "forged or stale copy acknowledged", "forged or stale copies acknowledged",
		fix("refuse a captured signature reused with other fields (409) or with an old timestamp", docSignature, docMiddleware+" (Config.Replay, Config.MaxAge)")},
	{forgedUpdate, "update of a forged FeedBackId", "updates of forged FeedBackIds",
		fix("act only on a verified notification whose signature was not seen with other fields", docSignature, docMiddleware+" (Config.Replay)")},
	{doubleUpdate, "complaint handled more often than acknowledged (double processing)", "complaints handled more often than acknowledged (double processing)",
		fix("handle each notification once: a duplicate or a retry of one already handled is acknowledged without acting again "+
			"(remember it by FeedBackId and MsgType, or let the middleware's replay memory answer it)", docAnswer, docMiddleware+" (Config.Replay)")},
}

func newCampaign(e *env) *campaign {
	n := e.s.Chaos
	return &campaign{e: e, plan: chaosPlan(e.s.Seed, n), notes: make([]chaosNotes, n), acked: make([]int, n)}
}

// run plays the campaign and judges it.
func (c *campaign) run(ctx context.Context) Result {
	s := c.e.s
	c.e.s.waiting(fmt.Sprintf("the chaos campaign: %d complaints (seed %d)", s.Chaos, s.Seed))
	defer c.e.s.waiting("")
	start := time.Now()
	if err := c.prepare(ctx); err != nil {
		return Result{Status: Fail, Message: "the chaos campaign could not start: " + err.Error()}
	}
	c.clock.playAll(ctx, len(c.plan), c.play)
	if ctx.Err() != nil {
		return Result{Status: Fail, Message: "interrupted"}
	}
	if c.e.api != nil {
		c.checkUpdates()
	}
	return c.verdict(time.Since(start))
}

// prepare writes every notification of the campaign. With the embedded
// fake, each complaint is first filed there (without a push), so that the
// merchant's calls about it succeed.
func (c *campaign) prepare(ctx context.Context) error {
	s := c.e.s
	if c.e.api != nil {
		if err := c.e.api.fake.SetNotifyURL(s.AppID, ""); err != nil {
			return err
		}
	}
	now := s.Now().Unix()
	for i, p := range c.plan {
		openID := fmt.Sprintf("%s-c%d", s.OpenID, i)
		fid := fmt.Sprintf("6%06d%012d", s.Seed%1e6, i)
		if p.big {
			fid = fmt.Sprintf("13%06d%012d", s.Seed%1e6, i)
		}
		tid := fmt.Sprintf("42%06d%012d", s.Seed%1e6, i)
		if c.e.api != nil {
			filed, err := c.e.api.fake.FileComplaint(ctx, mockwechat.ComplaintSpec{
				AppID: s.AppID, OpenID: openID, Reason: sampleReason, Solution: sampleSolution, ExtInfo: sampleExtInfo,
				Goods: payfeedback.GoodsPhysical, Shipped: true,
			})
			if err != nil {
				return fmt.Errorf("filing complaint %d in the fake: %w", i, err)
			}
			fid, tid = filed.FeedBackID, filed.TransID
		}
		ts := now - 1 - int64(p.late/time.Second)
		req := &payfeedback.Notification{
			AppID: s.AppID, OpenID: openID, TimeStamp: fmt.Sprint(ts), MsgType: payfeedback.MsgRequest,
			FeedBackID: fid, TransID: tid, Reason: sampleReason, Solution: sampleSolution, ExtInfo: sampleExtInfo,
		}
		c.e.forge.sign(req, s.PaySignKey)
		notes := chaosNotes{request: req, requestBody: variant(req, chaosForms[p.form].edits...)}
		for k, alt := range p.forged {
			forged := *req
			id := fmt.Sprintf("9%06d%012d", s.Seed%1e6, i*4+k)
			chaosAlterations[alt].alter(&forged, id)
			notes.forged = append(notes.forged, encode(&forged))
			if forged.FeedBackID != req.FeedBackID {
				notes.forgedIDs = append(notes.forgedIDs, id)
			}
		}
		if p.stale {
			old := *req
			old.TimeStamp = fmt.Sprint(ts - int64(s.StaleAge/time.Second) - int64(i%24)*3600)
			c.e.forge.sign(&old, s.PaySignKey)
			notes.stale = encode(&old)
		}
		if p.followUp != "" {
			f := &payfeedback.Notification{AppID: s.AppID, OpenID: openID, TimeStamp: fmt.Sprint(ts - 1),
				MsgType: p.followUp, FeedBackID: fid, Reason: sampleReason}
			c.e.forge.sign(f, s.PaySignKey)
			notes.followUp = f
		}
		c.notes[i] = notes
	}
	return nil
}

// play plays complaint i's plan.
func (c *campaign) play(ctx context.Context, i int) {
	p, notes := c.plan[i], c.notes[i]
	if p.pause > 0 {
		time.Sleep(p.pause)
	}
	if c.e.api != nil && i%chaosFaultEvery == chaosFaultEvery/2 {
		// One update call fails with a system error: the merchant answers
		// an error, and WeChat's retry must then be handled.
		_ = c.e.api.fake.AddFault(mockwechat.Fault{AppID: c.e.s.AppID, Endpoint: payfeedback.PathUpdateFeedback, ErrCode: payfeedback.CodeSystemError})
	}
	wait := c.e.s.answerWait()
	send := func(q request) Exchange {
		q.wait = wait
		return c.e.t.send(ctx, q)
	}
	body := notes.requestBody
	if p.cut {
		c.count(func(k *chaosCounts) { k.cut++ })
		send(request{body: body, cutAfter: max(1, int(p.cutAt*float64(len(body))))})
	}
	if p.stale && p.staleFirst {
		c.refusedCopy(i, "a stale copy", send(request{body: notes.stale}))
	}
	if p.dupFirst {
		c.count(func(k *chaosCounts) { k.duplicates++ })
		send(request{body: body})
	}
	if p.followUp != "" && p.followFirst {
		c.deliver(ctx, i, "the "+string(p.followUp)+" (before the request)", encode(notes.followUp), send)
	}
	var along sync.WaitGroup
	if p.dupAlong {
		c.count(func(k *chaosCounts) { k.duplicates++ })
		along.Add(1)
		c.clock.enter()
		go func() {
			defer along.Done()
			defer c.clock.leave()
			send(request{body: body})
		}()
	}
	if p.late > 0 {
		c.count(func(k *chaosCounts) { k.late++ })
	}
	acked := c.deliver(ctx, i, "the request", body, send)
	along.Wait()
	if acked {
		if p.dupAfter {
			c.count(func(k *chaosCounts) { k.duplicates++ })
			send(request{body: body})
		}
		for k, forged := range notes.forged {
			c.refusedCopy(i, "a forged copy ("+chaosAlterations[p.forged[k]].what+")", send(request{body: forged}))
		}
	}
	if p.followUp != "" && !p.followFirst {
		c.deliver(ctx, i, "the "+string(p.followUp), encode(notes.followUp), send)
	}
	if p.stale && !p.staleFirst {
		c.refusedCopy(i, "a stale copy", send(request{body: notes.stale}))
	}
}

// deliver delivers a genuine notification as WeChat does, as the kit
// assumes it: again after anything but a 2xx, on the retry ladder or after
// the answer's Retry-After when it is longer, on the campaign's clock,
// until the ladder runs out. It reports whether the notification was
// acknowledged.
func (c *campaign) deliver(ctx context.Context, i int, what string, body []byte, send func(request) Exchange) bool {
	ladder := retryLadder()
	var ex Exchange
	for attempt := 0; ; attempt++ {
		c.count(func(k *chaosCounts) {
			if attempt == 0 {
				k.genuine++
				if what != "the request" {
					k.followUps++
				}
			} else {
				k.retries++
			}
		})
		ex = send(request{body: body})
		if ex.Response != nil && is2xx(ex.Response.Status) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.acked[i]++
			if strings.TrimSpace(ex.Response.Body) != "success" {
				c.unsuccess = append(c.unsuccess, violation{complaint: i, what: what + " was acknowledged with " + quoteBody(ex.Response.Body), ex: &ex})
			}
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		c.count(func(k *chaosCounts) {
			if backPressure(ex) {
				k.pushedBack++
			}
		})
		if attempt == len(ladder) {
			break
		}
		if c.clock.after(ctx, max(ladder[attempt], retryAfter(ex))) != nil {
			return false
		}
	}
	kind := refusedGenuine
	if ex.Response == nil || ex.Response.Status >= 500 || backPressure(ex) {
		kind = underLoad
	}
	c.violate(i, kind, fmt.Sprintf("%s was never acknowledged (%d deliveries over %s of WeChat's retries; the last answered %s)",
		what, len(ladder)+1, sum(ladder), answerLine(ex)), ex)
	return false
}

// sum adds durations up.
func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

// refusedCopy judges the answer to a copy that must be refused.
func (c *campaign) refusedCopy(i int, what string, ex Exchange) {
	c.count(func(k *chaosCounts) {
		if strings.HasPrefix(what, "a stale") {
			k.stale++
		} else {
			k.forged++
		}
	})
	if ex.Response != nil && is2xx(ex.Response.Status) {
		c.violate(i, acceptedHostile, what+" was acknowledged ("+answerLine(ex)+")", ex)
	}
}

func (c *campaign) count(f func(*chaosCounts)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.counts)
}

func (c *campaign) violate(i int, kind violationKind, what string, ex Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.violations = append(c.violations, violation{complaint: i, kind: kind, what: what, ex: &ex})
}

// checkUpdates checks the merchant's payfeedback/update calls against the
// campaign: none names a forged FeedBackId, and each complaint was updated
// at most once per genuine notification of it acknowledged.
func (c *campaign) checkUpdates() {
	forged := map[string]int{}
	genuine := map[string]int{}
	for i, n := range c.notes {
		genuine[n.request.FeedBackID] = i
		for _, id := range n.forgedIDs {
			forged[id] = i
		}
	}
	updates := make([]int, len(c.notes))
	for _, call := range c.e.api.fake.Calls() {
		if call.Endpoint != payfeedback.PathUpdateFeedback {
			continue
		}
		id := call.Query.Get("feedbackid")
		if i, ok := forged[id]; ok {
			ex := callExchange(call)
			c.violations = append(c.violations, violation{complaint: i, kind: forgedUpdate, what: "payfeedback/update was called with the forged FeedBackId " + id, ex: &ex})
		}
		if i, ok := genuine[id]; ok && call.ErrCode == payfeedback.CodeOK {
			updates[i]++
			// A complaint handled once though none of its notifications
			// was acknowledged (the merchant acted, then its answer was
			// late or it refused every copy after) is the refusal's
			// consequence, reported as that; twice is double processing.
			if updates[i] == max(c.acked[i], 1)+1 {
				ex := callExchange(call)
				c.violations = append(c.violations, violation{complaint: i, kind: doubleUpdate,
					what: fmt.Sprintf("complaint %s was updated more often than the %d genuine notifications of it acknowledged: handled twice", id, c.acked[i]), ex: &ex})
			}
		}
	}
}

// verdict turns the tallies into the case's result. A failure names its
// causes, each with its count and its Fix line: back-pressure that
// outlasted WeChat's retries is not double processing, and the Fix says
// which it is.
func (c *campaign) verdict(took time.Duration) Result {
	s := c.e.s
	reproduce := fmt.Sprintf("seed %d: reproduce with --chaos %d --seed %d (Options.Chaos, Options.Seed)", s.Seed, s.Chaos, s.Seed)
	expected := "every genuine notification acknowledged (2xx, \"success\") within WeChat's retries; no forged or stale copy acknowledged"
	if c.e.api != nil {
		expected += "; no update of a forged FeedBackId; at most one update per genuine notification acknowledged"
	}
	summary := fmt.Sprintf("%d complaints, %s, in %s", s.Chaos, c.counts, took.Round(time.Millisecond))
	if d := c.clock.elapsed(); d > 0 {
		summary += fmt.Sprintf(" (%s of WeChat's retries on the campaign's clock)", d)
	}
	r := chaosVerdict(c.violations, causes, expected, summary, reproduce)
	if r.Status == Pass && len(c.unsuccess) > 0 {
		sortByComplaint(c.unsuccess)
		r = Result{Status: Warn, Expected: expected,
			Message: fmt.Sprintf("acknowledged, but %d genuine notifications with a body other than \"success\"; %s", len(c.unsuccess), reproduce)}
		r.Actual, r.Exchanges = describeViolations(c.unsuccess)
	}
	return r
}

// chaosCause is a cause a broken invariant points to: its words, one and
// many, and its Fix line.
type chaosCause struct {
	kind      violationKind
	one, many string
	fix       string
}

// sortByComplaint orders violations by complaint, keeping their order
// within one.
func sortByComplaint(vs []violation) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].complaint < vs[j].complaint })
}

// chaosVerdict is a campaign's result from its broken invariants: Pass
// with the summary, or Fail naming each cause found (in the order of
// table) with its count and Fix line, the first violations and their
// exchanges. A refused genuine delivery gives the result its symptom, so
// that a failed control groups the campaign under its cause.
func chaosVerdict(vs []violation, table []chaosCause, expected, summary, reproduce string) Result {
	sortByComplaint(vs)
	if len(vs) == 0 {
		return Result{Status: Pass, Message: summary + "; " + reproduce}
	}
	n := map[violationKind]int{}
	for _, v := range vs {
		n[v.kind]++
	}
	var found, fixes []string
	for _, k := range table {
		switch n[k.kind] {
		case 0:
			continue
		case 1:
			found = append(found, "1 "+k.one)
		default:
			found = append(found, fmt.Sprintf("%d %s", n[k.kind], k.many))
		}
		fixes = append(fixes, k.fix)
	}
	r := Result{Status: Fail, Expected: expected, Fix: strings.Join(fixes, "; and "),
		Message: fmt.Sprintf("%s broken: %s; in %s; %s", plural(len(vs), "invariant", "invariants"), strings.Join(found, ", "), summary, reproduce)}
	r.Actual, r.Exchanges = describeViolations(vs)
	if first := vs[0]; first.ex != nil && first.ex.Request.Method != "" && (first.kind == underLoad || first.kind == refusedGenuine) {
		r.Symptom = refusalSymptom(*first.ex)
	}
	return r
}

// describeViolations lists the first violations, and the exchanges of the
// first three.
func describeViolations(vs []violation) (string, []Exchange) {
	const shown = 5
	var lines []string
	var exs []Exchange
	for k, v := range vs {
		if k == shown {
			lines = append(lines, fmt.Sprintf("… and %d more", len(vs)-shown))
			break
		}
		lines = append(lines, fmt.Sprintf("complaint %d: %s", v.complaint, v.what))
		if v.ex != nil && len(exs) < 3 {
			exs = append(exs, *v.ex)
		}
	}
	return strings.Join(lines, "\n"), exs
}

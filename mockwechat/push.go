package mockwechat

import (
	"bytes"
	"context"
	"hash/fnv"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Delivery is one notification pushed to an account's payfeedback_url and
// every attempt to deliver it.
type Delivery struct {
	// ID numbers deliveries from 1 in creation order.
	ID         uint64              `json:"id"`
	AppID      string              `json:"appid"`
	OpenID     string              `json:"openid"`
	FeedBackID string              `json:"feedback_id"`
	MsgType    payfeedback.MsgType `json:"msgtype"`
	// URL is the payfeedback_url of the last attempt.
	URL     string    `json:"url"`
	Created time.Time `json:"created"`
	// Attempts lists every attempt, duplicates and forged copies included.
	Attempts []Attempt `json:"attempts"`
	// Delivered: an attempt was acknowledged (2xx; with StrictPushAck,
	// 2xx and the body "success").
	Delivered bool `json:"delivered"`
	// Failed: every attempt of the retry schedule failed. The delivery
	// stays in the log, marked, and is logged at level warn.
	Failed bool `json:"failed"`
	// NextAttempt is when the next attempt is due; zero when none is.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// Faults lists the push faults applied to this delivery, those that
	// leave no attempt of their own ("late 1m0s", "out-of-order") included.
	Faults []string `json:"faults,omitempty"`
}

// Done reports whether the delivery is finished: delivered or failed.
func (d Delivery) Done() bool { return d.Delivered || d.Failed }

// Attempt is one HTTP POST of a notification.
type Attempt struct {
	// Time is when the attempt started, on the fake's clock.
	Time time.Time `json:"time"`
	// TimeStamp is the notification's TimeStamp in this attempt (each
	// retry is signed afresh with the current time).
	TimeStamp string `json:"timestamp"`
	// Status is the HTTP status answered; 0 when none (error, drop).
	Status int `json:"status"`
	// Latency is the real time the attempt took.
	Latency time.Duration `json:"latency_ns"`
	// Response is the first 256 bytes of the response body.
	Response string `json:"response,omitempty"`
	// Err says why there was no answer (connection refused, timeout…).
	Err string `json:"error,omitempty"`
	// Fault names the injected fault this attempt carried: "drop",
	// "duplicate", "tamper-signature", "tamper-fields" (a forged copy).
	Fault string `json:"fault,omitempty"`
	// OK: this attempt counted as an acknowledgement. A forged copy never
	// counts, whatever the answer.
	OK bool `json:"ok"`
	// Body is the document sent.
	Body string `json:"body"`
}

const responseExcerpt = 256

type delivery struct {
	Delivery
	n        payfeedback.Notification
	shard    int
	genuine  int // attempts counted against the retry schedule
	finished bool
}

// pusher runs pushes: per-complaint ordered shards, retries on the
// server's clock, the delivery log.
type pusher struct {
	s      *Server
	client *http.Client

	mu       sync.Mutex
	idle     *sync.Cond // signalled when inflight drops to 0
	inflight int
	shards   []*shard
	pending  map[uint64]*delivery
	done     []*delivery // ring of finished deliveries
	doneNext int
	nextID   uint64
	held     map[string][]*delivery // out-of-order holds per appid
	closing  bool                   // set by Shutdown before it waits
}

type shard struct {
	queue   []*delivery
	running bool
}

func newPusher(s *Server) *pusher {
	p := &pusher{
		s: s,
		client: &http.Client{
			Timeout: s.set.PushTimeout,
			Transport: &http.Transport{
				Proxy:               nil,
				MaxIdleConnsPerHost: s.set.PushConcurrency * 2,
				IdleConnTimeout:     30 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		pending: make(map[uint64]*delivery),
		done:    make([]*delivery, 0, min(s.set.DeliveryLogSize, 1024)),
		held:    make(map[string][]*delivery),
	}
	p.idle = sync.NewCond(&p.mu)
	p.shards = make([]*shard, s.set.PushConcurrency)
	for i := range p.shards {
		p.shards[i] = &shard{}
	}
	return p
}

// send creates the delivery of n and queues its first attempt. Accounts
// without a payfeedback_url get no delivery.
func (p *pusher) send(n payfeedback.Notification) {
	p.s.mu.Lock()
	acc := p.s.accounts[n.AppID]
	url := ""
	if acc != nil {
		url = acc.NotifyURL
	}
	p.s.mu.Unlock()
	if url == "" {
		p.s.log.Debug("mockwechat: no payfeedback_url, nothing pushed", "appid", n.AppID, "msgtype", n.MsgType)
		return
	}
	h := fnv.New32a()
	h.Write([]byte(n.FeedBackID))
	p.mu.Lock()
	p.nextID++
	d := &delivery{
		Delivery: Delivery{ID: p.nextID, AppID: n.AppID, OpenID: n.OpenID, FeedBackID: n.FeedBackID,
			MsgType: n.MsgType, URL: url, Created: p.s.sched.now()},
		n:     n,
		shard: int(h.Sum32() % uint32(len(p.shards))),
	}
	p.pending[d.ID] = d
	p.enqueueLocked(d)
	p.mu.Unlock()
}

// enqueueLocked queues an attempt (p.mu held). Once the server is
// closing, nothing new is attempted: the delivery stays pending.
func (p *pusher) enqueueLocked(d *delivery) {
	if p.closing {
		return
	}
	d.NextAttempt = time.Time{}
	p.inflight++
	sh := p.shards[d.shard]
	sh.queue = append(sh.queue, d)
	if !sh.running {
		sh.running = true
		p.s.wg.Add(1)
		go p.run(sh)
	}
}

func (p *pusher) enqueue(d *delivery) {
	p.mu.Lock()
	p.enqueueLocked(d)
	p.mu.Unlock()
}

// run attempts a shard's queue in order, then exits.
func (p *pusher) run(sh *shard) {
	defer p.s.wg.Done()
	for {
		p.mu.Lock()
		if len(sh.queue) == 0 {
			sh.running = false
			sh.queue = nil
			p.mu.Unlock()
			return
		}
		d := sh.queue[0]
		sh.queue[0] = nil
		sh.queue = sh.queue[1:]
		p.mu.Unlock()

		p.attempt(d)

		p.mu.Lock()
		p.inflight--
		if p.inflight == 0 {
			p.idle.Broadcast()
		}
		p.mu.Unlock()
		p.s.changes.notify()
	}
}

// attempt makes one attempt of d (plus the copies a fault asks for) and
// decides what comes next: delivered, a retry, or failed.
func (p *pusher) attempt(d *delivery) {
	s := p.s
	s.mu.Lock()
	var url, key string
	if acc := s.accounts[d.AppID]; acc != nil {
		url, key = acc.NotifyURL, acc.PaySignKey
	}
	s.mu.Unlock()
	f, faulted := s.faults.takePush(d.AppID, d.MsgType)
	if faulted {
		p.mu.Lock()
		d.Faults = append(d.Faults, f.describe())
		p.mu.Unlock()
		switch {
		case f.Delay > 0:
			p.later(d, s.sched.now().Add(f.Delay))
			return
		case f.OutOfOrder:
			p.hold(d)
			return
		}
	}
	now := s.sched.now()
	n := d.n
	n.TimeStamp = strconv.FormatInt(s.pushTimestamp(d.AppID, d.OpenID, now), 10)
	var atts []Attempt
	if url == "" {
		atts = append(atts, Attempt{Time: now, TimeStamp: n.TimeStamp, Err: "the account has no payfeedback_url now"})
	} else if err := n.Sign(key); err != nil {
		atts = append(atts, Attempt{Time: now, TimeStamp: n.TimeStamp, Err: "signing: " + err.Error()})
	} else {
		if faulted && f.TamperSignature {
			n.AppSignature = tamperHex(n.AppSignature)
		}
		body, err := n.Encode()
		switch {
		case err != nil:
			atts = append(atts, Attempt{Time: now, TimeStamp: n.TimeStamp, Err: "encoding: " + err.Error()})
		case faulted && f.Drop:
			atts = append(atts, Attempt{Time: now, TimeStamp: n.TimeStamp, Err: "dropped by fault injection: never sent", Fault: "drop", Body: string(body)})
		default:
			a := p.post(url, body, now, n.TimeStamp)
			if faulted && f.TamperSignature {
				a.Fault = "tamper-signature"
			}
			atts = append(atts, a)
			if faulted && f.Duplicate {
				dup := p.post(url, body, s.sched.now(), n.TimeStamp)
				dup.Fault = "duplicate"
				atts = append(atts, dup)
			}
			if faulted && f.TamperFields {
				forged := n
				forged.FeedBackID = forgeID(n.FeedBackID)
				forged.Reason = "forged: " + n.Reason
				if forged.MsgType == payfeedback.MsgRequest {
					forged.TransID = forgeID(n.TransID)
				}
				if fb, err := forged.Encode(); err == nil {
					cp := p.post(url, fb, s.sched.now(), n.TimeStamp)
					cp.Fault = "tamper-fields"
					cp.OK = false
					atts = append(atts, cp)
				}
			}
		}
	}

	p.mu.Lock()
	d.URL = url
	d.genuine++
	d.Attempts = append(d.Attempts, atts...)
	ok := false
	for _, a := range atts {
		ok = ok || a.OK
	}
	var retryAt time.Time
	switch {
	case ok:
		d.Delivered = true
		p.finishLocked(d)
	case d.genuine <= len(s.set.retry) && !s.closed.Load():
		retryAt = now.Add(s.set.retry[d.genuine-1])
		d.NextAttempt = retryAt
	default:
		d.Failed = true
		p.finishLocked(d)
		s.log.Warn("mockwechat: push failed after every retry", "delivery", d.ID, "feedbackid", d.FeedBackID,
			"msgtype", d.MsgType, "attempts", len(d.Attempts))
	}
	held := p.held[d.AppID]
	delete(p.held, d.AppID)
	for _, h := range held {
		p.enqueueLocked(h)
	}
	p.mu.Unlock()
	if !retryAt.IsZero() {
		p.later(d, retryAt)
	}
}

// pushTimestamp returns the TimeStamp of a new attempt to a user: now,
// or one second past the user's previous one when time has not moved (a
// virtual clock), so that two different notifications never share a
// TimeStamp and hence an AppSignature, as in real life.
func (s *Server) pushTimestamp(appID, openID string, now time.Time) int64 {
	ts := now.Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userKey{appID, openID}]
	if !ok {
		return ts
	}
	if ts <= u.lastPushTS {
		ts = u.lastPushTS + 1
	}
	u.lastPushTS = ts
	return ts
}

// later schedules the next attempt of d at t on the server's clock.
func (p *pusher) later(d *delivery, t time.Time) {
	p.mu.Lock()
	d.NextAttempt = t
	p.mu.Unlock()
	p.s.sched.at(t, func() {
		if p.s.closed.Load() {
			return
		}
		p.enqueue(d)
	})
}

// hold keeps d back until the next attempt of another notification of the
// same account, or the first retry delay at the latest.
func (p *pusher) hold(d *delivery) {
	wait := 15 * time.Second
	if len(p.s.set.retry) > 0 {
		wait = p.s.set.retry[0]
	}
	t := p.s.sched.now().Add(wait)
	p.mu.Lock()
	p.held[d.AppID] = append(p.held[d.AppID], d)
	d.NextAttempt = t
	p.mu.Unlock()
	p.s.sched.at(t, func() {
		if p.s.closed.Load() {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		list := p.held[d.AppID]
		for i, h := range list {
			if h == d {
				p.held[d.AppID] = append(list[:i:i], list[i+1:]...)
				p.enqueueLocked(d)
				return
			}
		}
	})
}

// post sends one document and judges the answer.
func (p *pusher) post(url string, body []byte, at time.Time, ts string) Attempt {
	a := Attempt{Time: at, TimeStamp: ts, Body: string(body)}
	start := time.Now()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.Err = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "mockwechat (payfeedback)")
	resp, err := p.client.Do(req)
	if err != nil {
		a.Latency = time.Since(start)
		a.Err = err.Error()
		return a
	}
	head := make([]byte, responseExcerpt)
	n, _ := io.ReadFull(resp.Body, head)
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	a.Latency = time.Since(start)
	a.Status = resp.StatusCode
	a.Response = string(head[:n])
	a.OK = resp.StatusCode >= 200 && resp.StatusCode < 300
	if a.OK && p.s.set.StrictPushAck && strings.TrimSpace(a.Response) != "success" {
		a.OK = false
		a.Err = `strict ack: the body is not "success"`
	}
	return a
}

// finishLocked moves d from pending to the ring of finished deliveries.
func (p *pusher) finishLocked(d *delivery) {
	d.finished = true
	d.NextAttempt = time.Time{}
	delete(p.pending, d.ID)
	max := p.s.set.DeliveryLogSize
	if len(p.done) < max {
		p.done = append(p.done, d)
		return
	}
	p.done[p.doneNext] = d
	p.doneNext = (p.doneNext + 1) % max
}

// stop makes the pusher refuse new attempts, so that no goroutine starts
// while Shutdown waits for the running ones.
func (p *pusher) stop() {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
}

func (p *pusher) waitIdle() {
	p.mu.Lock()
	for p.inflight > 0 {
		p.idle.Wait()
	}
	p.mu.Unlock()
}

func (p *pusher) pendingCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

func (p *pusher) close() {
	if t, ok := p.client.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}

func (p *pusher) snapshot() []Delivery {
	p.mu.Lock()
	out := make([]Delivery, 0, len(p.pending)+len(p.done))
	copyD := func(d *delivery) {
		c := d.Delivery
		c.Attempts = append([]Attempt(nil), d.Attempts...)
		c.Faults = append([]string(nil), d.Faults...)
		out = append(out, c)
	}
	for _, d := range p.pending {
		copyD(d)
	}
	for _, d := range p.done {
		copyD(d)
	}
	p.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Deliveries returns the delivery log, oldest first: every pending
// delivery and the last Options.DeliveryLogSize finished ones.
func (s *Server) Deliveries() []Delivery {
	return s.pushes.snapshot()
}

// WaitForDelivery returns the first delivery, past or future, for which
// match returns true; match is tried again after every attempt. A nil
// match matches any delivery.
func (s *Server) WaitForDelivery(ctx context.Context, match func(Delivery) bool) (Delivery, error) {
	for {
		ch := s.changes.wait()
		for _, d := range s.pushes.snapshot() {
			if match == nil || match(d) {
				return d, nil
			}
		}
		if s.closed.Load() {
			return Delivery{}, ErrClosed
		}
		select {
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		case <-ch:
		}
	}
}

// DeliveryDone returns a match for WaitForDelivery: the delivery of the
// complaint's notification of type t, once delivered or failed.
func DeliveryDone(feedbackID string, t payfeedback.MsgType) func(Delivery) bool {
	return func(d Delivery) bool {
		return d.FeedBackID == feedbackID && d.MsgType == t && d.Done()
	}
}

// WaitIdle waits until no push is queued or being attempted (scheduled
// retries and late pushes not yet due do not count), or ctx ends.
func (s *Server) WaitIdle(ctx context.Context) error {
	for {
		ch := s.changes.wait()
		s.pushes.mu.Lock()
		idle := s.pushes.inflight == 0
		s.pushes.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// tamperHex changes one hex digit of a signature.
func tamperHex(sig string) string {
	if sig == "" {
		return "0000000000000000000000000000000000000000"
	}
	b := []byte(sig)
	if b[0] == '0' {
		b[0] = '1'
	} else {
		b[0] = '0'
	}
	return string(b)
}

// forgeID returns a different id of the same shape.
func forgeID(id string) string {
	if id == "" {
		return "1"
	}
	b := []byte(id)
	last := b[len(b)-1]
	if last >= '0' && last <= '8' {
		b[len(b)-1] = last + 1
	} else {
		b[len(b)-1] = '0'
	}
	return string(b)
}

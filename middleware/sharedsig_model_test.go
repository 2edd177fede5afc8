package middleware_test

import (
	"container/heap"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// This file is the model behind SharedSignaturePolicy's trade-off: how
// often two genuine notifications of one user share an AppSignature (the
// same second), and what each policy does with them. The figures in
// docs/performance.md ("Shared signatures") come from
//
//	go test -run '^$' -bench SharedSignatureModel -benchtime 1x ./middleware/
//
// The model (every number an assumption, stated):
//   - complaining users: 80 % complain about one order, 15 % two, 4 % three,
//     1 % five (a user with several orders); the first complaint at a
//     uniform time of the day, the next ones in the same sitting, each at
//     least 5 s after the previous (filling the form) plus an exponential
//     wait of mean 45 s;
//   - each complaint is a request; the merchant marks it handled after an
//     exponential delay of mean 2 h; the user then confirms (70 %), rejects
//     (20 %) or does nothing (10 %) after an exponential delay of mean 6 h;
//   - WeChat sends each notification at once (network delay 0 to 200 ms);
//     an attempt fails when the merchant is unavailable (a probability per
//     attempt, and in the outage scenarios one 30-minute outage a day);
//     a failed or refused attempt is sent again on the kit's retry ladder
//     (15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ×3, 1 h, 3 h ×3,
//     6 h ×2: 16 attempts), at the exact offset or at the next tick of a
//     15-second retry scheduler, re-signed with the attempt's TimeStamp or
//     as the same document (the document says neither); in the last
//     scenario WeChat sends in batches, every minute, what came up since
//     the last batch;
//   - the merchant runs a Verifier with each policy; MaxAge is a day, so
//     that only the policy, not freshness, refuses a late same-document
//     retry.

// modelScenario is one set of assumptions.
type modelScenario struct {
	name     string
	fail     float64 // probability that an attempt finds the merchant unavailable
	outage   bool    // one 30-minute outage a day, at a random time
	tick     int64   // retry scheduler tick in ms (0: exact offsets)
	batch    int64   // first attempts sent in batches every batch ms (0: at once)
	resigned bool    // each attempt re-signed with its own TimeStamp
}

var modelScenarios = []modelScenario{
	{"healthy merchant, exact retries, re-signed", 0.001, false, 0, 0, true},
	{"5 % of attempts fail, exact retries, re-signed", 0.05, false, 0, 0, true},
	{"5 % fail, retries on a 15 s tick, re-signed", 0.05, false, 15_000, 0, true},
	{"30-min outage, retries on a 15 s tick, re-signed", 0.001, true, 15_000, 0, true},
	{"30-min outage, 15 s tick, same document retried", 0.001, true, 15_000, 0, false},
	{"batch sender (every 60 s), same document retried", 0.001, false, 15_000, 60_000, false},
}

// modelResult counts what one policy did in one scenario.
type modelResult struct {
	complaints, notifications, attempts int
	shared                              int // notifications that met a shared signature (accept: reported)
	refused                             int // attempts answered 409 (refuse)
	lost                                int // notifications never acknowledged
	delayedMS                           int64
}

// modelNotification is one notification WeChat has to deliver.
type modelNotification struct {
	n        payfeedback.Notification
	first    int64 // ms of the first attempt
	attempt  int   // attempts made
	at       int64 // ms of the next attempt
	sawShare bool
	index    int // in the queue
}

type modelQueue []*modelNotification

func (q modelQueue) Len() int           { return len(q) }
func (q modelQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q modelQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i]; q[i].index = i; q[j].index = j }
func (q *modelQueue) Push(x any)        { n := x.(*modelNotification); n.index = len(*q); *q = append(*q, n) }
func (q *modelQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}

// ladder is the kit's retry schedule after each attempt, in ms.
var ladder = []int64{15e3, 15e3, 30e3, 180e3, 600e3, 1200e3, 1800e3, 1800e3, 1800e3, 3600e3, 10800e3, 10800e3, 10800e3, 21600e3, 21600e3}

// runSharedSignatureModel simulates one day of users complaining under sc,
// the merchant on policy. The same seed gives both policies the same day.
func runSharedSignatureModel(tb testing.TB, users int, sc modelScenario, policy middleware.SharedSignaturePolicy, seed uint64) modelResult {
	const appID, key = "wxf8b4f85f3a794e77", "model-paySignKey"
	rng := rand.New(rand.NewPCG(seed, 7))
	day := int64(24 * time.Hour / time.Millisecond)
	start := time.Unix(1764201600, 0)
	exp := func(meanMS float64) int64 { return int64(rng.ExpFloat64() * meanMS) }
	var q modelQueue
	var res modelResult
	add := func(n payfeedback.Notification, at int64) {
		if sc.batch > 0 {
			at = (at/sc.batch + 1) * sc.batch
		}
		heap.Push(&q, &modelNotification{n: n, first: at, at: at})
		res.notifications++
	}
	for u := range users {
		k := 1
		switch r := rng.Float64(); {
		case r < 0.01:
			k = 5
		case r < 0.05:
			k = 3
		case r < 0.20:
			k = 2
		}
		openID := "oUser" + strconv.Itoa(u)
		at := rng.Int64N(day)
		for c := range k {
			if c > 0 {
				at += 5000 + exp(45000)
			}
			res.complaints++
			id := strconv.Itoa(1_000_000*u + c)
			base := payfeedback.Notification{AppID: appID, OpenID: openID, FeedBackID: id,
				TransID: "tx" + id, Reason: "商品质量有问题", Solution: "退款"}
			req := base
			req.MsgType = payfeedback.MsgRequest
			add(req, at+rng.Int64N(200))
			answer := at + exp(2*3600e3) + exp(6*3600e3)
			switch r := rng.Float64(); {
			case r < 0.7:
				m := base
				m.MsgType = payfeedback.MsgConfirm
				add(m, answer+rng.Int64N(200))
			case r < 0.9:
				m := base
				m.MsgType = payfeedback.MsgReject
				add(m, answer+rng.Int64N(200))
			}
		}
	}
	outageFrom, outageTo := int64(-1), int64(-1)
	if sc.outage {
		outageFrom = rng.Int64N(day)
		outageTo = outageFrom + 30*60e3
	}
	now := int64(0)
	v, err := middleware.NewVerifier(middleware.Config{
		Keys:            middleware.StaticKeys{appID: key},
		MaxAge:          48 * time.Hour,
		Now:             func() time.Time { return start.Add(time.Duration(now) * time.Millisecond) },
		SharedSignature: policy,
		Replay:          middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 1 << 22}),
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for q.Len() > 0 {
		mn := heap.Pop(&q).(*modelNotification)
		now = mn.at
		if mn.attempt == 0 || sc.resigned {
			mn.n.TimeStamp = strconv.FormatInt(start.Unix()+now/1000, 10)
			if err := mn.n.Sign(key); err != nil {
				tb.Fatal(err)
			}
		}
		mn.attempt++
		res.attempts++
		ok := false
		if rng.Float64() >= sc.fail && (now < outageFrom || now >= outageTo) {
			n := mn.n
			c, err := v.Claim(ctx, &n)
			switch {
			case err == nil:
				if c.SharedSignature() {
					mn.sawShare = true
				}
				if err := c.Complete(ctx); err != nil {
					tb.Fatal(err)
				}
				ok = true
			case errors.Is(err, middleware.ErrSignatureReused):
				res.refused++
				mn.sawShare = true
			default:
				tb.Fatalf("Claim: %v", err)
			}
		}
		if ok {
			res.delayedMS += now - mn.first
			if mn.sawShare {
				res.shared++
			}
			continue
		}
		if mn.attempt > len(ladder) {
			res.lost++
			if mn.sawShare && policy == middleware.AcceptSharedSignature {
				res.shared++
			}
			continue
		}
		next := now + ladder[mn.attempt-1]
		if sc.tick > 0 {
			next = (next/sc.tick + 1) * sc.tick
		}
		mn.at = next
		heap.Push(&q, mn)
	}
	return res
}

// TestSharedSignatureModel runs the model on a small day and checks what
// each policy must do: accepting loses nothing but what unavailability
// loses anyway; refusing refuses exactly the notifications that meet a
// shared signature; with re-signed retries, refusing delays but loses
// nothing either.
func TestSharedSignatureModel(t *testing.T) {
	for _, sc := range modelScenarios {
		t.Run(sc.name, func(t *testing.T) {
			acc := runSharedSignatureModel(t, 3000, sc, middleware.AcceptSharedSignature, 1)
			ref := runSharedSignatureModel(t, 3000, sc, middleware.RefuseSharedSignature, 1)
			t.Logf("accept: %+v", acc)
			t.Logf("refuse: %+v", ref)
			if acc.complaints != ref.complaints || acc.notifications != ref.notifications {
				t.Fatalf("the two runs did not model the same day")
			}
			if ref.lost < acc.lost {
				t.Fatalf("refusing lost fewer notifications (%d) than accepting (%d)", ref.lost, acc.lost)
			}
			if sc.resigned && ref.lost != acc.lost {
				t.Fatalf("with re-signed retries refusing lost %d notifications, accepting %d: a re-signed retry carries another signature", ref.lost, acc.lost)
			}
			if (acc.shared == 0) != (ref.refused == 0) {
				t.Fatalf("accepting reported %d shared signatures, refusing refused %d attempts: they meet the same ones", acc.shared, ref.refused)
			}
		})
	}
}

// BenchmarkSharedSignatureModel prints the model's figures for 100,000
// complaining users a day (run it with -benchtime 1x).
func BenchmarkSharedSignatureModel(b *testing.B) {
	const users = 100_000
	for _, sc := range modelScenarios {
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				acc := runSharedSignatureModel(b, users, sc, middleware.AcceptSharedSignature, 1)
				ref := runSharedSignatureModel(b, users, sc, middleware.RefuseSharedSignature, 1)
				perMillion := func(n int) float64 { return math.Round(1e6*float64(n)/float64(acc.notifications)*10) / 10 }
				b.ReportMetric(float64(acc.notifications), "notifications")
				b.ReportMetric(perMillion(acc.shared), "shared/1M")
				b.ReportMetric(perMillion(ref.refused), "refused409/1M")
				b.ReportMetric(perMillion(ref.lost-acc.lost), "lost-by-refusing/1M")
				extra := float64(ref.delayedMS-acc.delayedMS) / 1000
				b.ReportMetric(extra, "extra-delay-s")
				b.Logf("%s: %d complaints, %d notifications; accept: %d shared (reported), %d lost to unavailability; "+
					"refuse: %d attempts answered 409, %d lost (%d more), %.0f s of extra delay in all",
					sc.name, acc.complaints, acc.notifications, acc.shared, acc.lost, ref.refused, ref.lost, ref.lost-acc.lost, extra)
			}
		})
	}
}

package scenario

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/race"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// worldConfig is the fake's default rules, as far as a state file cares.
var worldConfig = world.Config{TokenTTL: 2 * time.Hour, MessageWindow: 48 * time.Hour, NewsLimit: 10,
	MediaTTL: 72 * time.Hour, InboxSize: 50, MaxMedia: 1000, EvidenceWindow: 72 * time.Hour, Seed: 1}

// stateFile is the state file a fake with n complaints writes: a world
// played through the world's own transitions (complaints filed over 30
// days, a fifth each left filed, handled, confirmed, rejected and in
// arbitration; a customer-service message to every tenth user; a token),
// written as a snapshot writes it.
func stateFile(tb testing.TB, n int, f Format) []byte {
	tb.Helper()
	b, err := Marshal(stateScenario(tb, n), f)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// stateScenario is the snapshot of stateFile.
func stateScenario(tb testing.TB, n int) *Scenario {
	tb.Helper()
	start := t0.Add(-30 * 24 * time.Hour)
	clock := start
	w := world.New(worldConfig, func() time.Time { return clock })
	if _, err := w.AddAccount(world.Account{AppID: "wx5eed000000000001", Secret: "appsecret-of-the-demo",
		PaySignKey: "paysignkey-of-the-demo", NotifyURL: "http://127.0.0.1:8081/payfeedback",
		Reasons: []string{"没收到货", "质量问题"}}); err != nil {
		tb.Fatal(err)
	}
	tok, err := w.TokenCall("wx5eed000000000001", "appsecret-of-the-demo", w.NewValue(), clock)
	if err != nil {
		tb.Fatal(err)
	}
	step := 30 * 24 * time.Hour / time.Duration(n+1)
	for i := range n {
		clock = clock.Add(step)
		c, _, err := w.File(world.ComplaintSpec{Reason: fmt.Sprintf("第%d次投诉：没收到货，客服也不回复", i),
			Solution: "退款", ExtInfo: "order-" + fmt.Sprint(i), Goods: payfeedback.GoodsKind(i % 2),
			PicURLs: []string{"https://example.com/p/" + fmt.Sprint(i) + ".jpg"}})
		if err != nil {
			tb.Fatal(err)
		}
		if i%10 == 0 {
			tok, _ = w.TokenCall("wx5eed000000000001", "appsecret-of-the-demo", w.NewValue(), clock)
			raw := fmt.Sprintf(`{"touser":%q,"msgtype":"text","text":{"content":"您好，我们已收到您的投诉 %s"}}`, c.OpenID, c.FeedBackID)
			if _, _, err := w.Send(tok.Value, world.Outgoing{ToUser: c.OpenID, MsgType: payfeedback.MessageText, Raw: []byte(raw)}, nil, clock); err != nil {
				tb.Fatal(err)
			}
		}
		switch i % 5 {
		case 1:
			_, _, err = w.Handle(c.FeedBackID)
		case 2:
			if _, _, err = w.Handle(c.FeedBackID); err == nil {
				_, _, err = w.Confirm(c.FeedBackID)
			}
		case 3:
			if _, _, err = w.Handle(c.FeedBackID); err == nil {
				_, _, err = w.Reject(c.FeedBackID, "商家没有解决")
			}
		case 4:
			if _, _, err = w.Handle(c.FeedBackID); err == nil {
				if _, _, err = w.Reject(c.FeedBackID, "商家没有解决"); err == nil {
					_, _, err = w.RequestArbitration(c.FeedBackID)
				}
			}
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	_ = tok
	return FromState(w.Snapshot(), clock, nil, nil)
}

// BenchmarkParseState: reading the state file of a fake with 1k, 10k and
// 100k complaints, YAML and JSON (docs/performance.md, "Scenario and
// state loading").
func BenchmarkParseState(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		for _, f := range []Format{YAML, JSON} {
			b.Run(fmt.Sprintf("%s/%d", f, n), func(b *testing.B) {
				data := stateFile(b, n, f)
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Parse("state."+string(f), data, t0); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkMarshalState: writing the state file of a fake with 1k, 10k
// and 100k complaints, as payfeedback mock --state does every
// --state-every while the world changes.
func BenchmarkMarshalState(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		sc := stateScenario(b, n)
		for _, f := range []Format{YAML, JSON} {
			b.Run(fmt.Sprintf("%s/%d", f, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					data, err := Marshal(sc, f)
					if err != nil {
						b.Fatal(err)
					}
					b.SetBytes(int64(len(data)))
				}
			})
		}
	}
}

// BenchmarkCompileState: making a parsed state file ready for a fake (the
// world as it stands, its deadlines) at 1k, 10k and 100k complaints.
func BenchmarkCompileState(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			sc, err := Parse("state.json", stateFile(b, n, JSON), t0)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sc.Compile(worldConfig, nil, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestParseGrowsLinearly: reading a state file four times as large takes
// about four times the memory, YAML and JSON alike. go-yaml's decoder
// rebuilt a formatter over the whole document for every time and raw
// body it decoded: 300 complaints took 4.7 s, 1,500 did not finish in
// 10 minutes. Memory, not time, is measured: it does not depend on the
// machine's load, but it does on the race detector, which empties
// sync.Pools at random (ratios from 3.3 to 5.3, against 3.65-3.75
// without it): the test runs without -race (.ci/run does). Each size is
// parsed once first, so that what is done once (compiling the schema)
// is not counted.
func TestParseGrowsLinearly(t *testing.T) {
	if race.Enabled {
		t.Skip("allocations under -race move with sync.Pool's random drops; run without -race (as .ci/run does)")
	}
	allocated := func(data []byte, name string) uint64 {
		if _, err := Parse(name, data, t0); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := Parse(name, data, t0); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for _, f := range []Format{YAML, JSON} {
		small, large := stateFile(t, 100, f), stateFile(t, 400, f)
		a, b := allocated(small, "state."+string(f)), allocated(large, "state."+string(f))
		if ratio := float64(b) / float64(a); ratio > 5 {
			t.Errorf("%s: %d complaints took %d bytes, %d took %d: %.1f times as many for 4 times the file", f, 100, a, 400, b, ratio)
		}
	}
}

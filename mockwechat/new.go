package mockwechat

import (
	"context"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
	"github.com/payfeedback/payfeedback/mockwechat/internal/api"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/console"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/hostguard"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
	"github.com/payfeedback/payfeedback/mockwechat/internal/stream"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// NewServer starts a fake WeChat on a loopback port (Options.Addr) and
// returns it. It panics when the options are invalid or it cannot listen,
// like httptest.NewServer; use NewUnstartedServer and StartListener to
// handle those errors. Close it when done.
func NewServer(opts Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a fake WeChat that is not listening yet: call
// Start or StartListener, or use it as an http.Handler. It panics when the
// options are invalid; see New for an error instead.
func NewUnstartedServer(opts Options) *Server {
	s, err := New(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// New is NewUnstartedServer returning invalid options as an error.
func New(opts Options) (*Server, error) {
	set, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	s := &Server{set: set, log: set.Logger}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if set.Scenario != nil && set.Clock == nil {
		// With a scenario, the clock is virtual.
		start := set.Scenario.Clock.Start
		if start.IsZero() {
			start = time.Now().Truncate(time.Second)
		}
		set.Clock = NewVirtualClock(start)
		s.set.Clock = set.Clock
	}
	if set.Clock != nil {
		s.sched = set.Clock.c.Scheduler()
	} else {
		s.sched = clock.NewReal()
	}
	s.feed = events.NewFeed(s.sched.Now)
	s.worldCfg = world.Config{TokenTTL: set.TokenTTL, TokenGrace: set.TokenGrace, TokenCallsPerDay: set.TokenCallsPerDay,
		MessageWindow: set.MessageWindow, NewsLimit: set.NewsLimit, NewsSilent: set.NewsOverflow == NewsOverflowSilent,
		MediaTTL: set.MediaTTL, InboxSize: set.InboxSize, MaxMedia: set.MaxMedia, EvidenceWindow: set.EvidenceWindow,
		Seed: set.Seed}
	s.world = world.New(s.worldCfg, s.sched.Now)
	origin, err := s.start()
	if err != nil {
		return nil, err
	}
	s.calls = calllog.New(calllog.Options{Size: set.CallLogSize, Bytes: set.CallLogBytes})
	s.faults = fault.NewSet(api.Paths) // before Complaints 2.0, whose API takes faults too
	if set.Pay != nil {
		if s.pay, err = s.newPay(); err != nil {
			return nil, err
		}
	}
	if origin, err = s.withPay(origin, scenarioToParse(set.Scenario)); err != nil {
		return nil, err
	}
	s.push = push.New(push.Options{Host: pushHost{s}, Sched: s.sched, Context: s.ctx, Retry: set.retry,
		Timeout: set.PushTimeout, Concurrency: set.PushConcurrency, StrictAck: set.StrictPushAck, Rate: set.PushRate,
		LogSize: set.DeliveryLogSize, LogBytes: set.DeliveryLogBytes, Observe: s.pushed, Done: s.feed.Wake, Logger: s.log,
		Targets: set.targets})
	s.bus = events.NewBus(s.feed, s.sched, s.push)
	s.bus.OnTimer(s.world.Fire)
	s.api = api.New(api.Options{World: s.world, Bus: s.bus, Feed: s.feed, Calls: s.calls, Faults: s.faults,
		Now: virtualNow(s.sched), CallsPerMinute: set.CallsPerMinute})
	s.events = stream.New(stream.Options{Subscribe: s.feed.SubscribeWith})
	s.hosts = hostguard.Rule{Addr: set.Addr, Listening: s.life.listening, Allowed: set.AllowedHosts}
	var pay admin.PayBackend
	if s.pay != nil {
		pay = payBackend{s: s}
	}
	s.admin = admin.New(admin.Options{Backend: adminBackend{s: s}, Events: s.events, Pay: pay})
	var consolePayBackend console.PayBackend
	if s.pay != nil {
		consolePayBackend = consolePay{s: s}
	}
	s.console = console.New(console.Options{Backend: consoleBackend{adminBackend{s: s}}, Pay: consolePayBackend, Logger: s.log})
	if v := s.sched.Virtual(); v != nil {
		s.detach = v.Attach(clock.Hooks{Settle: s.settle, Moved: s.clockMoved})
	}
	if err := s.load(origin, s.world.Restore, false); err != nil {
		return nil, err
	}
	s.origin = origin
	return s, nil
}

// start builds the start state: the accounts of the options and the
// scenario, played up to the clock's start.
func (s *Server) start() (scenario.Compiled, error) {
	sc := s.set.Scenario
	if sc == nil {
		sc = &Scenario{}
	} else if !sc.Clock.Start.IsZero() && !sc.Clock.Start.Equal(s.sched.Now()) {
		return scenario.Compiled{}, fmt.Errorf("mockwechat: the scenario starts at %s but Options.Clock reads %s: give NewVirtualClock of the scenario's start, or leave Options.Clock nil",
			sc.Clock.Start.Format(time.RFC3339), s.sched.Now().Format(time.RFC3339))
	}
	c, err := scenarioToParse(sc).Compile(s.worldCfg, convertAll(s.set.Accounts, accountToWorld), s.sched.Now())
	return c, scenarioErr(err)
}

// virtualNow is the virtual clock's Now, nil on real time (the API then
// reads the time once per call).
func virtualNow(s clock.Scheduler) func() time.Time {
	if v := s.Virtual(); v != nil {
		return v.Now
	}
	return nil
}

package mockwechat

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
	"github.com/payfeedback/payfeedback/mockwechat/internal/api"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// Server is a fake WeChat: the API endpoints, a world of accounts, users,
// orders and complaints, a clock, a push engine and an admin API. It is an
// http.Handler; NewServer also serves it on a loopback port, like
// httptest.NewServer. All methods are safe for concurrent use.
//
// The Server only wires and runs the parts (see doc.go for the layout):
// its Go API hands each call to the world and what the world returns to
// the bus; its handler routes to the API endpoints and the admin API.
type Server struct {
	// URL is the base URL of the started server, e.g.
	// "http://127.0.0.1:34567", with no trailing slash; "" until Start.
	URL string

	set    settings
	log    *slog.Logger
	ctx    context.Context // the base context: cancelled when Close ends, or Shutdown gives up
	cancel context.CancelFunc

	sched  clock.Scheduler
	world  *world.World
	feed   *events.Feed
	bus    *events.Bus
	push   *push.Engine
	calls  *calllog.Log
	faults *fault.Set
	api    *api.Handler
	admin  *admin.Handler
	detach func() // from a virtual clock

	life      lifecycle
	closeOnce sync.Once
	closeErr  error
}

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
	if set.Clock != nil {
		s.sched = set.Clock.Scheduler()
	} else {
		s.sched = clock.NewReal()
	}
	s.feed = events.NewFeed(s.sched.Now)
	s.world = world.New(world.Config{TokenTTL: set.TokenTTL, TokenGrace: set.TokenGrace, TokenCallsPerDay: set.TokenCallsPerDay,
		MessageWindow: set.MessageWindow, NewsLimit: set.NewsLimit, NewsSilent: set.NewsOverflow == NewsOverflowSilent,
		MediaTTL: set.MediaTTL, InboxSize: set.InboxSize, MaxMedia: set.MaxMedia, EvidenceWindow: set.EvidenceWindow,
		Seed: set.Seed}, s.sched.Now)
	for _, a := range set.Accounts {
		if _, err := s.world.AddAccount(a); err != nil {
			return nil, err
		}
	}
	s.calls = calllog.New(calllog.Options{Size: set.CallLogSize, Bytes: set.CallLogBytes})
	s.faults = fault.NewSet(api.Paths)
	s.push = push.New(push.Options{Host: pushHost{s}, Sched: s.sched, Context: s.ctx, Retry: set.retry,
		Timeout: set.PushTimeout, Concurrency: set.PushConcurrency, StrictAck: set.StrictPushAck, Rate: set.PushRate,
		LogSize: set.DeliveryLogSize, LogBytes: set.DeliveryLogBytes, Observe: s.pushed, Done: s.feed.Wake, Logger: s.log})
	s.bus = events.NewBus(s.feed, s.sched, s.push)
	s.bus.OnTimer(s.world.Fire)
	s.api = api.New(api.Options{World: s.world, Bus: s.bus, Feed: s.feed, Calls: s.calls, Faults: s.faults,
		Now: s.sched.Now, CallsPerMinute: set.CallsPerMinute})
	s.admin = admin.New(admin.Options{Backend: adminBackend{s}, Addr: set.Addr, Listening: s.listening,
		AllowedHosts: set.AllowedHosts})
	if v := s.sched.Virtual(); v != nil {
		s.detach = v.Attach(clock.Hooks{Settle: s.push.WaitIdle, Moved: s.clockMoved})
	}
	return s, nil
}

// pushHost is what the push engine asks of the fake.
type pushHost struct{ s *Server }

func (h pushHost) Target(appID string) (string, string) { return h.s.world.Target(appID) }

func (h pushHost) TimeStamp(appID, openID string) int64 {
	at := h.s.sched.Now()
	if h.s.set.PushTimestamps == PushTimestampsWall {
		at = time.Now()
	}
	return h.s.world.PushTimeStamp(appID, openID, at)
}

func (h pushHost) Fault(appID string, t payfeedback.MsgType) (push.Plan, bool) {
	return h.s.faults.TakePush(appID, t)
}

// pushed tells the feed about a push attempt.
func (s *Server) pushed(r push.Report) {
	s.feed.Publish(events.KindPush, func(e *events.Event) {
		if r.Attempt != nil {
			a := *r.Attempt
			r.Attempt = &a
		}
		e.Push = &r
	})
}

// clockMoved tells the feed about a move of the virtual clock.
func (s *Server) clockMoved(from, to time.Time) {
	s.feed.Publish(events.KindClock, func(e *events.Event) { e.Clock = &events.ClockMove{From: from, To: to} })
}

// apply hands a transition's effects to the bus.
func (s *Server) apply(fx events.Effects) {
	if !fx.Empty() {
		s.bus.Apply(fx)
	}
}

// ServeHTTP serves the WeChat API endpoints and the admin API under /_mock/.
// Unknown paths and methods answer a WeChat-style JSON error; a panic in a
// handler answers errcode -1 and is logged, never a stack trace.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer s.recoverPanic(w, r)
	if strings.HasPrefix(r.URL.Path, admin.Prefix) || r.URL.Path == "/_mock" {
		s.admin.ServeHTTP(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// recoverPanic answers a handler's panic with errcode -1 and logs it;
// http.ErrAbortHandler goes on up, to abort the response.
func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.log.Error("mockwechat: handler panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
	api.WriteError(w, http.StatusInternalServerError, payfeedback.CodeSystemError, "mock internal error (see the fake's log)")
}

// Now returns the fake's current time (the virtual clock's, or real time).
func (s *Server) Now() time.Time { return s.sched.Now() }

// Clock returns the server's virtual clock, and false when it runs on real
// time.
func (s *Server) Clock() (*VirtualClock, bool) {
	v := s.sched.Virtual()
	return v, v != nil
}

// Advance moves the virtual clock forward by d: see VirtualClock.Advance.
// It panics on a server running on real time (Options.Clock nil): a test
// that advances time must say so by giving a VirtualClock.
func (s *Server) Advance(d time.Duration) {
	v := s.sched.Virtual()
	if v == nil {
		panic("mockwechat: Advance needs a virtual clock: set Options.Clock to NewVirtualClock(start)")
	}
	v.Advance(d)
}

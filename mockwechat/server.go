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
	"github.com/payfeedback/payfeedback/mockwechat/internal/console"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/hostguard"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
	"github.com/payfeedback/payfeedback/mockwechat/internal/stream"
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
	// "http://127.0.0.1:34567", with no trailing slash; "" until Start. A
	// server listening on every interface (0.0.0.0) gets a 127.0.0.1 URL.
	URL string

	set    settings
	log    *slog.Logger
	ctx    context.Context // the base context: cancelled when Close ends, or Shutdown gives up
	cancel context.CancelFunc

	sched   clock.Scheduler
	world   *world.World
	feed    *events.Feed
	bus     *events.Bus
	push    *push.Engine
	calls   *calllog.Log
	faults  *fault.Set
	api     *api.Handler
	admin   *admin.Handler
	events  *stream.Hub // GET /_mock/events
	console *console.Handler
	pay     *payPart       // Complaints 2.0; nil when Options.Pay is nil
	hosts   hostguard.Rule // the Host names served, on every path
	detach  func()         // from a virtual clock

	worldCfg world.Config
	timeline timeline
	// resetMu serialises Reset, Restore and Snapshot; it is taken before
	// any other part's lock.
	resetMu sync.Mutex
	origin  scenario.Compiled // the start state Reset goes back to

	life      lifecycle
	closeOnce sync.Once
	closeErr  error
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

// ServeHTTP serves the WeChat API endpoints, Complaints 2.0 under /v3/
// (with Options.Pay), the admin API under /_mock/
// and the web console (GET / and its pages: /complaints, /users/…, /calls,
// /platform, /pay-complaints…, /pay-keys, /pay-signatures, /assets/…;
// paths the WeChat API does not use). Unknown paths
// and methods answer a WeChat-style JSON error; a panic in a handler
// answers errcode -1 and is logged, never a stack trace. A Host that does
// not name the fake (a loopback name, Options.Addr, WeChat's API hosts or
// Options.AllowedHosts) is refused on every path, 421: DNS rebinding.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer s.recoverPanic(w, r)
	if s.hosts.Refuse(w, r) {
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, admin.Prefix) || r.URL.Path == "/_mock":
		s.admin.ServeHTTP(w, r)
	case s.pay != nil && strings.HasPrefix(r.URL.Path, PayPrefix):
		s.pay.api.ServeHTTP(w, r)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && console.Owns(r.URL.Path):
		s.console.ServeHTTP(w, r)
	default:
		s.api.ServeHTTP(w, r)
	}
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
	return s.set.Clock, s.set.Clock != nil
}

// Advance moves the virtual clock forward by d: see VirtualClock.Advance.
// It panics on a server running on real time (Options.Clock nil): a test
// that advances time must say so by giving a VirtualClock.
func (s *Server) Advance(d time.Duration) {
	if s.set.Clock == nil {
		panic("mockwechat: Advance needs a virtual clock: set Options.Clock to NewVirtualClock(start)")
	}
	s.set.Clock.Advance(d)
}

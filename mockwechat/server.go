package mockwechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake WeChat: the API endpoints, a world of accounts, users,
// orders and complaints, a clock, a push machinery and an admin API. It is
// an http.Handler; NewServer also serves it on a loopback port, like
// httptest.NewServer. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the started server, e.g.
	// "http://127.0.0.1:34567", with no trailing slash; "" until Start.
	URL string

	set        settings
	log        *slog.Logger
	sched      scheduler
	vclock     *VirtualClock
	removeHook func()

	mu         sync.Mutex // guards the world below
	accounts   map[string]*account
	users      map[userKey]*user
	orders     map[string]*orderState
	complaints map[string]*complaintState
	media      mediaStore
	rng        *rand.Rand

	tokMu  sync.RWMutex
	tokens map[string]*token

	calls   callLog
	faults  faultSet
	pushes  *pusher
	changes broadcaster
	admin   *http.ServeMux

	wg        sync.WaitGroup // scheduled callbacks and pushes in progress
	closed    atomic.Bool
	closeOnce sync.Once

	lnMu      sync.Mutex
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport
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
	s := &Server{
		set:        set,
		log:        set.Logger,
		accounts:   make(map[string]*account),
		users:      make(map[userKey]*user),
		orders:     make(map[string]*orderState),
		complaints: make(map[string]*complaintState),
		tokens:     make(map[string]*token),
		media:      newMediaStore(set.MaxMedia),
		calls:      newCallLog(set.CallLogSize),
	}
	seed := set.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if set.Clock != nil {
		s.vclock = set.Clock
		s.sched = virtualScheduler{set.Clock}
	} else {
		s.sched = newRealScheduler(&s.wg)
	}
	s.pushes = newPusher(s)
	if s.vclock != nil {
		s.removeHook = s.vclock.addHook(s.pushes.waitIdle)
	}
	for _, a := range set.Accounts {
		s.accounts[a.AppID] = s.newAccount(a)
	}
	s.admin = s.adminMux()
	return s, nil
}

// Start listens on Options.Addr (127.0.0.1:0 by default) and serves. It
// panics when it cannot listen or was already started.
func (s *Server) Start() {
	ln, err := net.Listen("tcp", s.set.Addr)
	if err != nil {
		panic(fmt.Sprintf("mockwechat: listen on %s: %v", s.set.Addr, err))
	}
	if err := s.StartListener(ln); err != nil {
		ln.Close()
		panic(err)
	}
}

// StartListener serves on ln, which the server then owns, and sets URL.
func (s *Server) StartListener(ln net.Listener) error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ln != nil {
		return errors.New("mockwechat: server already started")
	}
	if s.closed.Load() {
		return errors.New("mockwechat: server closed")
	}
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	go s.srv.Serve(ln)
	return nil
}

// Client returns an HTTP client for the started server: no proxy, its own
// connection pool, closed with the server.
func (s *Server) Client() *http.Client {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.transport == nil {
		return &http.Client{Transport: &http.Transport{Proxy: nil}}
	}
	return &http.Client{Transport: s.transport}
}

// Now returns the fake's current time (the virtual clock's, or real time).
func (s *Server) Now() time.Time { return s.sched.now() }

// Advance moves the virtual clock forward by d: see VirtualClock.Advance.
// It panics on a server running on real time (Options.Clock nil): a test
// that advances time must say so by giving a VirtualClock.
func (s *Server) Advance(d time.Duration) {
	if s.vclock == nil {
		panic("mockwechat: Advance needs a virtual clock: set Options.Clock to NewVirtualClock(start)")
	}
	s.vclock.Advance(d)
}

// Close shuts the server down and waits for in-flight work: API calls being
// answered and pushes being attempted. Scheduled retries and events not yet
// due are abandoned (pending deliveries stay pending in the log).
func (s *Server) Close() {
	s.Shutdown(context.Background())
}

// Shutdown is Close with a bound: when ctx ends first, connections are
// closed forcibly and Shutdown returns ctx's error without waiting further.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.changes.notify() // waiters (long polls too) see the server closed
		s.sched.close()
		if s.removeHook != nil {
			s.removeHook()
		}
		done := make(chan struct{})
		go func() {
			s.pushes.waitIdle() // what was queued before Close is attempted
			s.pushes.stop()
			s.pushes.waitIdle()
			s.wg.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		s.lnMu.Lock()
		srv, tr := s.srv, s.transport
		s.lnMu.Unlock()
		if srv != nil {
			if serr := srv.Shutdown(ctx); serr != nil {
				srv.Close()
				if err == nil {
					err = serr
				}
			}
		}
		if tr != nil {
			tr.CloseIdleConnections()
		}
		s.pushes.close()
		if n := s.pushes.pendingCount(); n > 0 {
			s.log.Info("mockwechat: closed with deliveries pending", "pending", n)
		}
		s.changes.notify()
	})
	return err
}

// ServeHTTP serves the WeChat API endpoints and the admin API under /_mock/.
// Unknown paths and methods answer a WeChat-style JSON error; a panic in a
// handler answers errcode -1 and is logged, never a stack trace.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer s.recoverPanic(w, r)
	switch r.URL.Path {
	case PathToken:
		s.serveAPI(w, r, PathToken, http.MethodGet, s.handleToken)
	case PathUpdate:
		s.serveAPI(w, r, PathUpdate, http.MethodGet, s.handleUpdate)
	case PathCustomSend:
		s.serveAPI(w, r, PathCustomSend, http.MethodPost, s.handleCustomSend)
	case PathDeliverNotify:
		s.serveAPI(w, r, PathDeliverNotify, http.MethodPost, s.handleDeliverNotify)
	case PathMediaUpload:
		s.serveAPI(w, r, PathMediaUpload, http.MethodPost, s.handleMediaUpload)
	default:
		if len(r.URL.Path) >= len(adminPrefix) && r.URL.Path[:len(adminPrefix)] == adminPrefix || r.URL.Path == "/_mock" {
			s.admin.ServeHTTP(w, r)
			return
		}
		s.serveUnknown(w, r)
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
	writeJSONError(w, http.StatusInternalServerError, codeSystemError, "mock internal error (see the fake's log)")
}

// The API paths served.
const (
	PathToken         = "/cgi-bin/token"
	PathUpdate        = "/payfeedback/update"
	PathCustomSend    = "/cgi-bin/message/custom/send"
	PathDeliverNotify = "/pay/delivernotify"
	PathMediaUpload   = "/cgi-bin/media/upload"
	// EndpointPush names the push machinery in faults and the admin API.
	EndpointPush = "push"
	adminPrefix  = "/_mock/"
)

func isAPIPath(p string) bool {
	switch p {
	case PathToken, PathUpdate, PathCustomSend, PathDeliverNotify, PathMediaUpload:
		return true
	}
	return false
}

// Clock returns the server's virtual clock, and false when it runs on real
// time.
func (s *Server) Clock() (*VirtualClock, bool) {
	return s.vclock, s.vclock != nil
}

package mockwechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
)

// stuckReport is how long Close waits before it names the connections and
// pushes it is still waiting for (and again every as long).
const stuckReport = 5 * time.Second

// lifecycle is the listening side of a Server, as httptest.Server does it:
// every connection tracked by state, so that Close closes the idle and the
// new ones at once and waits only for those serving a request.
type lifecycle struct {
	mu        sync.Mutex // guards the fields below; a leaf lock
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport
	conns     map[net.Conn]http.ConnState
	closing   bool
	gone      *sync.Cond // signalled when a connection closes
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
// The server reads a request's headers within 10 s and its whole body
// within Options.ReadTimeout, keeps idle connections Options.IdleTimeout,
// and refuses headers beyond Options.MaxHeaderBytes (431).
func (s *Server) StartListener(ln net.Listener) error {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.ln != nil:
		return errors.New("mockwechat: server already started")
	case l.closing:
		return ErrClosed
	}
	l.ln = ln
	l.conns = make(map[net.Conn]http.ConnState)
	l.gone = sync.NewCond(&l.mu)
	s.URL = "http://" + ln.Addr().String()
	l.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       s.set.ReadTimeout,
		IdleTimeout:       s.set.IdleTimeout,
		MaxHeaderBytes:    s.set.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ConnState:         s.connState,
	}
	l.transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	srv := l.srv
	go func() {
		err := srv.Serve(ln)
		l.mu.Lock()
		closing := l.closing
		l.mu.Unlock()
		if !closing {
			s.log.Error("mockwechat: serving stopped: the fake no longer answers", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return nil
}

// connState tracks connections; once closing, it closes each as soon as
// it is idle.
func (s *Server) connState(c net.Conn, st http.ConnState) {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateNew, http.StateActive:
		l.conns[c] = st
		if l.closing && st == http.StateNew {
			c.Close()
		}
	case http.StateIdle:
		l.conns[c] = st
		if l.closing {
			c.Close()
		}
	case http.StateHijacked, http.StateClosed:
		delete(l.conns, c)
		l.gone.Broadcast()
	}
}

// listening returns the address served, "" before Start.
func (s *Server) listening() string {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln == nil {
		return ""
	}
	return l.ln.Addr().String()
}

// Client returns an HTTP client for the started server: no proxy, its own
// connection pool, closed with the server.
func (s *Server) Client() *http.Client {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.transport == nil {
		return &http.Client{Transport: &http.Transport{Proxy: nil}}
	}
	return &http.Client{Transport: l.transport}
}

// Close shuts the server down and waits for in-flight work: API calls being
// answered and pushes queued or being attempted. Connections idle or that
// never sent a request are closed at once, as httptest.Server.Close does;
// every 5 s of waiting, Close logs what it still waits for. Scheduled
// retries and events not yet due are abandoned (pending deliveries stay
// pending in the log).
func (s *Server) Close() {
	s.Shutdown(context.Background())
}

// Shutdown is Close with a bound: when ctx ends first, it cancels the
// pushes and requests in flight, closes every connection, and returns an
// error wrapping ctx's that names what was still running.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown(ctx) })
	return s.closeErr
}

func (s *Server) shutdown(ctx context.Context) error {
	// Nothing new: the world refuses transitions, waiters and long polls
	// return ErrClosed, no scheduled event fires.
	s.world.Close()
	s.feed.Close()
	s.bus.Close()
	s.sched.Close()
	if s.detach != nil {
		s.detach()
	}
	s.stopListening()

	done := make(chan struct{})
	go func() {
		s.push.WaitIdle() // what was queued before Close is attempted
		s.push.Stop()
		s.push.WaitIdle()
		s.push.Close()
		if r, ok := s.sched.(*clock.Real); ok {
			r.Wait()
		}
		s.waitConns()
		close(done)
	}()
	tick := time.NewTicker(stuckReport)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			s.log.Warn("mockwechat: Close is still waiting", "for", s.busy())
		case <-ctx.Done():
			err = fmt.Errorf("mockwechat: shutdown gave up waiting for %s: %w", s.busy(), ctx.Err())
			s.cancel() // pushes and requests in flight see their context end
			s.closeConns()
			<-done
			break wait
		}
	}
	s.cancel()
	s.life.mu.Lock()
	tr := s.life.transport
	s.life.mu.Unlock()
	if tr != nil {
		tr.CloseIdleConnections()
	}
	if n := s.push.Pending(); n > 0 {
		s.log.Info("mockwechat: closed with deliveries pending", "pending", n)
	}
	return err
}

// stopListening closes the listener and the connections not serving a
// request; those serving one are closed when they turn idle.
func (s *Server) stopListening() {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closing = true
	if l.ln == nil {
		return
	}
	l.srv.SetKeepAlivesEnabled(false)
	l.ln.Close()
	for c, st := range l.conns {
		if st == http.StateIdle || st == http.StateNew {
			c.Close()
		}
	}
}

// closeConns closes every connection, serving or not.
func (s *Server) closeConns() {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.Close()
	}
}

// waitConns waits until every connection is closed.
func (s *Server) waitConns() {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.conns) > 0 {
		l.gone.Wait()
	}
}

// busy names what Close is waiting for.
func (s *Server) busy() string {
	l := &s.life
	l.mu.Lock()
	var conns []string
	for c, st := range l.conns {
		conns = append(conns, c.RemoteAddr().String()+" ("+st.String()+")")
	}
	l.mu.Unlock()
	slices.Sort(conns)
	parts := []string{fmt.Sprintf("%d connections", len(conns))}
	if len(conns) > 0 {
		parts[0] += " [" + strings.Join(conns, ", ") + "]"
	}
	if !s.push.Idle() {
		parts = append(parts, "pushes in flight")
	}
	return strings.Join(parts, ", ")
}

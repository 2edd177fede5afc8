package mockwechat

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
)

// stuckReport is how long Close waits before it names the connections and
// pushes it is still waiting for (and again every as long).
const stuckReport = 5 * time.Second

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
// The server reads a whole request, headers and body, within
// Options.ReadTimeout (one deadline per request, for the headers too),
// keeps idle connections Options.IdleTimeout, and refuses headers beyond
// Options.MaxHeaderBytes (431).
func (s *Server) StartListener(ln net.Listener) error {
	srv := &http.Server{
		Handler:        s,
		ReadTimeout:    s.set.ReadTimeout,
		IdleTimeout:    s.set.IdleTimeout,
		MaxHeaderBytes: s.set.MaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:    func(net.Listener) context.Context { return s.ctx },
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	served, err := s.life.start(ln, srv, tr)
	if err != nil {
		return err
	}
	s.URL = baseURL(ln.Addr())
	go func() {
		err := srv.Serve(served)
		if !s.life.isClosing() {
			s.log.Error("mockwechat: serving stopped: the fake no longer answers", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return nil
}

// baseURL is the URL of a server listening on addr, one a client on the
// same machine can use: a listener on every interface (0.0.0.0 or ::, the
// address Go reports as [::]) is reached on 127.0.0.1, which also passes
// the admin API's Host check.
func baseURL(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(ta.Port))
	}
	return "http://" + addr.String()
}

// Client returns an HTTP client for the started server: no proxy, its own
// connection pool, closed with the server.
func (s *Server) Client() *http.Client { return s.life.client() }

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
	if s.pay != nil {
		s.pay.world.Close()
	}
	s.feed.Close()
	s.bus.Close()
	s.sched.Close()
	s.api.Stop() // calls held without an answer end: Close never waits for a client's timeout
	if s.detach != nil {
		s.detach()
	}
	s.life.stop()

	done := make(chan struct{})
	go func() {
		s.push.WaitIdle() // what was queued before Close is attempted
		s.push.Stop()
		s.push.WaitIdle()
		s.push.Close()
		if s.pay != nil {
			s.pay.callbacks.WaitIdle()
			s.pay.callbacks.Stop()
			s.pay.callbacks.WaitIdle()
		}
		if r, ok := s.sched.(*clock.Real); ok {
			r.Wait()
		}
		s.life.wait()
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
			s.life.closeAll()
			<-done
			break wait
		}
	}
	s.cancel()
	s.life.closeIdleClients()
	if n := s.push.Pending(); n > 0 {
		s.log.Info("mockwechat: closed with deliveries pending", "pending", n)
	}
	return err
}

// busy names what Close is waiting for.
func (s *Server) busy() string {
	conns := s.life.open()
	parts := []string{fmt.Sprintf("%d connections", len(conns))}
	if len(conns) > 0 {
		parts[0] += " [" + strings.Join(conns, ", ") + "]"
	}
	if !s.push.Idle() {
		parts = append(parts, "pushes in flight")
	}
	return strings.Join(parts, ", ")
}

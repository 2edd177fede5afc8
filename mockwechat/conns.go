package mockwechat

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
)

// lifecycle is the listening side of a Server, as httptest.Server does it:
// every connection tracked by state, so that closing closes the idle and
// the new ones at once and waits only for those serving a request. A
// connection's state changes twice per request: those changes take no
// lock and no lookup (an atomic in the *conn the listener made), only a
// connection opening or closing does.
type lifecycle struct {
	closing atomic.Bool // read by connState without mu

	mu        sync.Mutex // guards the fields below; a leaf lock
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport
	conns     map[*conn]struct{}
	gone      *sync.Cond // signalled when a connection closes
}

// start records what serves, and returns the listener srv must serve:
// ln, its connections wrapped in *conn.
func (l *lifecycle) start(ln net.Listener, srv *http.Server, tr *http.Transport) (net.Listener, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.ln != nil:
		return nil, errors.New("mockwechat: server already started")
	case l.closing.Load():
		return nil, ErrClosed
	}
	l.ln, l.srv, l.transport = listener{ln}, srv, tr
	l.conns = make(map[*conn]struct{})
	l.gone = sync.NewCond(&l.mu)
	srv.ConnState = l.connState
	return l.ln, nil
}

// connState tracks connections (each a *conn: the listener served is
// wrapped in start); once closing, it closes each as soon as it is idle.
func (l *lifecycle) connState(nc net.Conn, st http.ConnState) {
	c := nc.(*conn)
	c.state.Store(int32(st))
	switch st {
	case http.StateNew:
		l.mu.Lock()
		l.conns[c] = struct{}{}
		l.mu.Unlock()
		if l.closing.Load() {
			c.Close()
		}
	case http.StateIdle:
		// stop reads the state after setting closing: one of the two sees
		// the other and closes an idle connection.
		if l.closing.Load() {
			c.Close()
		}
	case http.StateHijacked, http.StateClosed:
		l.mu.Lock()
		delete(l.conns, c)
		l.gone.Broadcast()
		l.mu.Unlock()
	}
}

// listening returns the address served, "" before Start.
func (l *lifecycle) listening() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln == nil {
		return ""
	}
	return l.ln.Addr().String()
}

// isClosing reports whether Close began.
func (l *lifecycle) isClosing() bool { return l.closing.Load() }

// client returns a client over the server's transport.
func (l *lifecycle) client() *http.Client {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.transport == nil {
		return &http.Client{Transport: &http.Transport{Proxy: nil}}
	}
	return &http.Client{Transport: l.transport}
}

// stop closes the listener and the connections not serving a request;
// those serving one are closed when they turn idle.
func (l *lifecycle) stop() {
	l.closing.Store(true)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln == nil {
		return
	}
	l.srv.SetKeepAlivesEnabled(false)
	l.ln.Close()
	for c := range l.conns {
		if http.ConnState(c.state.Load()) != http.StateActive {
			c.Close()
		}
	}
}

// closeAll closes every connection, serving or not.
func (l *lifecycle) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.Close()
	}
}

// wait waits until every connection is closed.
func (l *lifecycle) wait() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.conns) > 0 {
		l.gone.Wait()
	}
}

// open names the connections still open, with their state.
func (l *lifecycle) open() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for c := range l.conns {
		out = append(out, c.RemoteAddr().String()+" ("+http.ConnState(c.state.Load()).String()+")")
	}
	slices.Sort(out)
	return out
}

// closeIdleClients closes the idle connections of the server's client.
func (l *lifecycle) closeIdleClients() {
	l.mu.Lock()
	tr := l.transport
	l.mu.Unlock()
	if tr != nil {
		tr.CloseIdleConnections()
	}
}

package mockwechat

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
)

// lifecycle is the listening side of a Server, as httptest.Server does it:
// every connection tracked by state, so that closing closes the idle and
// the new ones at once and waits only for those serving a request.
type lifecycle struct {
	mu        sync.Mutex // guards the fields below; a leaf lock
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport
	conns     map[net.Conn]http.ConnState
	closing   bool
	gone      *sync.Cond // signalled when a connection closes
}

// start records what serves (l.mu held by the caller's lock call).
func (l *lifecycle) start(ln net.Listener, srv *http.Server, tr *http.Transport) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.ln != nil:
		return errors.New("mockwechat: server already started")
	case l.closing:
		return ErrClosed
	}
	l.ln, l.srv, l.transport = ln, srv, tr
	l.conns = make(map[net.Conn]http.ConnState)
	l.gone = sync.NewCond(&l.mu)
	srv.ConnState = l.connState
	return nil
}

// connState tracks connections; once closing, it closes each as soon as
// it is idle.
func (l *lifecycle) connState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateNew, http.StateActive, http.StateIdle:
		l.conns[c] = st
		if l.closing && st != http.StateActive {
			c.Close()
		}
	case http.StateHijacked, http.StateClosed:
		delete(l.conns, c)
		l.gone.Broadcast()
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
func (l *lifecycle) isClosing() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closing
}

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
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closing = true
	if l.ln == nil {
		return
	}
	l.srv.SetKeepAlivesEnabled(false)
	l.ln.Close()
	for c, st := range l.conns {
		if st != http.StateActive {
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
	for c, st := range l.conns {
		out = append(out, c.RemoteAddr().String()+" ("+st.String()+")")
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

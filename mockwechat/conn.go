package mockwechat

import (
	"io"
	"net"
	"sync/atomic"
)

// listener hands net/http each connection it accepts as a *conn.
type listener struct{ net.Listener }

// Accept wraps the connection accepted.
func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

// conn is a connection the fake serves, holding its http.ConnState: so
// tracking it (lifecycle.connState, twice per request) is an atomic store,
// not a lookup in a map of connections.
type conn struct {
	net.Conn
	state atomic.Int32
}

// ReadFrom hands a copy to the connection's own ReadFrom (sendfile or
// splice on TCP), which net/http uses when the connection has one.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite shuts the sending side when the connection can (TCP), as
// net/http does before closing a connection whose request it did not read
// to the end.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

package mockwechat

import (
	"io"
	"net"
	"strings"
	"testing"
)

// TestConnForwards: a conn keeps what net/http uses of a TCP connection
// beyond net.Conn: ReadFrom (sendfile, splice) and CloseWrite (the half
// close before dropping a connection whose body it did not read).
func TestConnForwards(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := listener{ln}.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	c, ok := (<-accepted).(*conn)
	if !ok {
		t.Fatal("the listener did not hand out a *conn")
	}
	defer c.Close()
	if _, ok := c.Conn.(io.ReaderFrom); !ok {
		t.Fatal("the TCP connection under the conn has no ReadFrom")
	}
	if n, err := c.ReadFrom(strings.NewReader("hello")); n != 5 || err != nil {
		t.Fatalf("ReadFrom: %d %v", n, err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(peer) // ends at the half close
	if string(got) != "hello" || err != nil {
		t.Fatalf("the peer read %q, %v; want hello, then EOF", got, err)
	}
}

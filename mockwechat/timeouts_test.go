package mockwechat

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// slowBody opens a connection that sends a request's headers and promises
// a body it never sends.
func slowBody(t *testing.T, s *Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "POST "+payfeedback.PathSendMessage+" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	return c
}

// closedWithin reports whether the server closes c within d (whatever it
// answers first).
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

// TestServerTimeouts: a body that never comes, and a keep-alive connection
// left idle, are closed after the documented timeouts; headers beyond the
// bound answer 431. The fake set none of these: slow-body connections
// stayed open indefinitely.
func TestServerTimeouts(t *testing.T) {
	t.Parallel() // waits on real timeouts, 200 ms each
	s := NewServer(Options{Clock: NewVirtualClock(t0), ReadTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond})
	defer s.Close()
	for range 3 {
		c := slowBody(t, s)
		defer c.Close()
		if !closedWithin(c, 3*time.Second) {
			t.Fatal("a connection that never sends its body is still open after 3 s (ReadTimeout 200 ms)")
		}
	}

	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET "+payfeedback.PathToken+" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !closedWithin(c, 3*time.Second) {
		t.Fatal("an idle keep-alive connection is still open after 3 s (IdleTimeout 200 ms)")
	}

	resp, err = s.Client().Get(s.URL + payfeedback.PathToken + "?junk=" + strings.Repeat("a", 100<<10))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 100 KiB query: HTTP %d, want 431 (MaxHeaderBytes 64 KiB by default)", resp.StatusCode)
	}
}

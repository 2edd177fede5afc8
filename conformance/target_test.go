package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestClassify sorts transport errors by their chain, as net/http and the
// system wrap them, never by their text.
func TestClassify(t *testing.T) {
	wrap := func(err error) error {
		return &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", err)}}
	}
	tests := []struct {
		name string
		err  error
		want TransportFault
	}{
		{"nil", nil, ""},
		{"refused", &url.Error{Op: "Post", Err: &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, FaultRefused},
		{"reset", wrap(syscall.ECONNRESET), FaultClosed},
		{"broken pipe", wrap(syscall.EPIPE), FaultClosed},
		{"EOF", &url.Error{Op: "Post", Err: io.EOF}, FaultClosed},
		{"wrapped EOF", fmt.Errorf("transport: %w", io.ErrUnexpectedEOF), FaultClosed},
		{"closed conn", fmt.Errorf("read: %w", net.ErrClosed), FaultClosed},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), FaultTimeout},
		{"cancelled", &url.Error{Op: "Post", Err: context.Canceled}, FaultCancelled},
		// Text that looks like a reset is not one.
		{"text only", errors.New("connection reset by peer"), FaultOther},
	}
	for _, tc := range tests {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("%s: classify(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestClassifyRealErrors classifies what net/http really returns on
// loopback: nothing listening, and a server that closes without answering.
func TestClassifyRealErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	hangup, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hangup.Close()
	go func() {
		for {
			c, err := hangup.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1)
			c.Read(buf)
			c.Close()
		}
	}()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for _, tc := range []struct {
		addr string
		want TransportFault
	}{{closedAddr, FaultRefused}, {hangup.Addr().String(), FaultClosed}} {
		_, err := client.Post("http://"+tc.addr+"/payfeedback", "text/xml", nil)
		if got := classify(err); got != tc.want {
			t.Errorf("POST to %s: %v classified %q, want %q", tc.addr, err, got, tc.want)
		}
	}
}

// acceptsWithoutReading is a merchant on a socket that answers 200
// "success" as soon as it has the headers and then resets the connection:
// a small body is read first, a big one never is, so the suite's sending
// side meets a reset while the 200 is already on its way. With hangUp, it
// resets a big body's connection without answering.
func acceptsWithoutReading(t *testing.T, hangUp bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				small := req.ContentLength >= 0 && req.ContentLength <= 64<<10
				if small {
					io.Copy(io.Discard, req.Body)
				}
				if !small && hangUp {
					c.(*net.TCPConn).SetLinger(0)
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\nConnection: close\r\n\r\nsuccess")
				if tc, ok := c.(*net.TCPConn); ok && req.ContentLength != 0 && (req.ContentLength < 0 || req.ContentLength > 64<<10) {
					tc.SetLinger(0) // a reset, not a polite close
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/payfeedback"
}

// TestOversizedAcceptedThenClosed: a merchant that answers 200 to an
// oversized body and then closes the connection mid-body accepted it: a
// connection closed while the suite sends counts as a refusal only when no
// answer came first.
func TestOversizedAcceptedThenClosed(t *testing.T) {
	url := acceptsWithoutReading(t, false)
	for range 3 { // the race between the 200 and the closed connection, several times
		rep, err := Run(t.Context(), Options{URL: url, AppID: tAppID, PaySignKey: tKey, Run: "^security/size/"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Status != Fail || len(r.Exchanges) == 0 || r.Exchanges[0].Response == nil || r.Exchanges[0].Response.Status != 200 {
				t.Fatalf("%s: %s %q, want a failure on the 200 the merchant answered\n%+v", r.ID, r.Status, r.Message, r.Exchanges)
			}
		}
	}
}

// TestOversizedHungUp: a merchant that closes the connection of an
// oversized body without answering refused it.
func TestOversizedHungUp(t *testing.T) {
	rep, err := Run(t.Context(), Options{URL: acceptsWithoutReading(t, true), AppID: tAppID, PaySignKey: tKey, Run: "^security/size/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Status != Pass || r.Exchanges[0].Fault != FaultClosed {
			t.Errorf("%s: %s %q, want a pass on the closed connection\n%+v", r.ID, r.Status, r.Message, r.Exchanges)
		}
	}
}

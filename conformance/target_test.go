package conformance

import (
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

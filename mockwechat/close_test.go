package mockwechat

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestCloseAfterManyClients: connections idle, or open without a request,
// are closed at once, as httptest.Server.Close does; http.Server.Shutdown
// alone waited 5 s for the ones that never sent a request.
func TestCloseAfterManyClients(t *testing.T) {
	s := NewServer(Options{Clock: NewVirtualClock(t0)})
	demo := DemoAccount()
	target := s.URL + payfeedback.PathToken + "?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret
	var wg sync.WaitGroup
	var silent []net.Conn
	var mu sync.Mutex
	for range 64 {
		wg.Go(func() {
			c := &http.Client{Transport: &http.Transport{}} // a client of its own: its connection stays idle
			resp, err := c.Get(target)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://")) // and one that never sends a request
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			silent = append(silent, conn)
			mu.Unlock()
		})
	}
	wg.Wait()
	defer func() {
		for _, c := range silent {
			c.Close()
		}
	}()
	// The server has accepted the silent connections and seen the others idle.
	eventually(t, "64 new and 64 idle connections", func() bool { return openConns(s, "new") >= 64 && openConns(s, "idle") >= 64 })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown after 64 clients: %v (want it done well within 3 s)", err)
	}
}

// TestShutdownNamesWhatIsStuck: when ctx ends, Shutdown closes what is
// still serving, ends the requests' contexts and says what it gave up on.
func TestShutdownNamesWhatIsStuck(t *testing.T) {
	s := NewServer(Options{Clock: NewVirtualClock(t0)})
	s.InjectFault(Fault{Endpoint: payfeedback.PathToken, Delay: time.Minute})
	done := make(chan error, 1)
	go func() {
		_, err := s.Client().Get(s.URL + payfeedback.PathToken)
		done <- err
	}()
	eventually(t, "the request held by the fault", func() bool { return openConns(s, "active") == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 connections") || !strings.Contains(err.Error(), "active") {
		t.Fatalf("Shutdown = %v, want it to name the active connection and wrap the deadline", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stuck request was not ended by Shutdown")
	}
}

// TestShutdownCancelsPushes: pushes in flight end with the server. A push
// used to run without a context, for up to its timeout after Shutdown
// returned.
func TestShutdownCancelsPushes(t *testing.T) {
	entered, cancelled, stop := make(chan struct{}), make(chan struct{}), make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server notices a client that leaves
		close(entered)
		select { // never answers: the fake must give up
		case <-r.Context().Done():
			close(cancelled)
		case <-stop: // the test failed: let it end
		}
	}))
	defer rcv.Close()
	defer close(stop)
	s := NewServer(Options{Clock: NewVirtualClock(t0), PushTimeout: time.Minute,
		Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k", NotifyURL: rcv.URL}}})
	if _, err := s.FileComplaint(context.Background(), ComplaintSpec{}); err != nil {
		t.Fatal(err)
	}
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a push hanging: %v, want the deadline", err)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the push outlived the server: its request was not cancelled")
	}
}

// failingListener accepts nothing: its Accept fails for good.
type failingListener struct{ net.Listener }

func (l failingListener) Accept() (net.Conn, error) {
	return nil, errors.New("accept: the listener broke")
}

// TestServeFailureLogged: a Serve that stops (not because of Close) is
// logged; it used to be dropped, and the fake went silent.
func TestServeFailureLogged(t *testing.T) {
	var buf syncBuffer
	s, err := New(Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartListener(failingListener{ln}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Serve's failure logged", func() bool { return strings.Contains(buf.String(), "the listener broke") })
	if !strings.Contains(buf.String(), "level=ERROR") {
		t.Fatalf("logged %q, want an error", buf.String())
	}
}

// syncBuffer is a buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

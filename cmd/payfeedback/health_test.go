package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestHealth: 0 when the fake answers its health check, 1 with the reason
// when nothing listens or something else answers; --wait waits.
func TestHealth(t *testing.T) {
	t.Parallel()
	fake := mockwechat.NewServer(mockwechat.Options{})
	defer fake.Close()
	if r := runCLI(t, "", nil, "health", "--url", fake.URL+"/"); r.code != 0 || r.stdout != "ok\n" {
		t.Fatalf("a running fake: %+v", r)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	if r := runCLI(t, "", nil, "health", "--url", closed, "--wait", "200ms"); r.code != 1 || !strings.Contains(r.stderr, "refused") {
		t.Fatalf("nothing listening: %+v", r)
	}
	// The ready file names a fake still starting (503); once health asked
	// it, the file names one that is ready: health reads the file again
	// while it waits, and prints the URL that answered.
	ready := t.TempDir() + "/ready"
	asked := make(chan struct{}, 1)
	starting := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case asked <- struct{}{}:
		default:
		}
		http.Error(w, `{"status":"starting"}`, http.StatusServiceUnavailable)
	}))
	if err := writeFileAtomic(ready, []byte(starting+"\n")); err != nil {
		t.Fatal(err)
	}
	go func() {
		<-asked
		writeFileAtomic(ready, []byte(fake.URL+"\n"))
	}()
	if r := runCLI(t, "", nil, "health", "--ready-file", ready, "--wait", "10s"); r.code != 0 || r.stdout != fake.URL+"\n" {
		t.Fatalf("--ready-file: %+v, want the URL once ready", r)
	}
	if r := runCLI(t, "", nil, "health", "--ready-file", ready+".none", "--wait", "100ms"); r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Fatalf("--ready-file that never comes: %+v", r)
	}
	other := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	if r := runCLI(t, "", nil, "health", "--url", other); r.code != 1 || !strings.Contains(r.stderr, "not ready") {
		t.Fatalf("another server: %+v", r)
	}
}

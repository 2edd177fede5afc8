package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/internal/testparallel"
)

// parallelTests is how many parallel tests run at once when -test.parallel
// is not given: this package's parallel tests wait on processes, sockets
// and signals more than they compute, and go test's default of one per
// core ran them two at a time on a 2-core machine (5.3 s for the package
// alone, against 3.3-4.0 s at four, for the same CPU).
const parallelTests = 4

// TestMain lets the test binary play the CLI itself, so that a test can
// send a real signal to a real process (PAYFEEDBACK_TEST_AS_CLI=1), and
// removes what the tests share (the Complaints 2.0 identity, payKeys)
// once they have run. It runs parallelTests parallel tests at a time
// unless -test.parallel says otherwise.
func TestMain(m *testing.M) {
	if os.Getenv("PAYFEEDBACK_TEST_AS_CLI") == "1" {
		os.Exit(mainStatus())
	}
	if path := os.Getenv("PAYFEEDBACK_TEST_ATOMIC_WRITER"); path != "" {
		atomicWriterChild(path) // until killed
	}
	testparallel.Default(parallelTests)
	code := m.Run()
	testPayIdentity.Close()
	os.Exit(code)
}

// stalling serves notifications (or API calls) with h, except that from
// request number from on it holds each request until the client hangs up;
// held receives a value as each of those starts being held.
func stalling(t *testing.T, from int64, h http.Handler) (url string, held <-chan struct{}) {
	t.Helper()
	var n atomic.Int64
	ch := make(chan struct{}, 1)
	url = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) >= from {
			io.Copy(io.Discard, r.Body)
			select {
			case ch <- struct{}{}:
			default:
			}
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		h.ServeHTTP(w, r)
	}))
	return url, ch
}

// interruptOn cancels a context as Ctrl-C does once event fires.
func interruptOn(t *testing.T, event <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	t.Cleanup(func() { cancel(nil) })
	go func() {
		select {
		case <-event:
			cancel(interruption{os.Interrupt})
		case <-ctx.Done():
		}
	}()
	return ctx
}

// TestPushAndSendInterrupted: Ctrl-C while push or send waits for an
// answer exits 130 with one line.
func TestPushAndSendInterrupted(t *testing.T) {
	url, held := stalling(t, 1, http.NotFoundHandler())
	r := runCLIWith(t, cli{ctx: interruptOn(t, held)}, "push", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey)
	if r.code != 130 || !strings.HasSuffix(r.stderr, "payfeedback push: interrupted (interrupt)\n") {
		t.Errorf("push: exit %d, stderr %q; want 130 and one line", r.code, r.stderr)
	}

	api, held := stalling(t, 1, http.NotFoundHandler())
	r = runCLIWith(t, cli{ctx: interruptOn(t, held)}, "send", "--appid", checkAppID, "--secret", "s", "--base-url", strings.TrimSuffix(api, "/payfeedback"),
		"--openid", "o", "--text", "hello")
	if r.code != 130 || r.stderr != "payfeedback send: interrupted (interrupt)\n" {
		t.Errorf("send: exit %d, stderr %q; want 130 and one line", r.code, r.stderr)
	}
}

// TestSignalToTheProcess sends a real SIGINT to a real process during a
// check: the case running is reported INTERRUPTED, the report file is
// written, and the process exits 130.
func TestSignalToTheProcess(t *testing.T) {
	url, held := stalling(t, 4, sound(checkKey)) // the control and two cases pass, the third stalls
	report := t.TempDir() + "/r.json"
	cmd := exec.Command(os.Args[0], checkArgs(url, "--json", report)...)
	cmd.Env = append(os.Environ(), "PAYFEEDBACK_TEST_AS_CLI=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		select {
		case <-held: // Ctrl-C while the merchant holds a case's request
			cmd.Process.Signal(os.Interrupt)
		case <-exited:
		}
	}()
	out, _ := io.ReadAll(stdout)
	err = cmd.Wait()
	close(exited)
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d (%v), want 130\n%s%s", code, err, out, stderr.String())
	}
	if !strings.Contains(string(out), "INTERRUPTED notify/request/whitespace") {
		t.Errorf("no INTERRUPTED line:\n%s", out)
	}
	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), `"interrupted": true`) {
		t.Errorf("report: %v\n%.300s", err, b)
	}
}

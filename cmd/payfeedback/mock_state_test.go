package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// waitReady waits for the ready file and returns the URL in it.
func waitReady(t *testing.T, path string, exited <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			if u := strings.TrimSpace(string(b)); strings.HasPrefix(u, "http://") && strings.HasSuffix(string(b), "\n") {
				return u
			}
			t.Fatalf("ready file %q: want a URL and a newline", b)
		}
		select {
		case err := <-exited:
			t.Fatalf("the mock exited before it was ready: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatal("no ready file after 10 s")
	return ""
}

// post sends an admin write.
func post(t *testing.T, u, body string) string {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: HTTP %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}

// TestMockScenarioAndReadyFile: --scenario starts from a scenario on its
// virtual clock, --notify-url reaching its one account; --ready-file holds
// the URL while the fake runs, and goes away with it.
func TestMockScenarioAndReadyFile(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan error, 1)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	go func() {
		code := run(ctx, []string{"mock", "--addr", "127.0.0.1:0", "--scenario", "../../examples/scenarios/fresh-account.yaml",
			"--notify-url", "http://127.0.0.1:1/payfeedback", "--ready-file", ready}, stdio{Stdout: out, Stderr: errOut})
		exited <- fmt.Errorf("exit %d: %s", code, errOut.String())
	}()
	base := waitReady(t, ready, exited)
	if m := listenLine.FindStringSubmatch(out.String()); m == nil || m[1] != base {
		t.Fatalf("the ready file says %s, the banner %q", base, out.String())
	}
	var cs []mockwechat.Complaint
	getJSON(t, base+"/_mock/complaints", &cs)
	if len(cs) != 2 {
		t.Fatalf("%d complaints at the start, want the scenario's 2", len(cs))
	}
	var accs []mockwechat.Account
	getJSON(t, base+"/_mock/accounts", &accs)
	if len(accs) != 1 || accs[0].AppID != "wx5eed000000000001" || accs[0].NotifyURL != "http://127.0.0.1:1/payfeedback" {
		t.Fatalf("accounts: %+v", accs)
	}
	var clock struct {
		Now time.Time `json:"now"`
	}
	getJSON(t, base+"/_mock/clock", &clock)
	if !clock.Now.Equal(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("the clock reads %v, want the scenario's start", clock.Now)
	}
	cancel()
	<-exited
	if _, err := os.Stat(ready); !os.IsNotExist(err) {
		t.Fatalf("the ready file outlived the fake: %v", err)
	}
}

// startProcess runs the test binary as `payfeedback mock args…`.
func startProcess(t *testing.T, args ...string) (*exec.Cmd, <-chan error, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"mock", "--addr", "127.0.0.1:0", "--log", "warn"}, args...)...)
	cmd.Env = append(os.Environ(), "PAYFEEDBACK_TEST_AS_CLI=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited, done := make(chan error, 1), make(chan struct{})
	go func() {
		exited <- cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	return cmd, exited, &stderr
}

// TestMockStateAcrossSIGTERM: the world, its clock included, is saved on
// SIGTERM and resumed by the next run with the same --state.
func TestMockStateAcrossSIGTERM(t *testing.T) {
	dir := t.TempDir()
	state, ready := filepath.Join(dir, "world.yaml"), filepath.Join(dir, "ready")
	cmd, exited, stderr := startProcess(t, "--virtual-clock", "--clock-start", "2025-03-01T10:00:00Z", "--state", state, "--ready-file", ready)
	base := waitReady(t, ready, exited)
	post(t, base+"/_mock/complaints", `{"openid":"oKept","feedback_id":"777","reason":"没收到货"}`)
	post(t, base+"/_mock/clock/advance", `{"by":"5h"}`)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(state)
	if err != nil || !strings.Contains(string(b), "777") {
		t.Fatalf("the state file after SIGTERM: %v\n%s", err, b)
	}

	_, exited, _ = startProcess(t, "--virtual-clock", "--clock-start", "2025-03-01T10:00:00Z", "--state", state, "--ready-file", ready)
	base = waitReady(t, ready, exited)
	var c mockwechat.Complaint
	if code := getJSON(t, base+"/_mock/complaints/777", &c); code != 200 || c.OpenID != "oKept" {
		t.Fatalf("after the restart, complaint 777: HTTP %d %+v", code, c)
	}
	var clock struct {
		Now time.Time `json:"now"`
	}
	getJSON(t, base+"/_mock/clock", &clock)
	if want := time.Date(2025, 3, 1, 15, 0, 0, 0, time.UTC); !clock.Now.Equal(want) {
		t.Fatalf("after the restart the clock reads %v, want %v", clock.Now, want)
	}
	// Reset goes back to the configuration's start, not to the saved state.
	post(t, base+"/_mock/reset", `{}`)
	var cs []mockwechat.Complaint
	getJSON(t, base+"/_mock/complaints", &cs)
	if len(cs) != 0 {
		t.Fatalf("after reset: %d complaints", len(cs))
	}
}

// TestMockStateKill9: a fake saving its changing world many times a
// second, killed with SIGKILL at random moments, always leaves a state
// file that loads, which the next run resumes.
func TestMockStateKill9(t *testing.T) {
	dir := t.TempDir()
	state, ready := filepath.Join(dir, "world.json"), filepath.Join(dir, "ready")
	saved := 0
	for round := range 3 {
		os.Remove(ready) // a killed fake leaves its ready file behind
		cmd, exited, stderr := startProcess(t, "--virtual-clock", "--state", state, "--state-every", "5ms", "--ready-file", ready)
		base := waitReady(t, ready, exited)
		stop := time.Now().Add(time.Duration(30+rand.IntN(100)) * time.Millisecond)
		// A world of bounded size (each start resumes it: a loaded machine
		// took over 10 s to resume the hundreds of complaints that posting
		// for the whole time made: resuming is slow, see issue 21 item 1), kept
		// changing until the kill.
		for i := range 5 {
			post(t, base+"/_mock/complaints", fmt.Sprintf(`{"openid":"o%d-%d","reason":"%s"}`, round, i, strings.Repeat("坏", 200)))
		}
		for deadline := time.Now().Add(10 * time.Second); round == 0; time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(state); err == nil {
				break // saved once: a kill from now on leaves a file
			}
			if time.Now().After(deadline) {
				t.Fatalf("no state file 10 s after 5 changes\n%s", stderr)
			}
		}
		for time.Now().Before(stop) {
			post(t, base+"/_mock/clock/advance", `{"by":"1s"}`)
		}
		cmd.Process.Kill()
		<-exited
		sc, err := mockwechat.LoadScenario(state)
		if err != nil {
			t.Fatalf("round %d: the state file after SIGKILL does not load: %v\n%s", round, err, stderr)
		}
		if len(sc.Complaints) < saved {
			t.Fatalf("round %d: %d complaints saved, fewer than the %d resumed", round, len(sc.Complaints), saved)
		}
		saved = len(sc.Complaints)
	}
	if saved == 0 {
		t.Fatal("nothing was ever saved")
	}
	os.Remove(ready)
	_, exited, _ := startProcess(t, "--virtual-clock", "--state", state, "--ready-file", ready)
	waitReady(t, ready, exited) // the saver starts right after
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		left, _ := filepath.Glob(filepath.Join(dir, ".world.json.tmp-*"))
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("temporary files left by killed runs outlive the next start: %v", left)
		}
	}
}

// TestWriteFileAtomicKill9: a process replacing a file with large
// contents over and over, killed at random moments, leaves one whole
// version of it, never a torn one.
func TestWriteFileAtomicKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	for range 10 {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "PAYFEEDBACK_TEST_ATOMIC_WRITER="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rand.IntN(80)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue // killed before the first rename
		}
		if err != nil {
			t.Fatal(err)
		}
		if !wholeVersion(b) {
			t.Fatalf("a torn file: %d bytes, starting %.20q, ending %.20q", len(b), b, b[max(len(b)-20, 0):])
		}
	}
}

// atomicWriterChild writes versions of 4 MiB to path until killed.
func atomicWriterChild(path string) {
	for i := 0; ; i++ {
		writeFileAtomic(path, version(i))
	}
}

// version is a file that says which it is at both ends.
func version(i int) []byte {
	mark := fmt.Sprintf("<%08d>", i)
	return []byte(mark + strings.Repeat(string(rune('a'+i%26)), 4<<20) + mark)
}

func wholeVersion(b []byte) bool {
	if len(b) < 10 {
		return false
	}
	var i int
	if _, err := fmt.Sscanf(string(b[:10]), "<%08d>", &i); err != nil {
		return false
	}
	return bytes.Equal(b, version(i))
}

package readme

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// How the documents' shell blocks and the workflow's steps are run: as a
// person's shell runs them, with the programs they build built once.
//
// A block that starts a program in the background must stop it itself,
// as a person would (kill %1 stops a program started as a binary; a
// program started with `go run` is a child of the go command, which the
// signal does not reach). The test does not clean up after a block: it
// finds what the block left running by a mark in the environment every
// process the block starts inherits, and fails when anything still runs
// once the block is over, or when a port the block was given still
// listens.

// runMark is the environment variable that marks the processes of one
// block (or one job of the workflow) of one run of the test.
const runMark = "PAYFEEDBACK_README_RUN"

// lingerFor is how long what a block stopped may take to exit (the fake
// saves its world and drains its pushes on SIGTERM).
const lingerFor = 15 * time.Second

// runEnv is what every block runs with: the CLI installed as the README
// says, and the example programs the blocks build (go build -o bin/ …),
// both into the repository's bin/ (which git ignores) before any block
// runs, so that a block's own go install or go build finds them up to
// date, in this run and the next. bin/ is on PATH and is GOBIN.
type runEnv struct {
	bin string

	mu    sync.Mutex
	ports map[string]bool // given to a block already
}

// buildsInBlocks finds the packages the blocks build into bin/.
var buildsInBlocks = regexp.MustCompile(`go build -o bin/((?:\s+\./[\w./-]+)+)`)

// newRunEnv installs the CLI and builds the programs the scripts build,
// once for every block of this run of the test binary.
func newRunEnv(t *testing.T, scripts ...string) *runEnv {
	t.Helper()
	e := &runEnv{bin: filepath.Join(abs(t, root), "bin"), ports: map[string]bool{}}
	install := exec.Command("go", "install", "./cmd/payfeedback")
	install.Dir = root
	install.Env = e.environ()
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install ./cmd/payfeedback: %v\n%s", err, out)
	}
	var pkgs []string
	for _, s := range scripts {
		for _, m := range buildsInBlocks.FindAllStringSubmatch(s, -1) {
			for _, p := range strings.Fields(m[1]) {
				if !slices.Contains(pkgs, p) {
					pkgs = append(pkgs, p)
				}
			}
		}
	}
	if len(pkgs) > 0 {
		build := exec.Command("go", append([]string{"build", "-o", "bin/"}, pkgs...)...)
		build.Dir = root
		build.Env = e.environ()
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build -o bin/ %s: %v\n%s", strings.Join(pkgs, " "), err, out)
		}
	}
	return e
}

// environ is the environment of the scripts, the builds included: the
// test's, with the CLI's directory first on PATH and as GOBIN (where the
// README's go install puts it).
func (e *runEnv) environ(more ...string) []string {
	env := append(os.Environ(),
		"PATH="+e.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOBIN="+e.bin,
	)
	return append(env, more...)
}

// script is one shell script to run as a person (or a CI runner) would.
type script struct {
	name string   // for messages: README.md:106, or a workflow's step
	args []string // the shell and its arguments
	dir  string
	env  []string
}

// run runs the script to its end (at most timeout) and returns its
// output and how it ended.
func (s script) run(t *testing.T, timeout time.Duration) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.args[0], s.args[1:]...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	// A file, not a pipe: what the script leaves running in the background
	// keeps its output open, and Wait would wait for it.
	out, err := os.CreateTemp(t.TempDir(), "output")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	got, _ := os.ReadFile(out.Name())
	if ctx.Err() != nil {
		err = fmt.Errorf("still running after %s (stopped): %w", timeout, err)
	}
	return string(got), err
}

// newMark returns a mark for the processes of one script (or one job),
// unique to this run of the test.
func newMark(name string) string {
	return fmt.Sprintf("%d-%s", os.Getpid(), strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(name))
}

// checkNothingLeft fails the test when processes marked with mark still
// run, or one of ports still listens, lingerFor after the script ended; it
// then kills those processes, so that a failing test leaves nothing behind
// either. (A process exiting has let go of its environment a moment before
// its sockets: both are waited for.)
func checkNothingLeft(t *testing.T, name, mark string, ports map[string]string) {
	t.Helper()
	var left []process
	var listening []string
	for deadline := time.Now().Add(lingerFor); ; time.Sleep(50 * time.Millisecond) {
		var err error
		if left, err = marked(mark); err != nil {
			t.Fatalf("%s: finding what it left running: %v", name, err)
		}
		listening = listening[:0]
		for _, v := range slices.Sorted(maps.Keys(ports)) {
			c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", ports[v]), time.Second)
			if err == nil {
				c.Close()
				listening = append(listening, v)
			}
		}
		if len(left)+len(listening) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range left {
		t.Errorf("%s left a process running (%s after it ended): pid %d: %s", name, lingerFor, p.pid, p.cmdline)
		syscall.Kill(p.pid, syscall.SIGKILL)
	}
	for _, v := range listening {
		t.Errorf("%s: port %s ($%s) still listens %s after it ended", name, ports[v], v, lingerFor)
	}
}

// process is a running process.
type process struct {
	pid     int
	cmdline string
}

// marked lists the live processes (not zombies) whose environment holds
// runMark=mark. It reads /proc: the test needs Linux.
func marked(mark string) ([]process, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("this test reads /proc to find left-over processes: %w", err)
	}
	want := []byte(runMark + "=" + mark + "\x00")
	var out []process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !(bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...))) {
			continue // gone, another user's, or not the script's
		}
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X' {
			continue // exited, not yet reaped
		}
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		out = append(out, process{pid: pid, cmdline: strings.TrimSpace(string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))})
	}
	return out, nil
}

// freePort returns a loopback port nobody listens on now and no other
// block was given, below the kernel's range of ephemeral ports: a port
// from that range, once free, may be the next one a listener on port 0
// gets (the fake's, in another block), and would then seem left listening
// by this block.
func (e *runEnv) freePort(t *testing.T) string {
	t.Helper()
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 11000 {
				low = n
			}
		}
	}
	for range 1000 {
		port := strconv.Itoa(10000 + rand.IntN(low-10000))
		e.mu.Lock()
		taken := e.ports[port]
		e.ports[port] = true
		e.mu.Unlock()
		if taken {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free loopback port below the ephemeral range")
	return ""
}

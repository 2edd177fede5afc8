package readme

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// root is the repository, from this package's directory.
const root = "../.."

// documents are the Markdown files whose blocks must run as written.
var documents = []string{"README.md", "mockwechat/README.md"}

func blocksOf(t *testing.T, doc string) []Block {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, doc))
	if err != nil {
		t.Fatal(err)
	}
	return Blocks(b)
}

// prelude is what every Go fragment may use: the kit's packages, the
// standard library's usual ones, and stand-ins with the shape of the
// routers the README mounts the middleware in (chi, gorilla/mux, echo,
// gin), which this module does not depend on.
const prelude = `import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/middleware/callback"
	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/mockwechat/paykeystest"
	"github.com/payfeedback/payfeedback/redisstore"
)

var (
	_ context.Context
	_ = errors.New
	_ = fmt.Println
	_ = log.Printf
	_ http.Handler
	_ = httptest.NewServer
	_ = os.Getenv
	_ time.Duration
	_ testing.T
	_ = redis.NewClient
	_ payfeedback.Notification
	_ apiv3.Error
	_ complaints.Complaint
	_ callback.Config
	_ = conformance.Run
	_ = conformancetest.Run
	_ middleware.Config
	_ mockwechat.Options
	_ paykeystest.Identity
	_ = redisstore.NewReplayStore
)

// routerStub has the methods the README calls on chi, gorilla/mux and gin
// routers and echo's Echo.
type routerStub struct{}

func (routerStub) With(...func(http.Handler) http.Handler) routerStub { return routerStub{} }
func (routerStub) Post(string, http.HandlerFunc)                      {}
func (routerStub) Handle(string, http.Handler) routerStub             { return routerStub{} }
func (routerStub) Methods(...string) routerStub                       { return routerStub{} }
func (routerStub) POST(string, any)                                   {}

var echo, gin struct {
	WrapHandler func(http.Handler) any
	WrapH       func(http.Handler) any
}
`

// declared finds the names a fragment declares with := at the start of a
// line, to use them once (a README fragment stops before using them).
var declared = regexp.MustCompile(`(?m)^\s*([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_]\w*)*)\s*:=`)

// goSource makes a Go file of a block: a program as it is, declarations
// (a fragment starting with func or type) after the prelude, anything else
// as the body of a function whose parameters the block's note gives.
func goSource(pkg string, b Block) (string, error) {
	params := ""
	for _, f := range strings.Fields(b.Note) {
		if f != "params" {
			break
		}
		params = strings.TrimSpace(strings.TrimPrefix(b.Note, "params"))
	}
	if b.Note != "" && params == "" {
		return "", fmt.Errorf("note %q: want params NAME TYPE; NAME TYPE…, file PATH or part-of PATH", b.Note)
	}
	text := b.Text
	if strings.HasPrefix(text, "package ") {
		return text, nil
	}
	var src strings.Builder
	fmt.Fprintf(&src, "package %s\n\n%s\n", pkg, prelude)
	if strings.HasPrefix(text, "func ") || strings.HasPrefix(text, "type ") {
		if params != "" {
			fmt.Fprintf(&src, "var (\n%s\n)\n\n", strings.ReplaceAll(params, ";", "\n"))
		}
		src.WriteString(text)
		return src.String(), nil
	}
	fmt.Fprintf(&src, "func _(%s) {\n%s", strings.ReplaceAll(params, ";", ","), text)
	for _, m := range declared.FindAllStringSubmatch(text, -1) {
		for _, name := range strings.Split(m[1], ",") {
			if name = strings.TrimSpace(name); name != "_" {
				fmt.Fprintf(&src, "\t_ = %s\n", name)
			}
		}
	}
	src.WriteString("}\n")
	return src.String(), nil
}

// snippetsDir is where TestGoSnippetsCompile writes the Go blocks, each
// as a package: inside the module ("_" keeps it out of ./...), at the
// same path every run, so that the go command's cache knows the packages
// that did not change. It is under bin/ (which git ignores and which
// stays), not at the repository's root: making and removing a directory
// there changes the root's modification time, which the go command
// records as an input of the tests that stat the root (the CLI's build
// theirs there), so their cached results were thrown away whenever this
// test ran beside them.
const snippetsDir = "bin/_readme-snippets"

// TestGoSnippetsCompile compiles every Go block of the documents: a block
// noted "file PATH" must be that file of the repository, and one noted
// "part-of PATH" a part of it, verbatim (the build compiles those files,
// and go test runs the tests among them); the others are vetted here,
// each as a package of its own.
func TestGoSnippetsCompile(t *testing.T) {
	dir := filepath.Join(root, snippetsDir)
	unlock := lockDir(t, dir)
	defer unlock()
	var pkgs []string
	where := map[string]string{}
	for _, doc := range documents {
		for _, b := range blocksOf(t, doc) {
			if b.Lang != "go" {
				continue
			}
			at := fmt.Sprintf("%s:%d", doc, b.Line)
			if path, ok := strings.CutPrefix(b.Note, "file "); ok {
				want, err := os.ReadFile(filepath.Join(root, strings.TrimSpace(path)))
				if err != nil || string(want) != b.Text {
					t.Errorf("%s: the block is not %s as it is in the repository (%v)", at, path, err)
				}
				continue
			}
			if path, ok := strings.CutPrefix(b.Note, "part-of "); ok {
				file, err := os.ReadFile(filepath.Join(root, strings.TrimSpace(path)))
				if err != nil || !strings.Contains(string(file), b.Text) {
					t.Errorf("%s: the block is not a part of %s as it is in the repository (%v)", at, path, err)
				}
				continue
			}
			pkg := fmt.Sprintf("s%d", len(pkgs))
			src, err := goSource(pkg, b)
			if err != nil {
				t.Errorf("%s: %v", at, err)
				continue
			}
			if err := os.MkdirAll(filepath.Join(dir, pkg), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, pkg, "snippet.go"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			pkgs = append(pkgs, "./"+snippetsDir+"/"+pkg)
			where[pkg] = at
		}
	}
	if len(pkgs) < 5 {
		t.Fatalf("%d Go blocks found: the documents moved?", len(pkgs))
	}
	cmd := exec.Command("go", append([]string{"vet"}, pkgs...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := string(out)
		for pkg, at := range where {
			msg = strings.ReplaceAll(msg, snippetsDir+"/"+pkg+"/snippet.go", at+" (as built)")
		}
		t.Fatalf("the Go blocks do not compile:\n%s", msg)
	}
}

// lockDir makes dir, empty, for this test alone (two runs of it wait for
// each other, on a lock file beside the system's temporary files) and
// returns what removes it.
func lockDir(t *testing.T, dir string) (unlock func()) {
	t.Helper()
	sum := sha256.Sum256([]byte(abs(t, dir)))
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), fmt.Sprintf("payfeedback-readme-%x.lock", sum[:8])), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	return func() {
		os.RemoveAll(dir)
		lock.Close() // releases the lock
	}
}

// shellBlocks returns the shell blocks the test runs, and says why of
// each it does not run.
func shellBlocks(t *testing.T) (names []string, blocks []Block) {
	t.Helper()
	for _, doc := range documents {
		for _, b := range blocksOf(t, doc) {
			if b.Lang != "sh" {
				continue
			}
			name := fmt.Sprintf("%s:%d", doc, b.Line)
			if why := b.NotRun(); why != "" {
				t.Logf("%s: not run: %s", name, why)
				continue
			}
			names, blocks = append(names, name), append(blocks, b)
		}
	}
	if len(blocks) < 5 {
		t.Fatalf("%d shell blocks to run: the documents moved?", len(blocks))
	}
	return names, blocks
}

// TestShellBlocksRun runs every shell block of the documents as written,
// from the repository's root, with bash stopping at the first failing
// command (-e -o pipefail), and the jobs of the workflow example
// (workflow_test.go). The CLI is installed first as the README says (go
// install ./cmd/payfeedback) into a directory put on PATH, and the
// programs the blocks build are built once for them all; the ports the
// blocks take from variables are free ones. A block that cannot run says
// why on its first line ("# not run by the README test: …"). A block
// fails when it leaves a process running or a port listening.
func TestShellBlocksRun(t *testing.T) {
	names, blocks := shellBlocks(t)
	wf, err := os.ReadFile(filepath.Join(root, workflowFile))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{string(wf)}
	for _, b := range blocks {
		texts = append(texts, b.Text)
	}
	env := newRunEnv(t, texts...)
	for i, b := range blocks {
		t.Run(names[i], func(t *testing.T) {
			t.Parallel()
			env.runBlock(t, names[i], b)
		})
	}
	t.Run(workflowFile, func(t *testing.T) {
		t.Parallel()
		env.runWorkflow(t, wf)
	})
}

// runBlock runs one shell block and checks it left nothing running.
func (e *runEnv) runBlock(t *testing.T, name string, b Block) {
	mark := newMark(name)
	ports := map[string]string{
		"FAKE_PORT":     e.freePort(t),
		"MERCHANT_PORT": e.freePort(t),
		"METRICS_PORT":  e.freePort(t),
		"REDIS_PORT":    e.freePort(t),
	}
	env := e.environ("TMPDIR="+t.TempDir(), runMark+"="+mark)
	for k, v := range ports {
		env = append(env, k+"="+v)
	}
	s := script{name: name, args: []string{"bash", "-e", "-o", "pipefail", "-c", b.Text}, dir: root, env: env}
	out, err := s.run(t, 3*time.Minute)
	if err != nil {
		t.Errorf("the block fails: %v\n--- block:\n%s--- output:\n%s", err, b.Text, out)
	}
	checkNothingLeft(t, name, mark, ports)
}

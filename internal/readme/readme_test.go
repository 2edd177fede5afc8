package readme

import (
	"context"
	"fmt"
	"net"
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
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/conformance/conformancetest"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/redisstore"
)

var (
	_ context.Context
	_ = errors.New
	_ = log.Printf
	_ http.Handler
	_ = httptest.NewServer
	_ = os.Getenv
	_ time.Duration
	_ testing.T
	_ = redis.NewClient
	_ payfeedback.Notification
	_ = conformance.Run
	_ = conformancetest.Run
	_ middleware.Config
	_ mockwechat.Options
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
	if b.Note != "" && params == "" && !strings.HasPrefix(b.Note, "file ") {
		return "", fmt.Errorf("note %q: want params NAME TYPE; NAME TYPE… or file PATH", b.Note)
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

// TestGoSnippetsCompile compiles every Go block of the documents: a block
// noted "file PATH" must be that file of the repository (which the build
// compiles); the others are built here, each as a package of its own.
func TestGoSnippetsCompile(t *testing.T) {
	dir, err := os.MkdirTemp(root, "_readme-snippets-") // inside the module; "_" keeps it out of ./...
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
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
			rel := "./" + filepath.Base(dir) + "/" + pkg
			pkgs = append(pkgs, rel)
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
			msg = strings.ReplaceAll(msg, filepath.Base(dir)+"/"+pkg+"/snippet.go", at+" (as built)")
		}
		t.Fatalf("the Go blocks do not compile:\n%s", msg)
	}
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// TestShellBlocksRun runs every shell block of the documents with bash,
// as written, from the repository's root, stopping at the first failing
// command (bash -e -o pipefail). The CLI is installed first as the README
// says (go install ./cmd/payfeedback) into a directory put on PATH; the
// ports the blocks take from variables are free ones; whatever a block
// leaves running is stopped after it. A block that cannot run says why on
// its first line ("# not run by the README test: …").
func TestShellBlocksRun(t *testing.T) {
	bin := t.TempDir()
	install := exec.Command("go", "install", "./cmd/payfeedback")
	install.Dir = root
	install.Env = append(os.Environ(), "GOBIN="+bin)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install ./cmd/payfeedback: %v\n%s", err, out)
	}
	ran := 0
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
			ran++
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runBlock(t, b, bin)
			})
		}
	}
	if ran < 5 {
		t.Fatalf("%d shell blocks ran: the documents moved?", ran)
	}
}

func runBlock(t *testing.T, b Block, bin string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", b.Text)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TMPDIR="+tmp,
		"GOBIN="+bin,
		"FAKE_PORT="+freePort(t),
		"MERCHANT_PORT="+freePort(t),
		"METRICS_PORT="+freePort(t),
		"REDIS_PORT="+freePort(t),
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A file, not a pipe: what the block leaves running in the background
	// keeps its output open, and Wait would wait for it.
	out, err := os.Create(filepath.Join(tmp, "output"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Start()
	if err == nil {
		err = cmd.Wait()
	}
	// What the block left running in the background: its process group.
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		time.Sleep(50 * time.Millisecond)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		got, _ := os.ReadFile(out.Name())
		t.Fatalf("the block fails: %v\n--- block:\n%s--- output:\n%s", err, b.Text, got)
	}
}

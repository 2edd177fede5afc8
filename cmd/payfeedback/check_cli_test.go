package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// checkArgs are the arguments of a check against url.
func checkArgs(url string, more ...string) []string {
	return append([]string{"check", "--url", url, "--appid", checkAppID, "--paysignkey", checkKey}, more...)
}

// counting serves h and counts the requests it gets.
func counting(t *testing.T, h http.Handler) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	return url, &n
}

// sound is a merchant on the middleware that makes no API call.
func sound(key string) http.Handler {
	ok := func(context.Context, *payfeedback.Notification) error { return nil }
	return middleware.New(middleware.Config{Keys: middleware.StaticKeys{checkAppID: key},
		SharedSignature: middleware.RefuseSharedSignature})( // the forged-copy cases expect a refusal
		middleware.Dispatcher{OnRequest: ok, OnConfirm: ok, OnReject: ok})
}

// TestCheckSelectsNothing: a --run that selects no case (a typo in CI) is
// a usage error before anything is sent, not a green run of 0 cases.
func TestCheckSelectsNothing(t *testing.T) {
	url, n := counting(t, sound(checkKey))
	r := runCLI(t, "", nil, checkArgs(url, "--run", "^secruity/")...)
	if r.code != 2 || !strings.Contains(r.stderr, `--run "^secruity/" selects no case`) || !strings.Contains(r.stderr, "Try: payfeedback check --list") {
		t.Errorf("exit %d, stderr %q; want 2, the pattern, and a hint to list the cases", r.code, r.stderr)
	}
	if n.Load() != 0 || r.stdout != "" {
		t.Errorf("%d requests sent, stdout %q: nothing may run", n.Load(), r.stdout)
	}
	if r := runCLI(t, "", nil, "check", "--list", "--run", "^secruity/"); r.code != 2 {
		t.Errorf("--list selecting nothing: exit %d", r.code)
	}
}

// TestCheckAllSkipped: a run whose cases were all skipped checked nothing:
// exit 1, unless --allow-skip.
func TestCheckAllSkipped(t *testing.T) {
	url := serve(t, sound(checkKey))
	r := runCLI(t, "", nil, checkArgs(url, "--run", "^api/")...)
	if r.code != 1 || !strings.Contains(r.stderr, "nothing was checked") {
		t.Errorf("exit %d, stderr %q; want 1 and why", r.code, r.stderr)
	}
	if r := runCLI(t, "", nil, checkArgs(url, "--run", "^api/", "--allow-skip")...); r.code != 0 {
		t.Errorf("with --allow-skip: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestCheckNothingListens: one line, exit 2, at once; with --wait the
// suite waits for the merchant to start.
func TestCheckNothingListens(t *testing.T) {
	addr := freeAddr(t)
	url := "http://" + addr + "/payfeedback"
	r := runCLI(t, "", nil, checkArgs(url)...)
	if want := "payfeedback check: nothing listens at " + url + ": start the merchant, or pass --wait 30s\n"; r.code != 2 || r.stderr != want || r.stdout != "" {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant 2, nothing on stdout, and %q", r.code, r.stdout, r.stderr, want)
	}

	// The merchant starts once the terminal shows that the suite waits
	// for it: --wait covers it.
	out := &watchWriter{want: "… waiting for something to listen at " + addr, seen: make(chan struct{})}
	var errOut syncWriter
	code := make(chan int, 1)
	go func() {
		code <- run(context.Background(), checkArgs(url, "--wait", "10s", "--run", "^notify/request/cdata$"), stdio{
			Stdin: strings.NewReader(""), Stdout: out, Stderr: &errOut,
			Getenv:   func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] },
			Terminal: func(io.Writer) bool { return true },
		})
	}()
	select {
	case <-out.seen:
	case c := <-code:
		t.Fatalf("check ended (exit %d) without showing what it waits for:\n%q", c, out.String())
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: sound(checkKey)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	if c := <-code; c != 0 {
		t.Fatalf("with --wait: exit %d\n%q\n%s", c, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "\r\x1b[K") {
		t.Errorf("the wait indicator is not erased:\n%q", out.String())
	}
}

// watchWriter is a terminal's output that closes seen once it shows want.
type watchWriter struct {
	syncWriter
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	n, err := w.syncWriter.Write(p)
	if strings.Contains(w.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

// syncWriter is a buffer written by one goroutine and read by another.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestCheckFormats: --format json and --json - put the JSON document alone
// on standard output (progress goes to standard error); --junit - the
// JUnit one; two reports for standard output are refused.
func TestCheckFormats(t *testing.T) {
	url := serve(t, sound(checkKey))
	sel := []string{"--run", "^(notify/request/cdata|security/signature/wrong)$"}
	for _, args := range [][]string{{"--format", "json"}, {"--json", "-"}, {"--format", "json", "--json", "-"}} {
		r := runCLI(t, "", nil, checkArgs(url, append(sel, args...)...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		var doc struct {
			Summary string
			Results []struct{ ID string }
		}
		if err := dec.Decode(&doc); err != nil || len(doc.Results) != 2 {
			t.Errorf("%v: stdout is not the JSON report: %v\n%s", args, err, r.stdout)
		}
		if _, err := dec.Token(); err != io.EOF {
			t.Errorf("%v: more than one document on stdout: %v", args, err)
		}
		if !strings.Contains(r.stderr, "[1/2] PASS  notify/request/cdata") || !strings.Contains(r.stderr, doc.Summary) {
			t.Errorf("%v: no progress or summary on stderr:\n%s", args, r.stderr)
		}
	}
	r := runCLI(t, "", nil, checkArgs(url, append(sel, "--junit", "-")...)...)
	var junit struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &junit); err != nil || junit.Tests != 3 || r.code != 0 {
		t.Errorf("--junit -: exit %d, %v, tests=%d\n%s", r.code, err, junit.Tests, r.stdout)
	}
	for _, args := range [][]string{{"--format", "json", "--junit", "-"}, {"--json", "-", "--junit", "-"}, {"--format", "yaml"}} {
		if r := runCLI(t, "", nil, checkArgs(url, args...)...); r.code != 2 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want a usage error", args, r.code, r.stdout)
		}
	}
}

// TestCheckReportPathsFirst: a report path that cannot be written is a
// usage error before any case runs.
func TestCheckReportPathsFirst(t *testing.T) {
	url, n := counting(t, sound(checkKey))
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--json", filepath.Join(dir, "no-such-dir", "r.json")},
		{"--junit", dir},
	} {
		r := runCLI(t, "", nil, checkArgs(url, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, args[0]+" "+args[1]) || n.Load() != 0 {
			t.Errorf("%v: exit %d, %d requests, stderr %q; want 2 before any request", args, r.code, n.Load(), r.stderr)
		}
	}
}

// TestCheckProgressAndColour: each case's line as it ends, with a
// counter; colours on a terminal, none with NO_COLOR or off a terminal.
func TestCheckProgressAndColour(t *testing.T) {
	url := serve(t, sound(checkKey))
	args := checkArgs(url, "--run", "^security/signature/")
	r := runCLIWith(t, cli{terminal: true}, args...)
	for _, want := range []string{"[0/4] \x1b[32mPASS\x1b[0m  control\n", "[1/4] \x1b[32mPASS\x1b[0m  security/signature/wrong\n", "[4/4] \x1b[32mPASS\x1b[0m  security/signature/empty\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, c := range []cli{{terminal: true, env: map[string]string{"NO_COLOR": "1"}}, {}} {
		if r := runCLIWith(t, c, args...); strings.Contains(r.stdout, "\x1b[") || !strings.Contains(r.stdout, "[1/4] PASS  security/signature/wrong\n") {
			t.Errorf("terminal %v, env %v: escapes or no counter:\n%q", c.terminal, c.env, r.stdout)
		}
	}
}

// TestCheckWrongKey: a merchant configured with another key refuses every
// valid notification: the cause comes first, once, with one exchange,
// and the report is short.
func TestCheckWrongKey(t *testing.T) {
	t.Parallel()
	url := serve(t, sound("another-merchant-key-0123456789"))
	r := runCLI(t, "", nil, checkArgs(url)...)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if !strings.Contains(lines[2], "likely cause: is --paysignkey (Options.PaySignKey) the merchant's key?") {
		t.Errorf("the cause does not follow the control at the top:\n%s", strings.Join(lines[:4], "\n"))
	}
	details := r.stdout[strings.Index(r.stdout, "\nCause first: "):]
	if n := strings.Count(details, "\n"); n > 45 {
		t.Errorf("the details take %d lines:\n%s", n, details)
	}
	if n := strings.Count(r.stdout, "> POST "); n != 1 {
		t.Errorf("%d exchanges printed, want 1", n)
	}
	if !strings.Contains(details, "Symptom:      valid notifications were answered HTTP 401: AppSignature does not match") {
		t.Errorf("no symptom:\n%s", details)
	}
	if len(lines) > 50 {
		t.Errorf("%d lines in all, want one screen (50 at most):\n%s", len(lines), r.stdout)
	}
	if !strings.Contains(r.stdout, "] the same as the control: ..........") || !strings.Contains(r.stdout, "] SKIP  likewise: ..........") {
		t.Errorf("the cases that fail like the control, or skip alike, are not folded:\n%s", r.stdout)
	}
	t.Logf("a wrong key: %d lines in all, %d after the case lines", len(lines), strings.Count(details, "\n"))
}

// TestCheckInterrupted: Ctrl-C during a case reports it INTERRUPTED, not
// FAIL, writes the reports of the cases run so far, whole, and exits 130.
func TestCheckInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var n atomic.Int64
	base := sound(checkKey)
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 6 {
			cancel(interruption{os.Interrupt}) // Ctrl-C while the merchant handles it
			io.Copy(io.Discard, r.Body)
			select { // the suite hangs up
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		base.ServeHTTP(w, r)
	}))
	dir := t.TempDir()
	jsonFile, junitFile := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	if err := os.WriteFile(junitFile, []byte("an earlier report"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLIWith(t, cli{ctx: ctx}, checkArgs(url, "--json", jsonFile, "--junit", junitFile)...)
	if r.code != 130 {
		t.Fatalf("exit %d, want 130\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Count(r.stdout, "INTERRUPTED notify/request/") != 1 || strings.Contains(r.stdout, "FAIL") {
		t.Errorf("want the case running reported INTERRUPTED and none FAIL:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "interrupted: the report holds the cases run so far") {
		t.Errorf("no word of the interruption:\n%s", r.stdout)
	}
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Interrupted bool
		Results     []struct{ ID, Status string }
	}
	err = json.Unmarshal(b, &doc)
	statuses := map[string]int{}
	for _, res := range doc.Results {
		statuses[res.Status]++
	}
	if err != nil || !doc.Interrupted || statuses["interrupted"] != 1 || statuses["pass"] != 4 {
		t.Errorf("JSON report: %v, interrupted %v, statuses %v; want 4 passes, then the interrupted case", err, doc.Interrupted, statuses)
	}
	if b, _ := os.ReadFile(junitFile); !bytes.HasPrefix(b, []byte("<?xml")) {
		t.Errorf("JUnit report not rewritten whole: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in the report directory, want the 2 reports and no leftover", len(entries))
	}
}

// TestCheckChaos: the campaign prints its seed first, and a failure names
// it again with the command line that replays it.
func TestCheckChaos(t *testing.T) {
	url := serve(t, sound(checkKey))
	r := runCLI(t, "", nil, checkArgs(url, "--chaos", "60", "--seed", "5", "--run", "^chaos/")...)
	if r.code != 0 || !strings.Contains(r.stdout, "chaos campaign: 60 complaints, seed 5 (the same seed replays it: --chaos 60 --seed 5)") ||
		!strings.Contains(r.stdout, "PASS  chaos/campaign: 60 complaints,") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A merchant that answers every notification 409 after the first
	// time: a copy that came first makes it refuse WeChat's delivery.
	base := sound(checkKey)
	var mu atomic.Pointer[map[string]bool]
	seen := map[string]bool{}
	mu.Store(&seen)
	var lock = make(chan struct{}, 1)
	url = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		lock <- struct{}{}
		dup := seen[string(body)]
		seen[string(body)] = true
		<-lock
		if dup {
			http.Error(w, "duplicate", http.StatusConflict)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		base.ServeHTTP(w, r)
	}))
	r = runCLI(t, "", nil, checkArgs(url, "--chaos", "60", "--run", "^chaos/")...)
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL  chaos/campaign: ") || !strings.Contains(r.stdout, "reproduce with --chaos 60 --seed ") {
		t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestCheckEscapesTheMerchantsAnswer: a merchant whose answer holds escape
// sequences and a NUL cannot act on the terminal that runs check (the
// text output holds no control character but line breaks), nor break the
// JUnit report (it parses).
func TestCheckEscapesTheMerchantsAnswer(t *testing.T) {
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\x1b]0;owned\x07\x00\x1b[2J")
	}))
	junitFile := filepath.Join(t.TempDir(), "r.xml")
	r := runCLI(t, "", nil, checkArgs(url, "--run", "^(notify/request/cdata|security/signature/)", "--junit", junitFile)...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (the signature cases fail)\n%q", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, `ok\x1b]0;owned\a\x00\x1b[2J`) {
		t.Errorf("stdout does not show the answer, escaped:\n%s", r.stdout)
	}
	for i, c := range []byte(r.stdout + r.stderr) {
		if c < 0x20 && c != '\n' || c == 0x7f {
			t.Fatalf("the output holds byte %#x at %d:\n%q", c, i, r.stdout)
		}
	}
	b, err := os.ReadFile(junitFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the JUnit report is not well-formed XML: %v\n%s", err, b)
		}
	}
}

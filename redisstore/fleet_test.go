package redisstore_test

// The fleet tests run several OS processes against one real Redis and one
// fake WeChat: the test binary starts copies of itself, which TestMain
// turns into token clients or middleware servers (the child role is in
// the environment), driven over their standard input and output.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/redisstore"
)

// The environment of a child process.
const (
	envRole   = "PAYFEEDBACK_FLEET_CHILD" // "token" or "middleware"
	envRedis  = "PAYFEEDBACK_FLEET_REDIS"
	envPrefix = "PAYFEEDBACK_FLEET_PREFIX"
	envBase   = "PAYFEEDBACK_FLEET_BASE_URL"
	envAppID  = "PAYFEEDBACK_FLEET_APPID"
	envSecret = "PAYFEEDBACK_FLEET_SECRET"
	envKey    = "PAYFEEDBACK_FLEET_KEY"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(envRole); role != "" {
		os.Exit(runChild(role, os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// runChild runs a child role until its standard input closes.
func runChild(role string, in io.Reader, out io.Writer) int {
	opts, err := redis.ParseURL(os.Getenv(envRedis))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	// Fail fast while Redis is down: one dial, one retry.
	opts.MaxRetries, opts.DialerRetries, opts.DialTimeout = 1, 1, time.Second
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	switch role {
	case "token":
		err = tokenChild(rdb, in, out)
	case "middleware":
		err = middlewareChild(rdb, in, out)
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// tokenChild is one instance of a service with a Client on the shared
// TokenStore. Each line "round <unix ns>" sets its clock (the fake's
// virtual time) and asks for a token from 16 goroutines at once; it answers
// "tokens <distinct values>" or "error <text>".
func tokenChild(rdb *redis.Client, in io.Reader, out io.Writer) error {
	var now atomic.Int64
	c, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: os.Getenv(envAppID), Secret: os.Getenv(envSecret), BaseURL: os.Getenv(envBase),
		TokenStore: redisstore.NewTokenStore(rdb, redisstore.TokenOptions{Prefix: os.Getenv(envPrefix)}),
		Now:        func() time.Time { return time.Unix(0, now.Load()) },
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "ready")
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		at, ok := strings.CutPrefix(lines.Text(), "round ")
		if !ok {
			continue
		}
		ns, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return err
		}
		now.Store(ns)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		var (
			mu     sync.Mutex
			values = map[string]bool{}
			errs   []string
			wg     sync.WaitGroup
		)
		for range 16 {
			wg.Go(func() {
				tok, err := c.Token(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err.Error())
					return
				}
				values[tok.Value] = true
			})
		}
		wg.Wait()
		cancel()
		if len(errs) > 0 {
			fmt.Fprintln(out, "error", errs[0])
			continue
		}
		var vs []string
		for v := range values {
			vs = append(vs, v)
		}
		fmt.Fprintln(out, "tokens", strings.Join(vs, ","))
	}
	return lines.Err()
}

// middlewareChild is one instance of a service receiving notifications
// through the middleware on the shared ReplayStore. It prints "addr <URL>",
// serves until its standard input closes, then prints "handled <FeedBackId>
// <runs>" per notification its handler ran for, "outcome <name> <count>"
// per outcome, "met <count>" for the claims that found a copy in progress
// in another process or this one, and "done".
func middlewareChild(rdb *redis.Client, in io.Reader, out io.Writer) error {
	var (
		mu       sync.Mutex
		runs     = map[string]int{}
		outcomes = map[middleware.Outcome]int{}
	)
	store := &meetingStore{ReplayStore: redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: os.Getenv(envPrefix)})}
	d := middleware.Dispatcher{OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
		// The handler's own work takes 2 ms, so that copies sent together
		// overlap in time (not a wait for anything: the counts the test
		// checks hold however much they overlap).
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		runs[n.FeedBackID]++
		return nil
	}}
	h := middleware.New(middleware.Config{
		Keys:   middleware.StaticKeys{os.Getenv(envAppID): os.Getenv(envKey)},
		Replay: store,
		Metrics: middleware.MetricsFunc(func(o middleware.Observation) {
			mu.Lock()
			defer mu.Unlock()
			outcomes[o.Outcome]++
		}),
		// Short, so that a claim whose answer a dying Redis lost does not
		// hold its notification for a minute.
		ClaimTTL: 2 * time.Second, InFlightWait: time.Second,
	})(d)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(out, "addr http://%s/\n", ln.Addr())
	_, _ = io.Copy(io.Discard, in)
	// Every delivery has been answered by now: wait for the handlers still
	// running, not for connections the sender opened and never used.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	w := bufio.NewWriter(out)
	for id, n := range runs {
		fmt.Fprintln(w, "handled", id, n)
	}
	for o, n := range outcomes {
		fmt.Fprintln(w, "outcome", o, n)
	}
	fmt.Fprintln(w, "met", store.met.Load())
	fmt.Fprintln(w, "done")
	return w.Flush()
}

// meetingStore counts the claims that found an identical copy in progress.
type meetingStore struct {
	middleware.ReplayStore
	met atomic.Int64
}

func (s *meetingStore) Claim(ctx context.Context, key string, fp middleware.Fingerprint, lease, keep time.Duration) (middleware.ClaimResult, error) {
	res, err := s.ReplayStore.Claim(ctx, key, fp, lease, keep)
	if res == middleware.ClaimInProgress {
		s.met.Add(1)
	}
	return res, err
}

// child is a running child process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for concurrent use: a child writes its
// standard error while the test may print it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startChild starts the test binary in role with env (NAME=value).
func startChild(t *testing.T, role string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, envRole+"="+role,
		// A race-enabled child would otherwise sleep a second on exit.
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 4096), stderr: new(syncBuffer)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		c.stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s child: %v\n%s", role, err, c.stderr)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("%s child did not stop\n%s", role, c.stderr)
		}
	})
	return c
}

// line returns the child's next line of output, failing after a while.
func (c *child) line(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			t.Fatalf("child exited early\n%s", c.stderr)
		}
		return l
	case <-time.After(30 * time.Second):
		t.Fatalf("child said nothing for 30 s\n%s", c.stderr)
	}
	return ""
}

// send writes a line to the child's standard input.
func (c *child) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// report is what middleware children report once stopped, added up.
type report struct {
	runs     map[string]int // handler runs per FeedBackId
	outcomes map[string]int // requests per outcome
	met      int            // claims that found a copy in progress
}

// stop closes the standard input of middleware children and adds up what
// they report.
func stop(t *testing.T, children []*child) report {
	t.Helper()
	r := report{runs: map[string]int{}, outcomes: map[string]int{}}
	for _, c := range children {
		c.stdin.Close()
		for {
			l := c.line(t)
			if l == "done" {
				break
			}
			var (
				kind, name string
				n          int
			)
			if _, err := fmt.Sscanf(l, "%s %s %d", &kind, &name, &n); err != nil {
				if _, err := fmt.Sscanf(l, "met %d", &n); err != nil {
					t.Fatalf("child: %q: %v", l, err)
				}
				r.met += n
				continue
			}
			switch kind {
			case "handled":
				r.runs[name] += n
			case "outcome":
				r.outcomes[name] += n
			}
		}
	}
	return r
}

// startMiddlewares starts n middleware children on the Redis at url and
// returns them with their URLs.
func startMiddlewares(t *testing.T, n int, url, prefix string) ([]*child, []string) {
	t.Helper()
	var children []*child
	var urls []string
	for range n { // all start at once, then say where they listen
		children = append(children, startChild(t, "middleware", envRedis+"="+url, envPrefix+"="+prefix,
			envAppID+"="+fleetAppID, envKey+"="+fleetKey))
	}
	for _, c := range children {
		addr, ok := strings.CutPrefix(c.line(t), "addr ")
		if !ok {
			t.Fatalf("middleware child did not give its address\n%s", c.stderr)
		}
		urls = append(urls, addr)
	}
	return children, urls
}

// The account the middleware children serve.
const (
	fleetAppID = "wxf1ee7f1ee7f1ee70"
	fleetKey   = "fleet-test-paySignKey-not-a-secret-0123456789"
)

// fleetNotifications returns n signed request notifications, FeedBackIds
// "fb-0"…, signed now.
func fleetNotifications(t *testing.T, n int) [][]byte {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	bodies := make([][]byte, n)
	for i := range bodies {
		nt := &payfeedback.Notification{
			AppID: fleetAppID, TimeStamp: ts, OpenID: "o-fleet-" + strconv.Itoa(i),
			MsgType: payfeedback.MsgRequest, FeedBackID: "fb-" + strconv.Itoa(i), TransID: "t" + strconv.Itoa(i),
			Reason: "商品质量有问题", Solution: "补发货给我",
		}
		if err := nt.Sign(fleetKey); err != nil {
			t.Fatal(err)
		}
		b, err := nt.Encode()
		if err != nil {
			t.Fatal(err)
		}
		bodies[i] = b
	}
	return bodies
}

// sender delivers notifications the way WeChat does: again after any
// answer but 2xx, until acknowledged. It counts the 503 answers and those
// without Retry-After.
type sender struct {
	hc          *http.Client
	unavailable atomic.Int64
	noRetry     atomic.Int64
	other       atomic.Int64
}

func newSender() *sender {
	return &sender{hc: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func (s *sender) deliver(ctx context.Context, url string, body []byte) error {
	for {
		resp, err := s.hc.Post(url, "text/xml", bytes.NewReader(body))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusOK:
				return nil
			case resp.StatusCode == http.StatusServiceUnavailable:
				s.unavailable.Add(1)
				if resp.Header.Get("Retry-After") == "" {
					s.noRetry.Add(1)
				}
			default:
				s.other.Add(1)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not acknowledged (last error %v): %w", err, ctx.Err())
		case <-time.After(20 * time.Millisecond): // Retry-After says 1 s; the test is in a hurry
		}
	}
}

// TestFleetTokenOneRequest: 4 processes × 16 goroutines ask for a token at
// once: exactly one token request reaches the fake, and exactly one more
// after the token expired on the virtual clock.
func TestFleetTokenOneRequest(t *testing.T) {
	url := redisURL(t)
	rdb := newRedis(t)
	prefix := freshPrefix(t, rdb)
	clock := mockwechat.NewVirtualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clock})
	defer fake.Close()
	acct := mockwechat.DemoAccount()
	var children []*child
	for range 4 {
		children = append(children, startChild(t, "token", envRedis+"="+url, envPrefix+"="+prefix, envBase+"="+fake.URL,
			envAppID+"="+acct.AppID, envSecret+"="+acct.Secret))
	}
	for _, c := range children {
		if l := c.line(t); l != "ready" {
			t.Fatalf("token child: %q\n%s", l, c.stderr)
		}
	}
	tokenCalls := func() int {
		n := 0
		for _, c := range fake.Calls() {
			if c.Endpoint == payfeedback.PathToken {
				n++
			}
		}
		return n
	}
	round := func() string {
		t.Helper()
		at := "round " + strconv.FormatInt(clock.Now().UnixNano(), 10)
		for _, c := range children {
			c.send(t, at)
		}
		token := ""
		for i, c := range children {
			l := c.line(t)
			got, ok := strings.CutPrefix(l, "tokens ")
			if !ok || strings.Contains(got, ",") || (token != "" && got != token) {
				t.Fatalf("child %d: %q, want the one token the others got (%q)", i, l, token)
			}
			token = got
		}
		return token
	}
	first := round()
	if n := tokenCalls(); n != 1 {
		t.Fatalf("%d token requests for 4 processes × 16 goroutines, want 1", n)
	}
	clock.Advance(2 * time.Hour) // the token expired
	second := round()
	if n := tokenCalls(); n != 2 {
		t.Fatalf("%d token requests after expiry, want 2", n)
	}
	if second == first {
		t.Fatalf("the same token %q after expiry", second)
	}
}

// TestFleetOnceEach: 4 middleware processes behind a round-robin sender
// receive 3 copies of each of 1,000 notifications at once; every handler
// runs exactly once.
func TestFleetOnceEach(t *testing.T) {
	url := redisURL(t)
	rdb := newRedis(t)
	children, urls := startMiddlewares(t, 4, url, freshPrefix(t, rdb))
	const notifications, copies = 1000, 3
	bodies := fleetNotifications(t, notifications)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := newSender()
	jobs := make(chan int)
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range 48 {
		wg.Go(func() {
			for j := range jobs {
				// Copies of one notification go to consecutive processes,
				// nearly at the same time.
				if err := s.deliver(ctx, urls[j%len(urls)], bodies[j/copies]); err != nil {
					failures.Add(1)
					t.Error(err)
				}
			}
		})
	}
	for j := range notifications * copies {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	if failures.Load() > 0 {
		t.FailNow()
	}
	s.hc.CloseIdleConnections()
	r := stop(t, children)
	for i := range notifications {
		if n := r.runs["fb-"+strconv.Itoa(i)]; n != 1 {
			t.Errorf("fb-%d handled %d times, want 1", i, n)
		}
	}
	if len(r.runs) != notifications {
		t.Errorf("%d notifications handled, want %d", len(r.runs), notifications)
	}
	if acc, dup := r.outcomes["accepted"], r.outcomes["duplicate"]; acc != notifications || dup != notifications*(copies-1) {
		t.Errorf("%d accepted and %d duplicates, want %d and %d", acc, dup, notifications, notifications*(copies-1))
	}
	t.Logf("%d claims found a copy in progress; %d answers 503 (in flight too long), %d other refusals",
		r.met, s.unavailable.Load(), s.other.Load())
}

// TestFleetRedisRestart: Redis is killed in the middle of a run and started
// again. While it is down the middleware answers 503 with Retry-After, and
// a Client whose TokenStore is on it returns the store's error without
// asking WeChat; once it is back, every notification is handled: none is
// lost.
func TestFleetRedisRestart(t *testing.T) {
	srv := startRedisServer(t)
	children, urls := startMiddlewares(t, 2, srv.url(), "restart:")
	const notifications = 300
	bodies := fleetNotifications(t, notifications)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := newSender()
	var acked atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for j := range jobs {
				if err := s.deliver(ctx, urls[j%len(urls)], bodies[j]); err != nil {
					t.Error(err)
					continue
				}
				acked.Add(1)
			}
		})
	}
	go func() {
		defer close(jobs)
		for j := range notifications {
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()

	waitFor(t, ctx, "100 notifications acknowledged", func() bool { return acked.Load() >= 100 })
	srv.kill(t)
	waitFor(t, ctx, "20 answers 503 while Redis is down", func() bool { return s.unavailable.Load() >= 20 })

	// A client on the unreachable store fails, and leaves WeChat alone.
	fake := mockwechat.NewServer(mockwechat.Options{})
	defer fake.Close()
	acct := mockwechat.DemoAccount()
	down := redis.NewClient(&redis.Options{Addr: srv.addr, MaxRetries: -1, DialerRetries: 1})
	defer down.Close()
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: acct.AppID, Secret: acct.Secret,
		BaseURL: fake.URL, TokenStore: redisstore.NewTokenStore(down, redisstore.TokenOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Token(ctx)
	var opErr *net.OpError
	if !errors.As(err, &opErr) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Token with Redis down: %v, want an error wrapping the store's connection error", err)
	}
	if calls := fake.Calls(); len(calls) != 0 {
		t.Errorf("the client asked WeChat %d times while its store was down (%s), want 0", len(calls), calls[0].Endpoint)
	}

	srv.start(t)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if n := s.noRetry.Load(); n != 0 {
		t.Errorf("%d answers 503 without Retry-After", n)
	}
	s.hc.CloseIdleConnections()
	runs := stop(t, children).runs
	for i := range notifications {
		if n := runs["fb-"+strconv.Itoa(i)]; n < 1 {
			t.Errorf("fb-%d was never handled: lost", i)
		}
	}
	t.Logf("%d answers 503 while Redis was down; %d notifications handled more than once", s.unavailable.Load(), func() int {
		more := 0
		for _, n := range runs {
			if n > 1 {
				more++
			}
		}
		return more
	}())
}

// waitFor polls cond until it holds, failing when ctx ends first.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// redisServer is a redis-server of the test's own, on a free loopback port,
// without persistence.
type redisServer struct {
	bin  string
	addr string
	cmd  *exec.Cmd
	dir  string
}

// startRedisServer starts a redis-server. Without the binary it skips, or
// fails when PAYFEEDBACK_REDIS_URL is set (CI installs it).
func startRedisServer(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(redisURLVar) != "" {
			t.Fatalf("redis-server not found (%v): this test starts its own; install it (apt-get install redis-server)", err)
		}
		t.Skip(howToRun + "\nThis test also starts a redis-server of its own: install it.")
	}
	s := &redisServer{bin: bin, addr: closedPort(t), dir: t.TempDir()}
	s.start(t)
	t.Cleanup(func() {
		if s.cmd != nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
	})
	return s
}

func (s *redisServer) url() string { return "redis://" + s.addr + "/0" }

// start runs the server and waits until it answers PING.
func (s *redisServer) start(t *testing.T) {
	t.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	s.cmd = exec.Command(s.bin, "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no", "--dir", s.dir)
	var out bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer PING:\n%s", s.addr, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kill stops the server at once, as a crash would.
func (s *redisServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Command middlewareload serves the load test of scripts/middleware-load.sh:
// on 127.0.0.1 it serves an empty handler (the net/http floor) and the same
// route behind the payfeedback middleware and a Dispatcher, and writes a wrk
// Lua script that POSTs signed notifications to either.
//
// The notifications are -bodies distinct documents (distinct OpenIds, so
// distinct signatures), all signed at start-up. Each wrk thread cycles
// through its own share, by default 15,000 bodies, through a replay store of
// 10,000 entries (the default), set to forget the oldest entry when full
// (ForgetWhenFull; the default refuses instead): a
// body has always been forgotten by the time it comes round again, so every
// request takes the full path: decode, verify, fingerprint, claim (evicting,
// the worst case), dispatch, complete. With -mode dup, one body is
// sent again and again: verified, then acknowledged as a duplicate.
//
// It also serves the steps of the middleware's path one by one ("step-read",
// "step-decode", "step-verify", "step-claim": see steps.go), for the floor
// analysis: each answers as the Dispatcher does after doing only that much.
//
// It prints "empty URL", "middleware URL", the steps' URLs and "ready", then serves until
// interrupted or until its standard input closes; a line "reset" on its
// standard input replaces the middleware by a fresh one (a new, empty replay
// store) and is answered "reset N". On exit it prints how many
// requests the middleware received and how many notifications the
// Dispatcher handled (the difference: duplicates acknowledged).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

const (
	appID = "wxf8b4f85f3a794e77"
	// key is a load-test key, not a secret of anyone.
	key  = "load-test-paySignKey-0123456789abcdefghijklmnopqrstuvwxyz"
	path = "/wechat/payfeedback"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "middlewareload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("middlewareload", flag.ContinueOnError)
	nBodies := fs.Int("bodies", 0, "distinct signed notifications in the Lua script (0: 15,000 per wrk thread)")
	threads := fs.Int("threads", 2, "wrk threads (-t); each sends its own share of the bodies")
	mode := fs.String("mode", "new", "new: every request a notification the store forgot; dup: one notification again and again")
	luaPath := fs.String("lua", "middleware-load.lua", "where to write the wrk Lua script")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole serving time to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *threads < 1 {
		return errors.New("-threads must be at least 1")
	}
	switch *mode {
	case "new":
		if *nBodies == 0 {
			*nBodies = 15000 * *threads
		}
		// A thread comes back to a body after sending its whole share; the
		// store must have forgotten it by then, even if the other threads
		// stalled meanwhile.
		if per := *nBodies / *threads; per <= middleware.DefaultMaxEntries {
			return fmt.Errorf("-bodies %d: want more than %d per thread, so the replay store (%d entries) forgets each before it comes back",
				*nBodies, middleware.DefaultMaxEntries, middleware.DefaultMaxEntries)
		}
	case "dup":
		*nBodies = 1
	default:
		return fmt.Errorf("-mode %q: want new or dup", *mode)
	}

	bodies, err := signedBodies(*nBodies, time.Now())
	if err != nil {
		return err
	}
	if err := writeLua(*luaPath, bodies, *threads); err != nil {
		return err
	}

	var handled, requests atomic.Int64
	empty := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "success")
	})
	// reader is the empty handler that also reads the body, the least
	// any real handler does.
	reader := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "success")
	})
	dispatcher := middleware.Dispatcher{
		OnRequest: func(context.Context, *payfeedback.Notification) error {
			handled.Add(1)
			return nil
		},
	}
	// A fresh middleware (and replay store) per run, so a run never meets
	// the bodies the previous one left in the store. The store forgets the
	// oldest entry when full (ForgetWhenFull): every request takes the
	// full path, eviction included, the worst case. (The default store
	// would refuse with 503 once full, which only an undersized store
	// meets.) The logger is the default: refusals only, none here.
	cfg := middleware.Config{Keys: middleware.StaticKeys{appID: key}}
	newStore := func() middleware.ReplayStore {
		return middleware.NewMemoryStore(middleware.MemoryOptions{WhenFull: middleware.ForgetWhenFull})
	}
	var verified atomic.Pointer[http.Handler]
	stepHandlers := make([]atomic.Pointer[http.Handler], len(steps))
	reset := func() {
		cfg.Replay = newStore()
		h := middleware.New(cfg)(dispatcher)
		verified.Store(&h)
		cfg.Replay = newStore()
		v, err := middleware.NewVerifier(cfg)
		if err != nil {
			panic(err)
		}
		for i, s := range steps {
			sh := s.h(v)
			stepHandlers[i].Store(&sh)
		}
	}
	reset()
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		(*verified.Load()).ServeHTTP(w, r)
	})
	mux := func(h http.Handler) http.Handler {
		m := http.NewServeMux()
		m.Handle("POST "+path, h)
		return m
	}
	servers := []struct {
		name string
		h    http.Handler
	}{{"empty", mux(empty)}, {"reader", mux(reader)}, {"middleware", mux(counted)}}
	for i, s := range steps {
		servers = append(servers, struct {
			name string
			h    http.Handler
		}{"step-" + s.name, mux(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			(*stepHandlers[i].Load()).ServeHTTP(w, r)
		}))})
	}
	errc := make(chan error, len(servers))
	var running []*http.Server
	for _, s := range servers {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 5 * time.Second}
		running = append(running, srv)
		go func() { errc <- srv.Serve(ln) }()
		fmt.Fprintf(stdout, "%s http://%s%s\n", s.name, ln.Addr(), path)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintln(stdout, "ready")

	// Each line "reset" on stdin starts a fresh middleware; EOF stops.
	stdinClosed := make(chan struct{})
	go func() {
		defer close(stdinClosed)
		lines := bufio.NewScanner(stdin)
		resets := 0
		for lines.Scan() {
			if strings.TrimSpace(lines.Text()) == "reset" {
				reset()
				resets++
				fmt.Fprintf(stdout, "reset %d\n", resets)
			}
		}
	}()
	select {
	case <-ctx.Done():
	case <-stdinClosed:
	case err := <-errc:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range running {
		_ = srv.Shutdown(shutdown)
	}
	fmt.Fprintf(stdout, "requests %d\nhandled %d\n", requests.Load(), handled.Load())
	return nil
}

// signedBodies returns n notifications signed at now, distinct by OpenId.
func signedBodies(n int, now time.Time) ([][]byte, error) {
	bodies := make([][]byte, n)
	for i := range bodies {
		nt := &payfeedback.Notification{
			AppID:      appID,
			TimeStamp:  strconv.FormatInt(now.Unix(), 10),
			OpenID:     "oDF3iY9P32sK_5GgYiRk" + strconv.Itoa(i),
			MsgType:    payfeedback.MsgRequest,
			FeedBackID: strconv.Itoa(5883726847655944563 + i),
			TransID:    "1219419901201309253115768232",
			Reason:     "商品质量有问题",
			Solution:   "补发货给我",
			ExtInfo:    "明天六点前联系我 18610847266",
			PicURLs:    []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"},
		}
		if err := nt.Sign(key); err != nil {
			return nil, err
		}
		b, err := nt.Encode()
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	return bodies, nil
}

// writeLua writes a wrk script POSTing the bodies in turn, each thread
// cycling through its own share (threads beyond the given count share the
// last one).
func writeLua(path string, bodies [][]byte, threads int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "-- generated by scripts/middlewareload: signed payfeedback notifications")
	fmt.Fprintln(w, "local bodies = {")
	for _, b := range bodies {
		if strings.Contains(string(b), "]==]") {
			return errors.New("a body holds the Lua long-string terminator")
		}
		fmt.Fprintf(w, "[==[%s]==],\n", b)
	}
	fmt.Fprintf(w, `}
local threads = %d
local per = math.max(1, math.floor(#bodies / threads))
local count = 0
local base = 0
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml"
function setup(thread)
  thread:set("tid", math.min(count, threads - 1))
  count = count + 1
end
function init(args)
  base = ((tid or 0) * per) %% #bodies
end
function request()
  i = (i + 1) %% per
  return wrk.format(nil, nil, nil, bodies[base + i + 1])
end
`, threads)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Command callbackload serves the load test of scripts/callback-load.sh:
// on 127.0.0.1 it serves three routes, and writes a wrk Lua script that
// POSTs signed, encrypted complaint callbacks to any of them:
//
//   - empty: an empty handler (the net/http floor);
//   - verify: a handler that reads the body and verifies its signature
//     with an apiv3.Verifier, and does nothing else: the floor of any
//     receiver that checks signatures (RSA verification dominates);
//   - callback: the middleware/callback middleware and a Dispatcher: read,
//     verify, decrypt, decode, claim, dispatch, complete.
//
// The callbacks are -bodies distinct notifications (distinct ids), signed
// at start-up with the current time (the signature window is five minutes:
// a run must end within it). The middleware remembers a handled callback
// for -keep (1 ms by default), so a body that comes round again is new
// again and every request takes the full path.
//
// It prints "empty URL", "verify URL", "callback URL" and "ready", then
// serves until its standard input closes or it is interrupted; on exit it
// prints how many callbacks the Dispatcher handled.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
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

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

const (
	pubKeyID = "PUB_KEY_ID_0000000000000000000000000000000042"
	// apiv3Key is a load-test key, not a secret of anyone.
	apiv3Key = "load-test-apiv3-key-0123456789ab"
	path     = "/wechat/complaints"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "callbackload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("callbackload", flag.ContinueOnError)
	n := fs.Int("bodies", 2000, "distinct signed callbacks")
	threads := fs.Int("threads", 2, "wrk threads (each cycles through its own share)")
	lua := fs.String("lua", "load.lua", "where to write the wrk script")
	keep := fs.Duration("keep", time.Millisecond, "how long the middleware remembers a handled callback")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	signer, err := apiv3.NewSigner(apiv3.SignerOptions{Key: key, Serial: pubKeyID})
	if err != nil {
		return err
	}
	verifier, err := apiv3.NewVerifier(apiv3.VerifierOptions{PublicKeyID: pubKeyID, PublicKey: &key.PublicKey})
	if err != nil {
		return err
	}
	opener, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: verifier, APIv3Key: apiv3Key})
	if err != nil {
		return err
	}
	reqs, err := signedCallbacks(*n, signer)
	if err != nil {
		return err
	}
	if err := writeLua(*lua, reqs, *threads); err != nil {
		return err
	}

	var handled atomic.Int64
	d := &callback.Dispatcher{Default: func(context.Context, *callback.Event) error {
		handled.Add(1)
		return nil
	}}
	mw := callback.New(callback.Config{Opener: opener, Keep: *keep, Logger: slog.New(slog.DiscardHandler)})(d)
	verifyOnly := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, apiv3.MaxNotificationSize+1))
		if err == nil {
			err = verifier.Verify(apiv3.SignatureHeadersOf(r.Header), body)
		}
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	empty := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var urls []string
	for _, h := range []http.Handler{empty, verifyOnly, mw} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		urls = append(urls, "http://"+ln.Addr().String()+path)
	}
	fmt.Fprintf(stdout, "empty %s\nverify %s\ncallback %s\nready\n", urls[0], urls[1], urls[2])

	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin)
		close(done)
	}()
	select {
	case <-ctx.Done():
	case <-done:
	}
	fmt.Fprintf(stdout, "handled %d\n", handled.Load())
	return nil
}

// signedCallback is one request of the Lua script.
type signedCallback struct {
	body                   []byte
	ts, nonce, sig, serial string
}

// signedCallbacks encrypts and signs n complaint callbacks with distinct
// ids, as WeChat sends them.
func signedCallbacks(n int, signer *apiv3.Signer) ([]signedCallback, error) {
	aead, err := apiv3.NewAEAD(apiv3Key)
	if err != nil {
		return nil, err
	}
	out := make([]signedCallback, n)
	for i := range out {
		plain := `{"complaint_id":"2002018202001010800` + fmt.Sprintf("%08d", i) + `","action_type":"` + string(complaints.ActionCreateComplaint) + `"}`
		res, err := aead.SealResource("", "", []byte(plain), nil)
		if err != nil {
			return nil, err
		}
		body := `{"id":"EV-load-` + strconv.Itoa(i) + `","create_time":"2027-01-15T16:00:00+08:00","resource_type":"encrypt-resource","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"algorithm":"` +
			res.Algorithm + `","ciphertext":"` + res.Ciphertext + `","nonce":"` + res.Nonce + `","associated_data":"","original_type":"complaint"}}`
		h := http.Header{}
		if err := signer.SignHeaders(h, []byte(body)); err != nil {
			return nil, err
		}
		sh := apiv3.SignatureHeadersOf(h)
		out[i] = signedCallback{body: []byte(body), ts: sh.Timestamp, nonce: sh.Nonce, sig: sh.Signature, serial: sh.Serial}
	}
	return out, nil
}

// writeLua writes a wrk script POSTing the callbacks in turn with their
// signature headers, each thread cycling through its own share.
func writeLua(path string, reqs []signedCallback, threads int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "-- generated by scripts/callbackload: signed complaint callbacks")
	fmt.Fprintln(w, "local reqs = {")
	for _, r := range reqs {
		if strings.Contains(string(r.body), "]==]") {
			return errors.New("a body holds the Lua long-string terminator")
		}
		fmt.Fprintf(w, "{[==[%s]==], %q, %q, %q, %q},\n", r.body, r.ts, r.nonce, r.sig, r.serial)
	}
	fmt.Fprintf(w, `}
local threads = %d
local per = math.max(1, math.floor(#reqs / threads))
local count = 0
local base = 0
local i = 0
function setup(thread)
  thread:set("tid", math.min(count, threads - 1))
  count = count + 1
end
function init(args)
  base = ((tid or 0) * per) %% #reqs
end
function request()
  i = (i + 1) %% per
  local r = reqs[base + i + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Wechatpay-Timestamp"] = r[2],
    ["Wechatpay-Nonce"] = r[3],
    ["Wechatpay-Signature"] = r[4],
    ["Wechatpay-Serial"] = r[5],
    ["Wechatpay-Signature-Type"] = "WECHATPAY2-SHA256-RSA2048",
  }, r[1])
end
`, threads)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Command payload is the Go half of scripts/pay-load.sh, the load test of
// the fake's signed Complaints 2.0 endpoints against their floor. Roles:
//
//	payload -role fake -addr A -keys DIR
//
// runs the fake (mockwechat with Options.Pay on the keys directory, which
// it writes when empty; the per-minute limits lifted, as a load test
// needs), files one complaint, prints its id on standard output and serves
// until SIGTERM or SIGINT.
//
//	payload -role floor -addr A -keys DIR -answer PATH=FILE [-answer PATH=FILE…]
//
// is the floor: a plain net/http server that answers a request for PATH
// with the bytes of FILE (the fake's own answer, captured once) signed
// anew with the same key the fake signs with (the fake's WeChat Pay
// public key's private half, from DIR), through apiv3.Signer, as the fake
// does: nothing else — no request verified, no world, no call log.
//
//	payload -role authorize -keys DIR -method GET -target PATH
//
// prints the Authorization header of a request signed by the keys
// directory's merchant (valid five minutes on the fake: WeChat's window).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// The fake's own files in a keys directory (mockwechat/internal/paykeys
// names them; a command of the repository cannot import that package).
const fileWeChatPayPrivateKey = "wechatpay_public_key_private.pem"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "payload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("payload", flag.ContinueOnError)
	role := fs.String("role", "", "fake, floor or authorize")
	addr := fs.String("addr", "127.0.0.1:18090", "listen on `HOST:PORT` (fake, floor)")
	keys := fs.String("keys", "", "the keys `DIR` (required)")
	answers := map[string][]byte{}
	fs.Func("answer", "floor: serve FILE's bytes, signed, at PATH (`PATH=FILE`; repeatable)", func(v string) error {
		path, file, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("want PATH=FILE")
		}
		b, err := os.ReadFile(file)
		answers[path] = b
		return err
	})
	method := fs.String("method", http.MethodGet, "authorize: the request's `method`")
	target := fs.String("target", "", "authorize: the request's path and query (`TARGET`)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keys == "" {
		return fmt.Errorf("-keys DIR is required")
	}
	switch *role {
	case "fake":
		return serveFake(ctx, *addr, *keys, stdout)
	case "floor":
		return serveFloor(ctx, *addr, *keys, answers)
	case "authorize":
		return authorize(*keys, *method, *target, stdout)
	}
	return fmt.Errorf("-role %q: want fake, floor or authorize", *role)
}

// lifted is every endpoint's per-minute limit lifted.
func lifted() map[complaints.Endpoint]int {
	m := map[complaints.Endpoint]int{}
	for _, e := range []complaints.Endpoint{complaints.EndpointList, complaints.EndpointDetail, complaints.EndpointHistory,
		complaints.EndpointResponse, complaints.EndpointComplete, complaints.EndpointRefundProgress, complaints.EndpointImmediateService,
		complaints.EndpointNotificationURL, complaints.EndpointImageUpload, complaints.EndpointImageDownload} {
		m[e] = -1
	}
	return m
}

func serveFake(ctx context.Context, addr, keys string, stdout io.Writer) error {
	fake := mockwechat.NewServer(mockwechat.Options{Addr: addr,
		Pay: &mockwechat.PayOptions{KeysDir: keys, PerMinute: lifted()}})
	defer fake.Close()
	c, err := fake.FilePayComplaint(ctx, mockwechat.PayComplaintSpec{Detail: "付款后没收到货，联系商家未回复"})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, c.Wire.ComplaintID)
	<-ctx.Done()
	return nil
}

func serveFloor(ctx context.Context, addr, keys string, answers map[string][]byte) error {
	signer, err := wechatPaySigner(keys)
	if err != nil {
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		answer, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if err := signer.SignHeaders(w.Header(), answer); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// wechatPaySigner is the fake's WeChat Pay public key's signer, from the
// keys directory: its private half and merchant.json's public_key_id.
func wechatPaySigner(dir string) (*apiv3.Signer, error) {
	key, err := apiv3.LoadPrivateKeyFile(filepath.Join(dir, fileWeChatPayPrivateKey))
	if err != nil {
		return nil, fmt.Errorf("%w (start the fake once with -keys DIR, it writes them)", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, apiv3.FileMerchant))
	if err != nil {
		return nil, err
	}
	var m struct {
		PublicKeyID string `json:"public_key_id"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return apiv3.NewSigner(apiv3.SignerOptions{Key: key, Serial: m.PublicKeyID})
}

func authorize(dir, method, target string, stdout io.Writer) error {
	k, err := apiv3.LoadMerchantKeys(dir)
	if err != nil {
		return err
	}
	s, err := k.Signer(nil)
	if err != nil {
		return err
	}
	a, err := s.Authorization(k.MchID, method, target, nil)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, a.String())
	return err
}

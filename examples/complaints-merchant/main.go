// Command complaints-merchant is a complete Complaints 2.0 merchant: it
// receives complaint callbacks with middleware/callback, and on a new
// complaint fetches its detail, replies, and (with --complete auto, the
// default) marks it complete with the complaints client; every other
// callback refreshes its record from the detail.
//
//	complaints-merchant --addr 127.0.0.1:8090 --api https://api.mch.weixin.qq.com --keys ./keys
//
// --keys names a directory holding apiclient_key.pem (the merchant's API
// private key, PKCS#8), pub_key.pem (the WeChat Pay public key it trusts)
// and merchant.json ({"mchid","serial_no","apiv3_key","public_key_id"}):
// the layout `payfeedback mock --pay-keys DIR` writes, so pointing --api
// at the fake and --keys at its directory makes a working pair. A merchant
// on platform certificates leaves out pub_key.pem and public_key_id: the
// certificates are downloaded at start. A merchant with the public key also
// asks for the certificates, in the background, and trusts both when WeChat
// still serves them: during WeChat's switch from certificates to the public
// key, callbacks come signed with either; a merchant on the public key
// alone is answered that there are none, and goes on with the key. WeChat
// replaces its platform certificates (they expire): a callback signed with
// a certificate serial the merchant does not know is refused (401; WeChat
// retries it) and the certificates are downloaded again, at most once a
// minute (RefreshEvery), so the retry verifies.
//
// At start it registers its callback URL with WeChat (--notify-url,
// default http://ADDR/wechat/complaints): created, or updated when another
// is registered. A failed registration is logged and the merchant keeps
// receiving: the URL may be set in the merchant platform instead.
//
// Its own endpoints: GET /complaints lists what it recorded; POST
// /complaints/{id}/complete completes one (for --complete manual).
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

// CallbackPath is where the merchant receives complaint callbacks.
const CallbackPath = "/wechat/complaints"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "complaints-merchant:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	addr, api, keys, notifyURL string
	policy                     Policy
}

func parse(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("complaints-merchant", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var policy string
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8090", "address to listen on (HOST:PORT)")
	fs.StringVar(&o.api, "api", apiv3.DefaultBaseURL, "WeChat Pay's API base URL (the fake's URL in tests)")
	fs.StringVar(&o.keys, "keys", "", "keys directory: apiclient_key.pem, pub_key.pem, merchant.json (required)")
	fs.StringVar(&o.notifyURL, "notify-url", "", "callback URL to register with WeChat (default http://ADDR"+CallbackPath+")")
	fs.StringVar(&policy, "complete", string(CompleteOnReceipt), "when to complete a complaint: auto (on receipt) or manual (POST /complaints/{id}/complete)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q: every option is a flag (see -h)", fs.Arg(0))
	case o.keys == "":
		return o, errors.New("--keys DIR is required: a directory with apiclient_key.pem, pub_key.pem and merchant.json")
	case policy != string(CompleteOnReceipt) && policy != string(CompleteManually):
		return o, fmt.Errorf("--complete %q: want auto or manual", policy)
	}
	o.policy = Policy(policy)
	return o, nil
}

// run serves until ctx ends. ready, when not nil, receives the listening
// address (tests).
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	keys, err := apiv3.LoadMerchantKeys(o.keys)
	if err != nil {
		return err
	}
	client, opener, verifier, err := connect(ctx, o.api, keys)
	if err != nil {
		return err
	}
	log.Info("keys loaded", "keys", keys.String(), "api", o.api)
	if keys.PublicKey != nil {
		go trustCertificates(ctx, o.api, keys, verifier, log)
	}

	m := NewMerchant(client, keys.MchID, o.policy, log)
	refresh := &certRefresher{api: o.api, keys: keys, v: verifier, log: log, now: time.Now}
	mux := http.NewServeMux()
	mux.Handle("POST "+CallbackPath, callback.New(callback.Config{Opener: opener, Logger: log, ErrorHandler: refresh.refuse})(m.Dispatcher()))
	m.Routes(mux)

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	log.Info("receiving complaint callbacks", "url", "http://"+addr+CallbackPath)

	notify := o.notifyURL
	if notify == "" {
		notify = "http://" + addr + CallbackPath
	}
	if err := register(ctx, client, notify); err != nil {
		log.Warn("callback URL not registered: receiving anyway (set it in the merchant platform instead)", "url", notify, "error", err)
	} else {
		log.Info("callback URL registered", "url", notify)
	}
	if ready != nil {
		ready <- addr
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// connect builds the client and the callback opener from the keys, and
// returns the verifier they share. Without pub_key.pem the platform
// certificates are needed at once; with it, trustCertificates adds them
// later if WeChat serves any.
func connect(ctx context.Context, api string, keys *apiv3.MerchantKeys) (*complaints.Client, *apiv3.Opener, *apiv3.Verifier, error) {
	signer, err := keys.Signer(nil)
	if err != nil {
		return nil, nil, nil, err
	}
	var certs []*x509.Certificate
	if keys.PublicKey == nil {
		if certs, err = fetchCertificates(ctx, api, keys, signer); err != nil {
			return nil, nil, nil, fmt.Errorf("no pub_key.pem, so the platform certificates are needed: %w", err)
		}
	}
	verifier, err := keys.Verifier(nil, certs...)
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := complaints.NewClient(complaints.ClientOptions{API: apiv3.ClientOptions{
		BaseURL: api, MchID: keys.MchID, Signer: signer, Verifier: verifier, UserAgent: "payfeedback-complaints-merchant",
		Retry: &apiv3.RetryPolicy{},
	}})
	if err != nil {
		return nil, nil, nil, err
	}
	opener, err := apiv3.NewOpener(apiv3.OpenerOptions{Verifier: verifier, APIv3Key: keys.APIv3Key})
	return client, opener, verifier, err
}

// fetchCertificates downloads the platform certificates: the first
// download vouches for itself (see apiv3.Client.DownloadCertificates).
func fetchCertificates(ctx context.Context, api string, keys *apiv3.MerchantKeys, signer *apiv3.Signer) ([]*x509.Certificate, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return apiv3.FetchCertificates(ctx, apiv3.ClientOptions{BaseURL: api, MchID: keys.MchID, Signer: signer, UserAgent: "payfeedback-complaints-merchant"}, keys.APIv3Key)
}

// trustCertificates adds the platform certificates WeChat still serves to
// a verifier that has the public key: during WeChat's switch from
// certificates to the public key, callbacks come signed with either. A
// merchant on the public key alone is answered RESOURCE_NOT_EXISTS, and
// the key stays the only one. When WeChat cannot be reached (it may start
// after the merchant, as a fake in CI does) it asks again, every 2 s
// doubling up to a minute, until ctx ends.
func trustCertificates(ctx context.Context, api string, keys *apiv3.MerchantKeys, v *apiv3.Verifier, log *slog.Logger) {
	signer, err := keys.Signer(nil)
	if err != nil {
		log.Error("platform certificates not asked for", "error", err)
		return
	}
	for wait := 2 * time.Second; ; wait = min(2*wait, time.Minute) {
		certs, err := fetchCertificates(ctx, api, keys, signer)
		var apiErr *apiv3.Error
		switch {
		case err == nil:
			if err := v.SetCertificates(certs); err != nil {
				log.Error("platform certificates not trusted", "error", err)
				return
			}
			log.Info("platform certificates trusted beside the public key (WeChat's switch)", "serials", v.Serials())
			return
		case errors.As(err, &apiErr):
			if apiErr.Code != apiv3.CodeResourceNotExists {
				log.Warn("platform certificates refused; trusting the public key only", "error", err)
			}
			return
		}
		log.Warn("platform certificates not fetched; asking again", "error", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// register sets the callback URL: created, or updated when another is
// registered already.
func register(ctx context.Context, c *complaints.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cur, err := c.QueryNotificationURL(ctx)
	var ae *apiv3.Error
	switch {
	case err == nil && cur.URL == url:
		return nil
	case err == nil:
		_, err = c.UpdateNotificationURL(ctx, url)
		return err
	case errors.As(err, &ae) && ae.Code == apiv3.CodeResourceNotExists:
		_, err = c.CreateNotificationURL(ctx, url)
		return err
	}
	return err
}

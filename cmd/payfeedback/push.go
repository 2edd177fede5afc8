package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
)

// pushCommand sends one signed complaint notification to a URL, as WeChat
// would, for a merchant poking their own endpoint by hand.
type pushCommand struct{}

func newPushCommand() *pushCommand { return &pushCommand{} }

func (*pushCommand) Name() string { return "push" }

func (*pushCommand) Synopsis() string {
	return "send one signed complaint notification to a URL, as WeChat would"
}

const pushUsage = `--url URL --appid A --paysignkey K [flags]

Builds a notification of --msgtype (request, confirm or reject), signs it
with the paySignKey, POSTs it to --url as text/xml and prints the status and
the body answered. Ids left out are generated and printed. Exit status 0 on
a 2xx answer, 1 otherwise (or on a connection error), 2 on a usage error.`

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func (c *pushCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback push --url http://127.0.0.1:9000/payfeedback --appid wx0123456789abcdef --paysignkey KEY --msgtype request"
	fs := newFlagSet(std, c.Name(), pushUsage)
	target := fs.String("url", "", "the merchant's payfeedback_url (`URL`)")
	var cred credentials
	cred.addAppIDFlag(fs)
	cred.addPaySignKeyFlag(fs)
	msgType := fs.String("msgtype", "request", "`kind` of notification: request, confirm or reject")
	openID := fs.String("openid", "", "the user's `openid` (default: generated)")
	feedbackID := fs.String("feedbackid", "", "the complaint `id` (default: generated, 19–20 digits)")
	transID := fs.String("transid", "", "the transaction `id` (request; default: generated)")
	reason := fs.String("reason", "", "the user's `reason`")
	solution := fs.String("solution", "", "the `solution` the user asks for (request)")
	extInfo := fs.String("extinfo", "", "free `note` with a phone number (request)")
	var pics stringList
	fs.Var(&pics, "pic", "a picture `URL` (repeat, at most 5; request)")
	timestamp := fs.String("timestamp", "", "TimeStamp, Unix `seconds` (default: now)")
	badSig := fs.Bool("bad-signature", false, "send a wrong AppSignature, to check the endpoint refuses it")
	timeout := durationFlag(fs, "timeout", 10*time.Second, "give up after this `duration`")
	dryRun := fs.Bool("dry-run", false, "print the document instead of sending it")
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	cred.secretsFromEnv(std)
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	if !*dryRun {
		u, err := url.Parse(*target)
		if *target == "" {
			return usageErrorf(hint, "--url is required")
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErrorf(hint, "--url %q is not an absolute http(s) URL", *target)
		}
	}
	if cred.AppID == "" {
		return usageErrorf(hint, "--appid is required")
	}
	if cred.PaySignKey == "" {
		return usageErrorf(hint, "--paysignkey is required (it signs the notification; it is never sent)")
	}
	t := payfeedback.MsgType(*msgType)
	if !t.Valid() {
		return usageErrorf(hint, "--msgtype %q: want request, confirm or reject", *msgType)
	}
	if len(pics) > payfeedback.MaxPictures {
		return usageErrorf(hint, "%d --pic given: a complaint has at most %d pictures", len(pics), payfeedback.MaxPictures)
	}
	if *timestamp == "" {
		*timestamp = strconv.FormatInt(time.Now().Unix(), 10)
	}
	n := payfeedback.Notification{AppID: cred.AppID, OpenID: *openID, TimeStamp: *timestamp, MsgType: t,
		FeedBackID: *feedbackID, TransID: *transID, Reason: *reason, Solution: *solution, ExtInfo: *extInfo, PicURLs: pics}
	if _, err := n.Unix(); err != nil {
		return usageErrorf(hint, "--timestamp %q is not Unix seconds (decimal digits)", *timestamp)
	}
	if n.OpenID == "" {
		n.OpenID = "o" + randomDigits(27)
	}
	if n.FeedBackID == "" {
		n.FeedBackID = "1" + randomDigits(19)
	}
	if n.TransID == "" && t == payfeedback.MsgRequest {
		n.TransID = "1" + randomDigits(27)
	}
	if err := n.Sign(cred.PaySignKey); err != nil {
		return err
	}
	if *badSig {
		n.AppSignature = strings.Repeat("0", 40)
	}
	body, err := n.Encode()
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	if *dryRun {
		_, err := fmt.Fprintf(std.Stdout, "%s\n", body)
		return err
	}
	fmt.Fprintf(std.Stderr, "pushing %s: openid %s feedbackid %s", t, n.OpenID, n.FeedBackID)
	if n.TransID != "" {
		fmt.Fprintf(std.Stderr, " transid %s", n.TransID)
	}
	fmt.Fprintf(std.Stderr, " timestamp %s\n", n.TimeStamp)

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, *target, bytes.NewReader(body))
	if err != nil {
		return usageErrorf(hint, "--url: %v", err)
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return exitCode(1, fmt.Errorf("POST %s: %w", *target, err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	fmt.Fprintf(std.Stdout, "HTTP %s\n%s\n", resp.Status, answer)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return exitCode(1, fmt.Errorf("the endpoint answered HTTP %d: not acknowledged", resp.StatusCode))
	}
	return nil
}

// randomDigits returns n random decimal digits.
func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err)
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}

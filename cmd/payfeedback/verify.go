package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
)

// verifyCommand decodes and verifies one notification.
type verifyCommand struct{}

func newVerifyCommand() *verifyCommand { return &verifyCommand{} }

func (*verifyCommand) Name() string { return "verify" }

func (*verifyCommand) Synopsis() string {
	return "decode and verify a notification (a file or standard input)"
}

// verifyResult is what --json prints.
type verifyResult struct {
	Valid        bool                      `json:"valid"`
	Error        string                    `json:"error,omitempty"`
	Notification *payfeedback.Notification `json:"notification,omitempty"`
}

func (c *verifyCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback verify --paysignkey KEY testdata/notifications/request_cdata_signed.xml"
	fs := newFlagSet(std, c.Name(), "--paysignkey K [--appid A] [--max-age D] [--json] [FILE|-]")
	var cred credentials
	cred.addAppIDFlag(fs)
	cred.addPaySignKeyFlag(fs)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	maxAge := durationFlag(fs, "max-age", 0, "refuse a TimeStamp older than this `duration` (0: do not judge age; samples are old)")
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	cred.secretsFromEnv(std)
	if fs.NArg() > 1 {
		return usageErrorf(hint, "one FILE at most, got %d", fs.NArg())
	}
	if cred.PaySignKey == "" {
		return usageErrorf(hint, "--paysignkey is required: verification never passes without a key")
	}
	body, err := readInput(std, fs.Arg(0), payfeedback.MaxNotificationSize)
	if err != nil {
		return err
	}
	n, err := payfeedback.ParseNotification(body)
	if err == nil {
		err = check(n, cred, *maxAge, time.Now())
	}
	if *asJSON {
		res := verifyResult{Valid: err == nil, Notification: n}
		if err != nil {
			res.Error = err.Error()
		}
		enc := json.NewEncoder(std.Stdout)
		enc.SetIndent("", "  ")
		if encErr := enc.Encode(res); encErr != nil {
			return encErr
		}
		if err != nil {
			return exitCode(1, nil)
		}
		return nil
	}
	if n != nil {
		printNotification(std.Stdout, n)
	}
	if err != nil {
		return exitCode(1, fmt.Errorf("invalid: %w", err))
	}
	fmt.Fprintln(std.Stdout, "valid: AppSignature verified")
	return nil
}

// check verifies the signature, and the AppId and age when asked for.
func check(n *payfeedback.Notification, cred credentials, maxAge time.Duration, now time.Time) error {
	if cred.AppID != "" && n.AppID != cred.AppID {
		return fmt.Errorf("AppId %q is not the expected --appid", n.AppID)
	}
	if err := n.Verify(cred.PaySignKey); err != nil {
		return err
	}
	if maxAge > 0 {
		if age := now.Sub(n.Time()); age > maxAge {
			return fmt.Errorf("TimeStamp is %s old, more than --max-age %s", age.Round(time.Second), maxAge)
		}
	}
	return nil
}

// printNotification writes the decoded fields, one a line.
func printNotification(w io.Writer, n *payfeedback.Notification) {
	var b strings.Builder
	row := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-13s %s\n", name+":", value)
		}
	}
	row("MsgType", string(n.MsgType))
	row("AppId", n.AppID)
	row("OpenId", n.OpenID)
	row("TimeStamp", n.TimeStamp+" ("+n.Time().UTC().Format(time.RFC3339)+")")
	row("FeedBackId", n.FeedBackID)
	row("TransId", n.TransID)
	row("Reason", n.Reason)
	row("Solution", n.Solution)
	row("ExtInfo", n.ExtInfo)
	row("SignMethod", n.SignMethod)
	row("AppSignature", n.AppSignature)
	for i, u := range n.PicURLs {
		row(fmt.Sprintf("PicUrl[%d]", i), u)
	}
	io.WriteString(w, b.String())
}

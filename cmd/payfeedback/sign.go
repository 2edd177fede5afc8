package main

import (
	"context"
	"fmt"

	"github.com/payfeedback/payfeedback"
)

// signCommand prints the AppSignature of a notification's signed fields.
type signCommand struct{}

func newSignCommand() *signCommand { return &signCommand{} }

func (*signCommand) Name() string { return "sign" }

func (*signCommand) Synopsis() string {
	return "print the AppSignature of appid, openid and timestamp"
}

func (c *signCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback sign --appid wx0123456789abcdef --paysignkey KEY --openid OPENID --timestamp 1369743511"
	fs := newFlagSet(std, c.Name(), "--appid A --paysignkey K --openid O --timestamp T")
	var cred credentials
	cred.addAppIDFlag(fs)
	cred.addPaySignKeyFlag(fs)
	openID := fs.String("openid", "", "the user's `openid`")
	timestamp := fs.String("timestamp", "", "Unix `seconds`, as sent in TimeStamp")
	showString := fs.Bool("show-string", false, "also print the string to sign, with the key masked")
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	cred.secretsFromEnv(std)
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	for _, f := range []struct{ name, value string }{
		{"--appid", cred.AppID}, {"--paysignkey", cred.PaySignKey}, {"--openid", *openID}, {"--timestamp", *timestamp},
	} {
		if f.value == "" {
			return usageErrorf(hint, "%s is required", f.name)
		}
	}
	n := payfeedback.Notification{AppID: cred.AppID, OpenID: *openID, TimeStamp: *timestamp}
	if _, err := n.Unix(); err != nil {
		return usageErrorf(hint, "--timestamp %q is not Unix seconds (decimal digits)", *timestamp)
	}
	if err := n.Sign(cred.PaySignKey); err != nil {
		return err
	}
	if *showString {
		fmt.Fprintln(std.Stderr, payfeedback.StringToSign([]payfeedback.Param{
			{Key: "appid", Value: n.AppID}, {Key: "openid", Value: n.OpenID}, {Key: "timestamp", Value: n.TimeStamp},
		}))
	}
	_, err := fmt.Fprintln(std.Stdout, n.AppSignature)
	return err
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/payfeedback/payfeedback"
)

// apiFlags are the flags of the subcommands that call the WeChat API
// (update, send): the account, the base URL, a timeout and logging.
type apiFlags struct {
	cred    credentials
	baseURL *string
	timeout *time.Duration
	verbose *bool
}

// addAPIFlags registers --appid, --secret, --base-url, --timeout and
// --verbose.
func addAPIFlags(fs *flag.FlagSet, std stdio) *apiFlags {
	a := &apiFlags{}
	a.cred.addAppIDFlag(fs)
	a.cred.addSecretFlag(fs)
	a.baseURL = addBaseURLFlag(fs, std, payfeedback.DefaultBaseURL)
	a.timeout = durationFlag(fs, "timeout", 30*time.Second, "give up after this `duration`")
	a.verbose = fs.Bool("verbose", false, "log each API call to standard error (never secrets nor tokens)")
	return a
}

// client checks the account flags and returns a client and a context
// bounded by --timeout. A missing flag is a usage error with hint.
func (a *apiFlags) client(ctx context.Context, std stdio, hint string, mod func(*payfeedback.ClientOptions)) (*payfeedback.Client, context.Context, context.CancelFunc, error) {
	a.cred.secretsFromEnv(std)
	if a.cred.AppID == "" {
		return nil, nil, nil, usageErrorf(hint, "--appid is required")
	}
	if a.cred.Secret == "" {
		return nil, nil, nil, usageErrorf(hint, "--secret (or $%s) is required", envSecret)
	}
	if *a.timeout <= 0 {
		return nil, nil, nil, usageErrorf(hint, "--timeout must be positive")
	}
	opts := payfeedback.ClientOptions{AppID: a.cred.AppID, Secret: a.cred.Secret, PaySignKey: a.cred.PaySignKey, BaseURL: *a.baseURL}
	if *a.verbose {
		opts.Logger = slog.New(slog.NewTextHandler(std.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := payfeedback.NewClient(opts)
	if err != nil {
		return nil, nil, nil, usageErrorf(hint, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *a.timeout)
	return c, ctx, cancel, nil
}

// apiFailure turns an error of the client into the command's error: a
// validation error is a usage error, anything else a failure (exit 1).
func apiFailure(err error, hint string) error {
	var ve *payfeedback.ValidationError
	if errors.As(err, &ve) {
		return usageErrorf(hint, "%v", err)
	}
	return err
}

// updateCommand marks a complaint handled.
type updateCommand struct{}

func newUpdateCommand() *updateCommand { return &updateCommand{} }

func (*updateCommand) Name() string { return "update" }

func (*updateCommand) Synopsis() string {
	return "mark a complaint handled (GET /payfeedback/update)"
}

func (c *updateCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback update --appid wx0123456789abcdef --secret SECRET --openid OPENID --feedbackid 5883726847655944563"
	fs := newFlagSet(std, c.Name(), "--appid A [--secret S] [--base-url URL] --openid O --feedbackid F\n\n"+
		"Marks the complaint FeedBackId F of user O handled, as the merchant does once it\n"+
		"really is: the user is then asked to confirm or reject. The secret may come from\n"+
		"$"+envSecret+" instead of --secret. Point --base-url (or $"+envBaseURL+") at\n"+
		"`payfeedback mock` to try it offline. Exit status 0 handled, 1 refused by WeChat\n"+
		"(the errcode is printed), 2 bad usage.")
	api := addAPIFlags(fs, std)
	openID := fs.String("openid", "", "the complaining user's `openid`")
	feedbackID := fs.String("feedbackid", "", "the complaint's `FeedBackId`")
	if err := parseFlagsNoArgs(fs, args, hint); err != nil {
		return err
	}
	if *openID == "" || *feedbackID == "" {
		return usageErrorf(hint, "--openid and --feedbackid are required")
	}
	client, ctx, cancel, err := api.client(ctx, std, hint, nil)
	if err != nil {
		return err
	}
	defer cancel()
	if err := client.UpdateFeedback(ctx, *openID, *feedbackID); err != nil {
		return apiFailure(err, hint)
	}
	_, err = fmt.Fprintf(std.Stdout, "handled: complaint %s of %s\n", *feedbackID, *openID)
	return err
}

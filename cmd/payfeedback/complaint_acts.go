package main

import (
	"context"
	"flag"
	"net/http"
	"net/url"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// actCommand is a user's or WeChat's act on one complaint of a running
// fake: confirm, reject, arbitrate.
type actCommand struct {
	name, synopsis, usage, hint string
	// flags registers the command's own flags; body returns the request:
	// its path (after /_mock/complaints/ID/) and body, and the verb the
	// result is printed with.
	flags func(fs *flag.FlagSet) func() (path string, body any, verb string, err error)
}

func (c *actCommand) Name() string     { return c.name }
func (c *actCommand) Synopsis() string { return c.synopsis }

func (c *actCommand) Run(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet(std, c.name, c.usage+idPrefixNote)
	mf := addMockFlags(fs, std)
	req := c.flags(fs)
	pos, err := parseInterspersed(fs, args, c.hint)
	if err != nil {
		return err
	}
	id, err := oneArg(pos, "the complaint's ID (its feedback_id)", c.hint)
	if err != nil {
		return err
	}
	path, body, verb, err := req()
	if err != nil {
		return err
	}
	client, err := mf.client(c.hint)
	if err != nil {
		return err
	}
	var cp mockwechat.Complaint
	raw, err := client.do(ctx, http.MethodPost, "/_mock/complaints/"+url.PathEscape(id)+"/"+path, body, &cp)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	return printComplaint(std.Stdout, verb, cp)
}

// idPrefixNote closes the usage of the commands that take a complaint's
// ID.
const idPrefixNote = "\n\nID is the complaint's feedback_id, or its start when no other complaint's\n" +
	"id starts so (1524 for 1524000000000000001), as git and docker take ids."

func newConfirmCommand() *actCommand {
	return &actCommand{name: "confirm", synopsis: "confirm a complaint resolved, as the user (the fake pushes \"confirm\")",
		usage: "ID [flags]\n\nThe user of complaint ID confirms it resolved (POST /_mock/complaints/ID/confirm):\n" +
			"the complaint closes and the fake pushes a \"confirm\" notification.",
		hint: "payfeedback confirm 1086000000000000001",
		flags: func(fs *flag.FlagSet) func() (string, any, string, error) {
			return func() (string, any, string, error) { return "confirm", nil, "confirmed", nil }
		}}
}

func newRejectCommand() *actCommand {
	return &actCommand{name: "reject", synopsis: "reject the merchant's handling of a complaint, as the user (pushes \"reject\")",
		usage: "ID [--reason TEXT] [flags]\n\nThe user of complaint ID rejects the merchant's handling (POST\n" +
			"/_mock/complaints/ID/reject): the merchant must handle it again, and the fake\n" +
			"pushes a \"reject\" notification carrying --reason.",
		hint: "payfeedback reject 1086000000000000001 --reason 还没收到退款",
		flags: func(fs *flag.FlagSet) func() (string, any, string, error) {
			reason := fs.String("reason", "", "why the user rejects it (the notification's `Reason`)")
			return func() (string, any, string, error) {
				return "reject", map[string]string{"reason": *reason}, "rejected", nil
			}
		}}
}

func newArbitrateCommand() *actCommand {
	const hint = "payfeedback arbitrate 1086000000000000001 [--decide user|merchant]"
	return &actCommand{name: "arbitrate", synopsis: "ask WeChat to arbitrate a complaint, as the user; or decide it, as WeChat",
		usage: "ID [--decide user|merchant] [flags]\n\nWithout --decide, the user of complaint ID asks WeChat to arbitrate (POST\n" +
			"/_mock/complaints/ID/arbitration; after a reject, or overdue). With --decide,\n" +
			"WeChat decides the arbitration for the user or the merchant (POST .../arbitrate).",
		hint: hint,
		flags: func(fs *flag.FlagSet) func() (string, any, string, error) {
			decide := fs.String("decide", "", "decide the arbitration for the `user` or the merchant, as WeChat")
			return func() (string, any, string, error) {
				switch *decide {
				case "":
					return "arbitration", nil, "sent to arbitration", nil
				case "user", "merchant":
					return "arbitrate", map[string]string{"for": *decide}, "arbitrated for the " + *decide, nil
				}
				return "", nil, "", usageErrorf(hint, "--decide %q: want user or merchant", *decide)
			}
		}}
}

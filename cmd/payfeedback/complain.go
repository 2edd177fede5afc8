package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// complainCommand files a complaint in a running fake, as a user.
type complainCommand struct{}

func newComplainCommand() *complainCommand { return &complainCommand{} }

func (*complainCommand) Name() string { return "complain" }

func (*complainCommand) Synopsis() string {
	return "file a complaint in a running fake, as a user (the fake pushes it to the merchant)"
}

func (c *complainCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback complain --openid o-demo --reason 没收到货 --solution 退款"
	fs := newFlagSet(std, c.Name(), "[--openid O] [--reason R] [--solution S] [--appid A] [--goods physical|virtual] [flags]\n\n"+
		"Files a complaint in the fake at --mock-url (POST /_mock/complaints) and prints it;\n"+
		"the fake pushes a signed \"request\" notification to the account's notify_url.\n"+
		"Reasons and solutions may be the account's own (GET /_mock/accounts) or any text.")
	mf := addMockFlags(fs, std)
	var spec mockwechat.ComplaintSpec
	fs.StringVar(&spec.OpenID, "openid", "", "the complaining user's `openid` (generated when empty)")
	fs.StringVar(&spec.Reason, "reason", "", "the complaint's `reason`")
	fs.StringVar(&spec.Solution, "solution", "", "the `solution` the user wants")
	fs.StringVar(&spec.AppID, "appid", "", "the account's `appid` (needed when the fake has several)")
	fs.StringVar(&spec.TransID, "transid", "", "the order complained about (`transid`; a new order when empty)")
	fs.StringVar(&spec.ExtInfo, "ext-info", "", "more `text` from the user")
	goods := fs.String("goods", "physical", "the order's goods: physical or virtual (`KIND`)")
	fs.BoolVar(&spec.Shipped, "shipped", false, "the order was shipped when paid")
	if err := parseFlagsNoArgs(fs, args, hint); err != nil {
		return err
	}
	g, err := payfeedback.ParseGoodsKind(*goods)
	if err != nil {
		return usageErrorf(hint, "--goods %q: want physical or virtual", *goods)
	}
	spec.Goods = g
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var cp mockwechat.Complaint
	raw, err := client.do(ctx, http.MethodPost, "/_mock/complaints", spec, &cp)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	return printComplaint(std.Stdout, "filed", cp)
}

// printComplaint writes a complaint for a person.
func printComplaint(w io.Writer, verb string, c mockwechat.Complaint) error {
	var b strings.Builder
	fmt.Fprintf(&b, "complaint %s %s\n", text.Terminal(c.FeedBackID), verb)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-11s %s\n", k, text.Terminal(v))
		}
	}
	state := string(c.State)
	if c.Overdue {
		state += ", overdue"
	}
	if a := c.Arbitration; a != nil {
		state += fmt.Sprintf(", arbitration %d (%s)", a.State, a.State)
	}
	row("state", state)
	row("user", c.OpenID+" of "+c.AppID)
	row("reason", c.Reason)
	row("solution", c.Solution)
	row("reject", c.RejectReason)
	if c.TransID != "" {
		row("order", fmt.Sprintf("%s (%s goods, %s)", c.TransID, c.Goods, c.Shipping))
	} else {
		row("order", "none")
	}
	row("filed", stamp(c.FiledAt))
	row("resolve by", stamp(c.Deadline))
	_, err := io.WriteString(w, b.String())
	return err
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// payCommand drives a running fake's Complaints 2.0 through its admin API
// (/_mock/pay/), beside the V1.5 commands: `payfeedback pay SUBCOMMAND`.
// Its subcommands share the drive commands' --mock-url, --json and
// --timeout.
type payCommand struct{}

func newPayCommand() *payCommand { return &payCommand{} }

func (*payCommand) Name() string { return "pay" }

func (*payCommand) Synopsis() string {
	return "drive a running fake's Complaints 2.0: complain, act, trigger, resend, probe, deliveries, keys, rotate-certificate"
}

// paySubcommands are pay's subcommands, in the order help lists them.
func paySubcommands() []command {
	return []command{&payComplainCommand{}, &payActCommand{}, &payTriggerCommand{}, &payResendCommand{},
		&payProbeCommand{}, &payDeliveriesCommand{}, &payKeysCommand{}, &payRotateCommand{}}
}

func (c *payCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay help"
	if len(args) == 0 {
		c.usage(std.Stderr)
		return usageErrorf(hint, "a subcommand is required")
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		c.usage(std.Stdout)
		return nil
	}
	for _, sc := range paySubcommands() {
		if sc.Name() == "pay "+args[0] {
			return sc.Run(ctx, args[1:], std)
		}
	}
	return usageErrorf(hint, "unknown subcommand %q: want complain, act, trigger, resend, probe, deliveries, keys or rotate-certificate", text.Clip(args[0], 32))
}

func (c *payCommand) usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Usage: payfeedback pay <subcommand> [flags] [args]\n\n" +
		"Drives the Complaints 2.0 (WeChat Pay APIv3) of the fake at --mock-url\n" +
		"($" + envMockURL + ") through /_mock/pay/.\n\nSubcommands:\n\n")
	for _, sc := range paySubcommands() {
		fmt.Fprintf(&b, "\t%-16s %s\n", sc.Name(), sc.Synopsis())
	}
	b.WriteString("\npayfeedback pay SUBCOMMAND -h says more.\n")
	io.WriteString(w, b.String())
}

// payComplaintView is a complaint as /_mock/pay/ answers it.
type payComplaintView struct {
	ComplaintID string                    `json:"complaint_id"`
	State       complaints.ComplaintState `json:"state"`
	mockwechat.PayComplaint
}

// printPayComplaint writes a Complaints 2.0 complaint for a person: its
// state, what the user asked and the negotiation history.
func printPayComplaint(w io.Writer, verb string, c payComplaintView) error {
	var b strings.Builder
	fmt.Fprintf(&b, "2.0 complaint %s %s\n", text.Terminal(c.ComplaintID), verb)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-10s %s\n", k, text.Terminal(v))
		}
	}
	wire := c.Wire
	row("state", string(c.State))
	row("merchant", wire.ComplaintedMchID)
	row("problem", strings.TrimSpace(string(wire.ProblemType)+" "+wire.ProblemDescription))
	row("detail", wire.ComplaintDetail)
	for _, o := range wire.ComplaintOrderInfo {
		row("order", fmt.Sprintf("%s (%s, %d fen)", o.TransactionID, o.OutTradeNo, o.Amount))
	}
	if wire.NeedImmediateService {
		row("immediate", "the user asks for the immediate-service reply")
	}
	for _, h := range c.History {
		row("history", strings.TrimSpace(stamp(h.OperateTime)+" "+string(h.OperateType)+" "+text.ClipWidth(h.OperateDetails, 60)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// payComplainCommand files a Complaints 2.0 complaint, as a user.
type payComplainCommand struct{}

func (*payComplainCommand) Name() string { return "pay complain" }

func (*payComplainCommand) Synopsis() string {
	return "file a 2.0 complaint, as a user (a COMPLAINT.CREATE callback goes to the merchant)"
}

func (c *payComplainCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay complain --detail 没收到货 --problem-type REFUND"
	fs := newFlagSet(std, c.Name(), "[--detail D] [--problem-type REFUND|SERVICE_NOT_WORK|OTHERS] [--refund FEN] [--immediate] [flags]\n\n"+
		"Files a Complaints 2.0 complaint in the fake at --mock-url (POST /_mock/pay/complaints)\n"+
		"and prints it; a signed, encrypted COMPLAINT.CREATE callback goes to the merchant's\n"+
		"callback URL. Every field is optional: the fake makes up the rest.")
	mf := addMockFlags(fs, std)
	var spec mockwechat.PayComplaintSpec
	fs.StringVar(&spec.Detail, "detail", "", "the user's `description` (1 to 300 characters)")
	fs.StringVar(&spec.ProblemDescription, "problem", "", "the FAQ `title` the user picked")
	problem := fs.String("problem-type", "", "REFUND, SERVICE_NOT_WORK or OTHERS (`TYPE`; default OTHERS)")
	fs.Int64Var(&spec.ApplyRefundAmount, "refund", 0, "the refund asked for, in `fen` (REFUND only; default the order's amount)")
	fs.BoolVar(&spec.NeedImmediateService, "immediate", false, "the user asks for the immediate-service reply")
	fs.StringVar(&spec.MchID, "mchid", "", "the `merchant` complained about (default the only one)")
	fs.StringVar(&spec.ComplaintID, "id", "", "the complaint's `id` (default 27 digits, as WeChat's)")
	if err := parseFlagsNoArgs(fs, args, hint); err != nil {
		return err
	}
	spec.ProblemType = complaints.ProblemType(*problem)
	if *problem != "" && !slices.Contains([]complaints.ProblemType{complaints.ProblemRefund, complaints.ProblemServiceNotWork, complaints.ProblemOthers}, spec.ProblemType) {
		return usageErrorf(hint, "--problem-type %q: want REFUND, SERVICE_NOT_WORK or OTHERS", *problem)
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var cp payComplaintView
	raw, err := client.do(ctx, http.MethodPost, "/_mock/pay/complaints", spec, &cp)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	return printPayComplaint(std.Stdout, "filed", cp)
}

// payActCommand plays an act of the user or of the platform.
type payActCommand struct{}

func (*payActCommand) Name() string { return "pay act" }

func (*payActCommand) Synopsis() string {
	return "act on a 2.0 complaint as the user or the platform (its callback goes to the merchant)"
}

func (c *payActCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay act ID message --text 还没退款"
	fs := newFlagSet(std, c.Name(), "ID ACT [--text T] [--reason R] [flags]\n\n"+
		"Plays an act on the Complaints 2.0 complaint ID (POST /_mock/pay/complaints/ID/ACT)\n"+
		"and prints the complaint; its callback announces it to the merchant. ACT is one of\n"+
		strings.Join(payActNames(), ", ")+".")
	mf := addMockFlags(fs, std)
	var in mockwechat.PayActInput
	fs.StringVar(&in.Text, "text", "", "what the user or the platform writes (`text`)")
	fs.StringVar(&in.Reason, "reason", "", "why the user asks the platform for help (apply-platform; `reason`)")
	pos, err := parseInterspersed(fs, args, hint)
	if err != nil {
		return err
	}
	switch {
	case len(pos) < 2:
		return usageErrorf(hint, "the complaint's ID and the ACT are required (ACT: %s)", strings.Join(payActNames(), ", "))
	case len(pos) > 2:
		return usageErrorf(hint, "unexpected argument %q", pos[2])
	case !slices.Contains(payActNames(), pos[1]):
		return usageErrorf(hint, "no act %q: want one of %s", text.Clip(pos[1], 32), strings.Join(payActNames(), ", "))
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var cp payComplaintView
	raw, err := client.do(ctx, http.MethodPost, "/_mock/pay/complaints/"+url.PathEscape(pos[0])+"/"+pos[1], in, &cp)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	return printPayComplaint(std.Stdout, "after "+pos[1], cp)
}

// payActNames are the acts' names.
func payActNames() []string {
	var out []string
	for _, a := range mockwechat.PayActs() {
		out = append(out, string(a))
	}
	return out
}

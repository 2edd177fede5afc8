package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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

// payTriggerCommand plays an act with overrides, or a callback alone.
type payTriggerCommand struct{}

func (*payTriggerCommand) Name() string { return "pay trigger" }

func (*payTriggerCommand) Synopsis() string {
	return "an act whose callback carries overrides (another action_type, unknown members…), or a callback alone"
}

// payTriggered is POST /_mock/pay/trigger's answer.
type payTriggered struct {
	ID          string                `json:"id"`
	ComplaintID string                `json:"complaint_id"`
	Act         string                `json:"act"`
	ActionType  complaints.ActionType `json:"action_type"`
	Overrides   string                `json:"overrides"`
}

func (c *payTriggerCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay trigger ID --act message --action-type SOME_NEW_TYPE --unknown-members"
	fs := newFlagSet(std, c.Name(), "ID [--act ACT] [--action-type T] [--unknown-members] [--tamper-signature] [flags]\n\n"+
		"As `stripe trigger` (POST /_mock/pay/trigger): with --act, the act happens on the\n"+
		"Complaints 2.0 complaint ID and its callback announces --action-type instead of the\n"+
		"act's (any string: schema drift), with the overrides on its first attempt; without\n"+
		"--act, a callback of --action-type alone, the complaint unchanged. Prints the\n"+
		"notification id (payfeedback pay deliveries shows how the merchant answered).")
	mf := addMockFlags(fs, std)
	var in struct {
		ComplaintID     string `json:"complaint_id"`
		Act             string `json:"act,omitempty"`
		Text            string `json:"text,omitempty"`
		Reason          string `json:"reason,omitempty"`
		ActionType      string `json:"action_type,omitempty"`
		UnknownMembers  bool   `json:"unknown_members,omitempty"`
		TamperSignature bool   `json:"tamper_signature,omitempty"`
		TamperBody      bool   `json:"tamper_body,omitempty"`
		OtherKey        bool   `json:"other_key,omitempty"`
		Duplicate       bool   `json:"duplicate,omitempty"`
		Stale           string `json:"stale,omitempty"`
	}
	fs.StringVar(&in.Act, "act", "", "the act to play (`ACT`: "+strings.Join(payActNames(), ", ")+")")
	fs.StringVar(&in.Text, "text", "", "the act's `text`")
	fs.StringVar(&in.Reason, "reason", "", "apply-platform's `reason`")
	fs.StringVar(&in.ActionType, "action-type", "", "the action_type the callback announces (`TYPE`; required without --act)")
	fs.BoolVar(&in.UnknownMembers, "unknown-members", false, "members the merchant does not know, in the envelope and the plaintext")
	fs.BoolVar(&in.TamperSignature, "tamper-signature", false, "a signature that does not verify (the merchant must refuse)")
	fs.BoolVar(&in.TamperBody, "tamper-body", false, "the ciphertext changed after signing (the merchant must refuse)")
	fs.BoolVar(&in.OtherKey, "other-key", false, "signed by a key the merchant does not know (the merchant must refuse)")
	fs.BoolVar(&in.Duplicate, "duplicate", false, "sent twice at once")
	stale := durationFlag(fs, "stale", 0, "Wechatpay-Timestamp this `duration` in the past (6m: the merchant must refuse)")
	pos, err := parseInterspersed(fs, args, hint)
	if err != nil {
		return err
	}
	id, err := oneArg(pos, "the complaint's ID", hint)
	if err != nil {
		return err
	}
	switch {
	case in.Act == "" && in.ActionType == "":
		return usageErrorf(hint, "give --act (the act happens) or --action-type (a callback alone), or both")
	case in.Act != "" && !slices.Contains(payActNames(), in.Act):
		return usageErrorf(hint, "--act %q: want one of %s", text.Clip(in.Act, 32), strings.Join(payActNames(), ", "))
	case *stale < 0:
		return usageErrorf(hint, "--stale must not be negative")
	}
	in.ComplaintID = id
	if *stale > 0 {
		in.Stale = stale.String()
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var tr payTriggered
	raw, err := client.do(ctx, http.MethodPost, "/_mock/pay/trigger", in, &tr)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	what := "callback " + string(tr.ActionType)
	if tr.Act != "" {
		what = tr.Act + " played; " + what
	}
	if tr.Overrides != "" {
		what += " (" + tr.Overrides + ")"
	}
	_, err = fmt.Fprintf(std.Stdout, "2.0 complaint %s: %s queued as notification %s\n", text.Terminal(tr.ComplaintID), text.Terminal(what), text.Terminal(tr.ID))
	return err
}

// payResendCommand sends a past notification again.
type payResendCommand struct{}

func (*payResendCommand) Name() string { return "pay resend" }

func (*payResendCommand) Synopsis() string {
	return "send a past 2.0 notification again, under its id, newly signed"
}

func (c *payResendCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay resend NOTIFICATION-ID"
	fs := newFlagSet(std, c.Name(), "ID [flags]\n\n"+
		"Sends the Complaints 2.0 notification ID again (POST /_mock/pay/deliveries/ID/resend):\n"+
		"the same id and plaintext, newly encrypted and signed, retried on WeChat's ladder.\n"+
		"payfeedback pay deliveries lists the ids.")
	mf := addMockFlags(fs, std)
	pos, err := parseInterspersed(fs, args, hint)
	if err != nil {
		return err
	}
	id, err := oneArg(pos, "the notification ID (payfeedback pay deliveries lists them)", hint)
	if err != nil {
		return err
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var out struct {
		ID string `json:"id"`
	}
	raw, err := client.do(ctx, http.MethodPost, "/_mock/pay/deliveries/"+url.PathEscape(id)+"/resend", nil, &out)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	_, err = fmt.Fprintf(std.Stdout, "notification %s resent\n", text.Terminal(out.ID))
	return err
}

// payRotateCommand replaces the fake's platform certificate.
type payRotateCommand struct{}

func (*payRotateCommand) Name() string { return "pay rotate-certificate" }

func (*payRotateCommand) Synopsis() string {
	return "replace the fake's platform certificate, as WeChat does when one expires"
}

func (c *payRotateCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay rotate-certificate"
	fs := newFlagSet(std, c.Name(), "[flags]\n\n"+
		"Replaces the fake's platform certificate (POST /_mock/pay/certificates/rotate): a new\n"+
		"one, with a new serial, signs every answer and callback a platform certificate signs\n"+
		"from now on; the old one expires in 24 h and GET /v3/certificates lists both until\n"+
		"then. A merchant holding only the old one must download the certificates again when\n"+
		"a callback names a serial it does not know. The keys directory keeps the new one.")
	mf := addMockFlags(fs, std)
	client, err := mf.parseNoArgs(fs, args, hint)
	if err != nil {
		return err
	}
	var m mockwechat.PayMerchant
	raw, err := client.do(ctx, http.MethodPost, "/_mock/pay/certificates/rotate", struct{}{}, &m)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "platform certificate rotated: %s signs from now on\n", text.Terminal(m.PlatformSerial))
	for _, pc := range m.PlatformCertificates {
		role := "signs"
		if !pc.Signing {
			role = "replaced, listed until it expires"
		}
		fmt.Fprintf(&b, "  %s  valid %s to %s  %s\n", text.Terminal(pc.SerialNo), pc.EffectiveTime.Format(time.RFC3339), pc.ExpireTime.Format(time.RFC3339), role)
	}
	_, err = io.WriteString(std.Stdout, b.String())
	return err
}

// payProbeCommand sends a SIGNTEST probe.
type payProbeCommand struct{}

func (*payProbeCommand) Name() string { return "pay probe" }

func (*payProbeCommand) Synopsis() string {
	return "send a SIGNTEST probe the merchant must refuse, and say whether it did"
}

// payDelivery is a Complaints 2.0 delivery as /_mock/pay/deliveries
// answers it.
type payDelivery struct {
	ID          string                  `json:"id"`
	MchID       string                  `json:"mchid"`
	ComplaintID string                  `json:"complaint_id"`
	ActionType  complaints.ActionType   `json:"action_type"`
	Probe       bool                    `json:"probe"`
	Delivered   bool                    `json:"delivered"`
	Failed      bool                    `json:"failed"`
	Attempts    []mockwechat.PayAttempt `json:"attempts"`
	Next        time.Time               `json:"next"`
}

func (c *payProbeCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay probe"
	fs := newFlagSet(std, c.Name(), "[--mchid M] [flags]\n\n"+
		"Sends a SIGNTEST probe to the merchant's callback URL now (POST /_mock/pay/probes):\n"+
		"a genuine-looking callback whose signature a verifying merchant refuses. Waits for\n"+
		"the merchant's answer and says whether it was right (exit 1 when it acknowledged).")
	mf := addMockFlags(fs, std)
	mchid := fs.String("mchid", "", "the `merchant` (default the only one)")
	client, err := mf.parseNoArgs(fs, args, hint)
	if err != nil {
		return err
	}
	var sent struct {
		ID string `json:"id"`
	}
	if _, err := client.do(ctx, http.MethodPost, "/_mock/pay/probes", map[string]string{"mchid": *mchid}, &sent); err != nil {
		return err
	}
	var d payDelivery
	q := url.Values{"id": {sent.ID}, "done": {"true"}, "timeout": {mf.timeout.String()}}
	raw, err := client.do(ctx, http.MethodGet, "/_mock/pay/deliveries/wait?"+q.Encode(), nil, &d)
	if err != nil {
		return err
	}
	if *mf.json {
		if err := printJSON(std.Stdout, raw); err != nil {
			return err
		}
	} else if err := printProbe(std.Stdout, d); err != nil {
		return err
	}
	if d.Delivered {
		return exitCode(1, nil)
	}
	return nil
}

func printProbe(w io.Writer, d payDelivery) error {
	answer := "no attempt"
	if n := len(d.Attempts); n > 0 {
		answer = payAnswer(d.Attempts[n-1])
	}
	verdict := "right: a verifying merchant refuses it"
	if d.Delivered {
		verdict = "WRONG: the merchant acknowledged a callback whose signature does not verify (verify Wechatpay-Signature before anything)"
	}
	_, err := fmt.Fprintf(w, "probe %s to %s: %s — %s\n", text.Terminal(d.ID), text.Terminal(d.MchID), text.Terminal(answer), verdict)
	return err
}

// payAnswer says what the merchant answered an attempt.
func payAnswer(a mockwechat.PayAttempt) string {
	s := a.Verdict
	if a.Status != 0 {
		s = strconv.Itoa(a.Status) + " " + s
	}
	if a.Err != "" {
		s += " " + a.Err
	} else if r := strings.TrimSpace(a.Response); r != "" {
		s += " " + r
	}
	return s
}

// payDeliveriesCommand lists, or follows, the 2.0 callbacks.
type payDeliveriesCommand struct{}

func (*payDeliveriesCommand) Name() string { return "pay deliveries" }

func (*payDeliveriesCommand) Synopsis() string {
	return "list the 2.0 callbacks and probes and their attempts, or follow them live (--follow)"
}

func (c *payDeliveriesCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay deliveries --follow"
	fs := newFlagSet(std, c.Name(), "[--follow] [--complaint-id ID] [--failed] [flags]\n\n"+
		"Lists the Complaints 2.0 delivery log (GET /_mock/pay/deliveries): each callback\n"+
		"and probe, its notification id, attempts and the last answer. --follow prints each\n"+
		"attempt as it happens (GET /_mock/events?kinds=pay-callback), until Ctrl-C.")
	mf := addMockFlags(fs, std)
	follow := fs.Bool("follow", false, "follow the callbacks live")
	complaintID := fs.String("complaint-id", "", "only this complaint's (`ID`)")
	failed := fs.Bool("failed", false, "only callbacks that failed for good")
	client, err := mf.parseNoArgs(fs, args, hint)
	if err != nil {
		return err
	}
	if *follow {
		return followEvents(ctx, std, client, eventFollow{kinds: "pay-callback", what: "the Complaints 2.0 callbacks", asJSON: *mf.json,
			keep: func(m eventMessage) bool {
				return *complaintID == "" || m.PayCallback != nil && m.PayCallback.Delivery.ComplaintID == *complaintID
			}})
	}
	q := url.Values{}
	if *complaintID != "" {
		q.Set("complaint_id", *complaintID)
	}
	if *failed {
		q.Set("failed", "true")
	}
	var list []payDelivery
	raw, err := client.do(ctx, http.MethodGet, "/_mock/pay/deliveries?"+q.Encode(), nil, &list)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(std.Stdout, "no callback")
		return err
	}
	rows := make([][]string, 0, len(list))
	for _, d := range list {
		status, last := deliveryStatus(d.Delivered, d.Failed, d.Next), "-"
		if n := len(d.Attempts); n > 0 {
			last = text.ClipWidth(text.Terminal(payAnswer(d.Attempts[n-1])), 40)
			if d.Attempts[n-1].Wrong {
				status += " (wrongly)"
			}
		}
		what, complaint := string(d.ActionType), d.ComplaintID
		if d.Probe {
			what, complaint = "SIGNTEST probe", "-"
		}
		rows = append(rows, []string{d.ID, complaint, what, strconv.Itoa(len(d.Attempts)), last, status})
	}
	return table(std.Stdout, []string{"NOTIFICATION", "COMPLAINT", "ACTION", "ATTEMPTS", "LAST ANSWER", "STATUS"}, rows)
}

// payKeysCommand says what a merchant configures to talk to the fake.
type payKeysCommand struct{}

func (*payKeysCommand) Name() string { return "pay keys" }

func (*payKeysCommand) Synopsis() string {
	return "what a merchant configures to talk to the fake's Complaints 2.0 (never a private key)"
}

func (c *payKeysCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay keys"
	fs := newFlagSet(std, c.Name(), "[flags]\n\n"+
		"Prints what each merchant of the fake configures (GET /_mock/pay/merchants): its\n"+
		"mchid, API certificate serial, APIv3 key, the fake's public key id and platform\n"+
		"certificate serial, the mode, the callback URL and the keys directory's files.\n"+
		"The admin API never gives a private key: the keys directory holds the merchant's.")
	mf := addMockFlags(fs, std)
	client, err := mf.parseNoArgs(fs, args, hint)
	if err != nil {
		return err
	}
	var ms []mockwechat.PayMerchant
	raw, err := client.do(ctx, http.MethodGet, "/_mock/pay/merchants", nil, &ms)
	if err != nil {
		var ae *adminError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return fmt.Errorf("%w (the fake was started with --pay=false?)", err)
		}
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteByte('\n')
		}
		keys := "in memory only: restart the fake with --pay-keys DIR to get the merchant's private key as a file"
		if m.KeysDir != "" {
			keys = m.KeysDir
		}
		notify := m.NotifyURL
		if notify == "" {
			notify = "(none: the merchant creates it, POST /v3/merchant-service/complaint-notifications)"
		}
		fmt.Fprintf(&b, "merchant %s (mode %s)\n", text.Terminal(m.MchID), text.Terminal(string(m.Mode)))
		rows := [][2]string{
			{"mchid", m.MchID},
			{"serial_no", m.SerialNo + "   the API certificate's serial: Authorization's serial_no"},
			{"apiv3_key", m.APIv3Key + "   decrypts callbacks and certificates"},
			{"public_key_id", m.PublicKeyID + "   Wechatpay-Serial of what pub_key.pem signs"},
			{"platform_serial", m.PlatformSerial + "   GET /v3/certificates"},
			{"notify_url", notify},
			{"keys", keys},
		}
		if m.KeysDir != "" {
			rows = append(rows, [2]string{"", "apiclient_key.pem (the merchant's API private key: signs requests), pub_key.pem (the fake's public key: verifies answers and callbacks), merchant.json"})
		}
		for _, r := range rows {
			fmt.Fprintf(&b, "  %-16s %s\n", r[0], text.Terminal(r[1]))
		}
	}
	_, err = io.WriteString(std.Stdout, b.String())
	return err
}

package main

import (
	"context"
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

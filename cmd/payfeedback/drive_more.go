package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// advanceCommand moves a running fake's virtual clock.
type advanceCommand struct{}

func newAdvanceCommand() *advanceCommand { return &advanceCommand{} }

func (*advanceCommand) Name() string { return "advance" }

func (*advanceCommand) Synopsis() string {
	return "advance a running fake's virtual clock (retries, deadlines and overdue fire)"
}

func (c *advanceCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback advance 72h"
	fs := newFlagSet(std, c.Name(), "DURATION [flags]\n\n"+
		"Advances the fake's virtual clock by DURATION (a Go duration: 15m, 36h, 360h;\n"+
		"POST /_mock/clock/advance): everything due fires in order, push retries,\n"+
		"complaints going overdue, evidence deadlines. The fake must run with\n"+
		"--virtual-clock.")
	mf := addMockFlags(fs, std)
	pos, err := parseInterspersed(fs, args, hint)
	if err != nil {
		return err
	}
	arg, err := oneArg(pos, "DURATION", hint)
	if err != nil {
		return err
	}
	var d durationValue
	if err := d.Set(arg); err != nil || d < 0 {
		return usageErrorf(hint, "DURATION %q: %v", arg, err)
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var before, after struct {
		Now     time.Time `json:"now"`
		Virtual bool      `json:"virtual"`
		Pending int       `json:"pending_events"`
	}
	if _, err := client.do(ctx, http.MethodGet, "/_mock/clock", nil, &before); err != nil {
		return err
	}
	raw, err := client.do(ctx, http.MethodPost, "/_mock/clock/advance", map[string]string{"by": time.Duration(d).String()}, &after)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	_, err = fmt.Fprintf(std.Stdout, "clock %s → %s (+%s); %d events still scheduled\n",
		before.Now.UTC().Format(time.RFC3339), after.Now.UTC().Format(time.RFC3339), time.Duration(d), after.Pending)
	return err
}

// complaintsCommand lists a running fake's complaints.
type complaintsCommand struct{}

func newComplaintsCommand() *complaintsCommand { return &complaintsCommand{} }

func (*complaintsCommand) Name() string { return "complaints" }

func (*complaintsCommand) Synopsis() string { return "list a running fake's complaints" }

func (c *complaintsCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback complaints --state filed --overdue"
	fs := newFlagSet(std, c.Name(), "[--state S] [--overdue] [--openid O] [--appid A] [--limit N] [--after ID] [flags]\n\n"+
		"Lists complaints in filing order (GET /_mock/complaints): id, user, state,\n"+
		"goods, shipping, the deadline, overdue and arbitration, the reason.")
	mf := addMockFlags(fs, std)
	state := fs.String("state", "", "only complaints in this `state`: filed, handled, rejected or confirmed")
	overdue := fs.Bool("overdue", false, "only overdue complaints")
	openID := fs.String("openid", "", "only this user's (`openid`)")
	appID := fs.String("appid", "", "only this account's (`appid`)")
	limit := fs.Int("limit", 100, "at most `N` complaints (0: all)")
	after := fs.String("after", "", "start after this complaint (`ID`: the last of the previous page)")
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	if *limit < 0 {
		return usageErrorf(hint, "--limit must be 0 or more")
	}
	q := url.Values{}
	for k, v := range map[string]string{"state": *state, "openid": *openID, "appid": *appID, "after": *after} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if *overdue {
		q.Set("overdue", "true")
	}
	if *limit > 0 {
		q.Set("limit", strconv.Itoa(*limit))
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var list []mockwechat.Complaint
	raw, err := client.do(ctx, http.MethodGet, "/_mock/complaints?"+q.Encode(), nil, &list)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(std.Stdout, "no complaint")
		return err
	}
	rows := make([][]string, 0, len(list))
	for _, c := range list {
		marks := ""
		if c.Overdue {
			marks = "overdue"
		}
		if a := c.Arbitration; a != nil {
			marks = strings.TrimPrefix(marks+", arbitration "+strconv.Itoa(int(a.State)), ", ")
		}
		rows = append(rows, []string{c.FeedBackID, c.OpenID, string(c.State), c.Goods.String(), stamp(c.Deadline), marks, clipText(c.Reason, 20)})
	}
	if err := table(std.Stdout, []string{"ID", "USER", "STATE", "GOODS", "RESOLVE BY", "MARKS", "REASON"}, rows); err != nil {
		return err
	}
	if *limit > 0 && len(list) == *limit {
		fmt.Fprintf(std.Stdout, "(more may follow: --after %s)\n", list[len(list)-1].FeedBackID)
	}
	return nil
}

// deliveriesCommand lists, or follows, a running fake's pushes.
type deliveriesCommand struct{}

func newDeliveriesCommand() *deliveriesCommand { return &deliveriesCommand{} }

func (*deliveriesCommand) Name() string { return "deliveries" }

func (*deliveriesCommand) Synopsis() string {
	return "list a running fake's pushes and their attempts, or follow them live (--follow)"
}

func (c *deliveriesCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback deliveries --follow"
	fs := newFlagSet(std, c.Name(), "[--follow] [--feedback-id ID] [--failed] [flags]\n\n"+
		"Lists the delivery log (GET /_mock/deliveries): each notification pushed to\n"+
		"the merchant, its attempts and the last answer. --follow prints each push\n"+
		"attempt and its answer as it happens (GET /_mock/events), until Ctrl-C.")
	mf := addMockFlags(fs, std)
	follow := fs.Bool("follow", false, "follow the pushes live")
	feedbackID := fs.String("feedback-id", "", "only this complaint's (`ID`)")
	failed := fs.Bool("failed", false, "only deliveries that failed for good")
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	if *follow {
		return c.follow(ctx, std, client, *feedbackID, *mf.json)
	}
	q := url.Values{}
	if *feedbackID != "" {
		q.Set("feedback_id", *feedbackID)
	}
	if *failed {
		q.Set("failed", "true")
	}
	var list []mockwechat.Delivery
	raw, err := client.do(ctx, http.MethodGet, "/_mock/deliveries?"+q.Encode(), nil, &list)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(std.Stdout, "no delivery")
		return err
	}
	rows := make([][]string, 0, len(list))
	for _, d := range list {
		status, last := "pending", "-"
		switch {
		case d.Delivered:
			status = "delivered"
		case d.Failed:
			status = "failed"
		case !d.NextAttempt.IsZero():
			status = "retry at " + stamp(d.NextAttempt)
		}
		if n := len(d.Attempts); n > 0 {
			a := d.Attempts[n-1]
			last = a.Err
			if a.Status != 0 {
				last = strconv.Itoa(a.Status) + " " + strings.TrimSpace(a.Response)
			}
			last = clipText(last, 40)
		}
		rows = append(rows, []string{strconv.FormatUint(d.ID, 10), d.FeedBackID, string(d.MsgType), strconv.Itoa(len(d.Attempts)), last, status})
	}
	return table(std.Stdout, []string{"#", "COMPLAINT", "TYPE", "ATTEMPTS", "LAST ANSWER", "STATUS"}, rows)
}

// follow prints the push events of the fake's event stream until ctx ends
// or the fake stops.
func (c *deliveriesCommand) follow(ctx context.Context, std stdio, client *mockClient, feedbackID string, asJSON bool) error {
	q := url.Values{"kinds": {"push"}}
	if feedbackID != "" {
		q.Set("feedback_id", feedbackID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, client.base+"/_mock/events?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	stream := &http.Client{} // no timeout: the stream lasts
	resp, err := stream.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return client.unreachable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /_mock/events answered HTTP %d: is %s payfeedback mock?", resp.StatusCode, client.base)
	}
	fmt.Fprintf(std.Stderr, "following the pushes of %s (Ctrl-C to stop)\n", client.base)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data := line[len("data: "):]
			if asJSON {
				fmt.Fprintln(std.Stdout, data)
				continue
			}
			var m struct {
				Time time.Time `json:"time"`
				Line string    `json:"line"`
			}
			switch {
			case name == "gap":
				fmt.Fprintln(std.Stdout, "… some events were missed (GET /_mock/deliveries has every delivery)")
			case json.Unmarshal([]byte(data), &m) == nil && m.Line != "":
				fmt.Fprintf(std.Stdout, "%s  %s\n", m.Time.UTC().Format("15:04:05"), m.Line)
			}
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("the fake at %s closed the event stream (it stopped?)", client.base)
}

// inboxCommand shows a user's inbox in a running fake.
type inboxCommand struct{}

func newInboxCommand() *inboxCommand { return &inboxCommand{} }

func (*inboxCommand) Name() string { return "inbox" }

func (*inboxCommand) Synopsis() string {
	return "show the messages a user of a running fake received, and the 24-hour window"
}

func (c *inboxCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback inbox o-demo"
	fs := newFlagSet(std, c.Name(), "OPENID [--appid A] [flags]\n\n"+
		"Shows the customer-service messages the merchant sent to user OPENID (GET\n"+
		"/_mock/inbox/OPENID), oldest first, and whether the 24-hour messaging window\n"+
		"is open (GET /_mock/users/OPENID).")
	mf := addMockFlags(fs, std)
	appID := fs.String("appid", "", "the account's `appid` (needed when the fake has several)")
	pos, err := parseInterspersed(fs, args, hint)
	if err != nil {
		return err
	}
	openID, err := oneArg(pos, "OPENID", hint)
	if err != nil {
		return err
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	q := url.Values{}
	if *appID != "" {
		q.Set("appid", *appID)
	}
	var msgs []mockwechat.Message
	raw, err := client.do(ctx, http.MethodGet, "/_mock/inbox/"+url.PathEscape(openID)+"?"+q.Encode(), nil, &msgs)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	var user mockwechat.User
	var clock struct {
		Now time.Time `json:"now"`
	}
	if _, err := client.do(ctx, http.MethodGet, "/_mock/clock", nil, &clock); err != nil {
		return err
	}
	var b strings.Builder
	_, uerr := client.do(ctx, http.MethodGet, "/_mock/users/"+url.PathEscape(openID)+"?"+q.Encode(), nil, &user)
	switch {
	case uerr != nil:
		fmt.Fprintf(&b, "user %s: %v\n", openID, uerr)
	case user.LastInteraction.IsZero():
		fmt.Fprintf(&b, "user %s of %s: never interacted; the messaging window is closed\n", openID, user.AppID)
	case clock.Now.Before(user.LastInteraction.Add(24 * time.Hour)):
		fmt.Fprintf(&b, "user %s of %s: the messaging window is open until %s\n", openID, user.AppID, stamp(user.LastInteraction.Add(24*time.Hour)))
	default:
		fmt.Fprintf(&b, "user %s of %s: the messaging window closed at %s (45015 until the user interacts)\n", openID, user.AppID, stamp(user.LastInteraction.Add(24*time.Hour)))
	}
	if len(msgs) == 0 {
		b.WriteString("no message\n")
	}
	for _, m := range msgs {
		fmt.Fprintf(&b, "%s  %-5s  %s\n", stamp(m.Time), m.MsgType, summary(m))
	}
	_, err = fmt.Fprint(std.Stdout, b.String())
	return err
}

// summary says in one line what a message holds.
func summary(m mockwechat.Message) string {
	var v map[string]json.RawMessage
	json.Unmarshal(m.Raw, &v)
	var body map[string]any
	json.Unmarshal(v[string(m.MsgType)], &body)
	switch m.MsgType {
	case "text":
		s, _ := body["content"].(string)
		return s
	case "news":
		arts, _ := body["articles"].([]any)
		titles := []string{}
		for _, a := range arts {
			if am, ok := a.(map[string]any); ok {
				t, _ := am["title"].(string)
				titles = append(titles, t)
			}
		}
		return fmt.Sprintf("%d articles: %s", len(arts), strings.Join(titles, " | "))
	case "music":
		t, _ := body["title"].(string)
		u, _ := body["musicurl"].(string)
		return strings.TrimSpace(t + " " + u)
	}
	id, _ := body["media_id"].(string)
	return "media_id " + id
}

// resetCommand puts a running fake back in its start state.
type resetCommand struct{}

func newResetCommand() *resetCommand { return &resetCommand{} }

func (*resetCommand) Name() string { return "reset" }

func (*resetCommand) Synopsis() string {
	return "put a running fake back in its start state (POST /_mock/reset)"
}

func (c *resetCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback reset --mock-url http://127.0.0.1:8080"
	fs := newFlagSet(std, c.Name(), "[flags]\n\n"+
		"Puts the fake at --mock-url back in its start state (POST /_mock/reset): the\n"+
		"world as its options made it, the clock at its start, the faults as they were,\n"+
		"the call and delivery logs emptied.")
	mf := addMockFlags(fs, std)
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	client, err := mf.client(hint)
	if err != nil {
		return err
	}
	var h struct {
		Now time.Time `json:"now"`
	}
	raw, err := client.do(ctx, http.MethodPost, "/_mock/reset", nil, &h)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	_, err = fmt.Fprintf(std.Stdout, "reset: %s is back at its start state (clock %s)\n", client.base, h.Now.UTC().Format(time.RFC3339))
	return err
}

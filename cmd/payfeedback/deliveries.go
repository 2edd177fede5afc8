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

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat"
)

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
	feedbackID := fs.String("feedback-id", "", "only this complaint's (`ID`, or the start of it)")
	failed := fs.Bool("failed", false, "only deliveries that failed for good")
	client, err := mf.parseNoArgs(fs, args, hint)
	if err != nil {
		return err
	}
	if *feedbackID != "" {
		// the start of an id names its complaint, as everywhere
		var cp mockwechat.Complaint
		if _, err := client.do(ctx, http.MethodGet, "/_mock/complaints/"+url.PathEscape(*feedbackID), nil, &cp); err != nil {
			return err
		}
		*feedbackID = cp.FeedBackID
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
		status, last := deliveryStatus(d.Delivered, d.Failed, d.NextAttempt), "-"
		if n := len(d.Attempts); n > 0 {
			a := d.Attempts[n-1]
			last = a.Err
			if a.Status != 0 {
				last = strconv.Itoa(a.Status) + " " + strings.TrimSpace(a.Response)
			}
			last = text.ClipWidth(text.Terminal(last), 40)
		}
		rows = append(rows, []string{strconv.FormatUint(d.ID, 10), d.FeedBackID, string(d.MsgType), strconv.Itoa(len(d.Attempts)), last, status})
	}
	return table(std.Stdout, []string{"#", "COMPLAINT", "TYPE", "ATTEMPTS", "LAST ANSWER", "STATUS"}, rows)
}

// follow prints the push events of the fake's event stream until ctx ends
// or the fake stops.
func (c *deliveriesCommand) follow(ctx context.Context, std stdio, client *mockClient, feedbackID string, asJSON bool) error {
	f := eventFollow{kinds: "push", what: "the pushes", asJSON: asJSON}
	if feedbackID != "" {
		f.query = url.Values{"feedback_id": {feedbackID}}
	}
	return followEvents(ctx, std, client, f)
}

// eventFollow is what followEvents follows.
type eventFollow struct {
	kinds  string     // ?kinds= of GET /_mock/events
	query  url.Values // more of its query (nil: none)
	what   string     // what is followed, for a person: "the pushes"
	asJSON bool       // print each event's JSON rather than its line
	// keep, when not nil, says which events to print.
	keep func(eventMessage) bool
}

// eventMessage is what followEvents reads of an event's data.
type eventMessage struct {
	Time        time.Time `json:"time"`
	Line        string    `json:"line"`
	PayCallback *struct {
		Delivery struct{ ComplaintID string }
	} `json:"pay_callback"`
}

// followEvents prints the events of the fake's event stream until ctx
// ends or the fake stops.
func followEvents(ctx context.Context, std stdio, client *mockClient, f eventFollow) error {
	q := url.Values{"kinds": {f.kinds}}
	for k, v := range f.query {
		q[k] = v
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
	fmt.Fprintf(std.Stderr, "following %s of %s (Ctrl-C to stop)\n", f.what, client.base)
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
			if name == "gap" {
				if !f.asJSON {
					fmt.Fprintln(std.Stdout, "… some events were missed (the delivery log has every delivery)")
				}
				continue
			}
			var m eventMessage
			if json.Unmarshal([]byte(data), &m) != nil || f.keep != nil && !f.keep(m) {
				continue
			}
			switch {
			case f.asJSON:
				fmt.Fprintln(std.Stdout, data)
			case m.Line != "":
				fmt.Fprintf(std.Stdout, "%s  %s\n", m.Time.UTC().Format("15:04:05"), text.Terminal(m.Line))
			}
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("the fake at %s closed the event stream (it stopped?)", client.base)
}

// deliveryStatus says where a push or a callback stands: delivered, failed
// for good, waiting for its retry, or pending.
func deliveryStatus(delivered, failed bool, next time.Time) string {
	switch {
	case delivered:
		return "delivered"
	case failed:
		return "failed"
	case !next.IsZero():
		return "retry at " + stamp(next)
	}
	return "pending"
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat"
)

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
		fmt.Fprintf(&b, "user %s: %s\n", text.Terminal(openID), text.Terminal(uerr.Error()))
	case user.LastInteraction.IsZero():
		fmt.Fprintf(&b, "user %s of %s: never interacted; the messaging window is closed\n", text.Terminal(openID), text.Terminal(user.AppID))
	case clock.Now.Before(user.LastInteraction.Add(24 * time.Hour)):
		fmt.Fprintf(&b, "user %s of %s: the messaging window is open until %s\n", text.Terminal(openID), text.Terminal(user.AppID), stamp(user.LastInteraction.Add(24*time.Hour)))
	default:
		fmt.Fprintf(&b, "user %s of %s: the messaging window closed at %s (45015 until the user interacts)\n", text.Terminal(openID), text.Terminal(user.AppID), stamp(user.LastInteraction.Add(24*time.Hour)))
	}
	if len(msgs) == 0 {
		b.WriteString("no message\n")
	}
	for _, m := range msgs {
		fmt.Fprintf(&b, "%s  %s  %s\n", stamp(m.Time), text.Pad(text.Terminal(string(m.MsgType)), 5), text.Terminal(summary(m)))
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

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat"
)

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
	if err := parseFlagsNoArgs(fs, args, hint); err != nil {
		return err
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
	q.Set("limit", strconv.Itoa(*limit)) // 0 asks for every one: the admin API's default is a page
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
		rows = append(rows, []string{c.FeedBackID, c.OpenID, string(c.State), c.Goods.String(), stamp(c.Deadline), marks, text.ClipWidth(text.Terminal(c.Reason), 40)})
	}
	if err := table(std.Stdout, []string{"ID", "USER", "STATE", "GOODS", "RESOLVE BY", "MARKS", "REASON"}, rows); err != nil {
		return err
	}
	if *limit > 0 && len(list) == *limit {
		fmt.Fprintf(std.Stdout, "(more may follow: --after %s)\n", list[len(list)-1].FeedBackID)
	}
	return nil
}

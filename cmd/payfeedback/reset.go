package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

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
		"the call and delivery logs emptied. The accounts stay as they stand (those added\n"+
		"since, and their notify URLs, included); ids are never handed out twice.")
	mf := addMockFlags(fs, std)
	client, err := mf.parseNoArgs(fs, args, hint)
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

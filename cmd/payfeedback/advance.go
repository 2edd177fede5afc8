package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
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

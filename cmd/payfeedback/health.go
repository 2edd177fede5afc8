package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// healthCommand asks a running fake whether it is ready: the container
// image's HEALTHCHECK (a scratch image has no shell nor curl), and a wait
// loop for scripts.
type healthCommand struct{}

func newHealthCommand() *healthCommand { return &healthCommand{} }

func (*healthCommand) Name() string { return "health" }

func (*healthCommand) Synopsis() string {
	return "check that a running fake answers /_mock/health (exit 0 when ready)"
}

const healthUsage = `[flags]

Asks the fake at --url for GET /_mock/health and exits 0 when it answers
{"status":"ok"}, 1 otherwise. With --wait, tries again until it does or
the wait is over. With --ready-file (the file given to payfeedback mock
--ready-file), it first waits for the file, takes the URL from it, and
prints that URL once the fake is ready:

  payfeedback mock --addr 127.0.0.1:0 --ready-file "$ready" &
  M=$(payfeedback health --ready-file "$ready" --wait 10s)

The Docker image's HEALTHCHECK runs it.`

func (c *healthCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback health --url http://127.0.0.1:8080"
	fs := newFlagSet(std, c.Name(), healthUsage)
	url := fs.String("url", "http://127.0.0.1:8080", "the fake's base `URL`")
	timeout := fs.Duration("timeout", 2*time.Second, "give up on one check after this `duration`")
	wait := fs.Duration("wait", 0, "keep checking until ready, at most this `duration` (0: check once)")
	readyFile := fs.String("ready-file", "", "take the URL from this `file` (payfeedback mock --ready-file), waiting for it, and print it once ready")
	if err := parseFlagsNoArgs(fs, args, hint); err != nil {
		return err
	}
	deadline := time.Now().Add(*wait)
	base := strings.TrimRight(*url, "/")
	for {
		var err error
		if *readyFile != "" {
			var b []byte
			if b, err = os.ReadFile(*readyFile); err == nil {
				base = strings.TrimRight(strings.TrimSpace(string(b)), "/")
			}
		}
		if err == nil {
			if err = checkHealth(ctx, base+"/_mock/health", *timeout); err == nil {
				if *readyFile != "" {
					fmt.Fprintln(std.Stdout, base)
				} else {
					fmt.Fprintln(std.Stdout, "ok")
				}
				return nil
			}
			err = fmt.Errorf("%s/_mock/health: %w", base, err)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return exitCode(1, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// checkHealth asks once.
func checkHealth(ctx context.Context, u string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var h struct {
		Status string `json:"status"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &h) != nil || h.Status != "ok" {
		return fmt.Errorf("not ready: HTTP %d %.120s", resp.StatusCode, b)
	}
	return nil
}

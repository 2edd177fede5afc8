package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
)

// The commands that drive a running fake (payfeedback mock) through its
// admin API: complain, confirm, reject, arbitrate, advance, complaints,
// deliveries, inbox and reset. They share --mock-url (default
// $PAYFEEDBACK_MOCK_URL, then http://127.0.0.1:8080), --json (print what
// the admin API answered, for scripts) and --timeout.

const (
	envMockURL     = "PAYFEEDBACK_MOCK_URL" // sets --mock-url
	defaultMockURL = "http://" + defaultMockAddr
)

// mockFlags are the flags of the commands that drive a fake.
type mockFlags struct {
	url     *string
	json    *bool
	timeout *time.Duration
}

// addMockFlags registers --mock-url, --json and --timeout.
func addMockFlags(fs *flag.FlagSet, std stdio) *mockFlags {
	def := defaultMockURL
	if v := std.getenv(envMockURL); v != "" {
		def = v
	}
	return &mockFlags{
		url:     fs.String("mock-url", def, "the running fake's base `URL` (env "+envMockURL+")"),
		json:    fs.Bool("json", false, "print the admin API's JSON answer instead of a table, for scripts"),
		timeout: durationFlag(fs, "timeout", 30*time.Second, "give up after this `duration`"),
	}
}

// mockClient calls a running fake's admin API.
type mockClient struct {
	base string
	http *http.Client
}

// parseNoArgs parses the arguments of a command that takes flags only
// (parseFlagsNoArgs) and returns the client of the fake its flags name.
func (m *mockFlags) parseNoArgs(fs *flag.FlagSet, args []string, hint string) (*mockClient, error) {
	if err := parseFlagsNoArgs(fs, args, hint); err != nil {
		return nil, err
	}
	return m.client(hint)
}

func (m *mockFlags) client(hint string) (*mockClient, error) {
	base := strings.TrimRight(*m.url, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, usageErrorf(hint, "--mock-url %q: want the fake's base URL, e.g. %s", *m.url, defaultMockURL)
	}
	if *m.timeout <= 0 {
		return nil, usageErrorf(hint, "--timeout must be positive")
	}
	return &mockClient{base: base, http: &http.Client{Timeout: *m.timeout}}, nil
}

// adminError is an error the admin API answered.
type adminError struct {
	Status int
	Msg    string
}

func (e *adminError) Error() string { return e.Msg }

// do calls method path with body (nil: none) as JSON and decodes the
// answer into out (nil: discard). It returns the raw answer too, for
// --json.
func (c *mockClient) do(ctx context.Context, method, path string, body, out any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.unreachable(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("%s %s answered HTTP %d: is %s a fake WeChat (payfeedback mock)?", method, path, resp.StatusCode, c.base)
		}
		return raw, &adminError{Status: resp.StatusCode, Msg: e.Error}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("%s %s: the answer is not what a fake WeChat answers (%v): is %s payfeedback mock?", method, path, err, c.base)
		}
	}
	return raw, nil
}

// unreachable explains a fake that does not answer.
func (c *mockClient) unreachable(err error) error {
	var op *net.OpError
	if errors.As(err, &op) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no fake WeChat answers at %s (%v): start one with `payfeedback mock`, or point --mock-url or $%s at it", c.base, err, envMockURL)
	}
	return err
}

// printJSON writes an admin API answer as it came, one value a line.
func printJSON(w io.Writer, raw []byte) error {
	_, err := fmt.Fprintln(w, strings.TrimSpace(string(raw)))
	return err
}

// table writes rows aligned in columns by display width, so a column
// holding Chinese text (two columns a character) lines up; every cell is
// escaped for the terminal first (text.Terminal), as what the fake
// answers holds what merchants and users wrote.
func table(w io.Writer, header []string, rows [][]string) error {
	lines := append([][]string{header}, rows...)
	widths := make([]int, len(header))
	for i, r := range lines {
		esc := make([]string, len(r))
		for j, cell := range r {
			esc[j] = text.Terminal(cell)
			if j < len(widths) {
				widths[j] = max(widths[j], text.Width(esc[j]))
			}
		}
		lines[i] = esc
	}
	var b strings.Builder
	for _, r := range lines {
		for j, cell := range r {
			if j == len(r)-1 || j >= len(widths) {
				b.WriteString(cell)
				continue
			}
			b.WriteString(text.Pad(cell, widths[j]+2))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// parseInterspersed parses flags wherever they are among the arguments
// (`reject 123 --reason x` as well as `reject --reason x 123`) and returns
// the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string, hint string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, hint); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// oneArg checks that exactly one positional argument, named what, was
// given.
func oneArg(pos []string, what, hint string) (string, error) {
	switch len(pos) {
	case 0:
		return "", usageErrorf(hint, "%s is required", what)
	case 1:
		return pos[0], nil
	}
	return "", usageErrorf(hint, "unexpected argument %q", pos[1])
}

// stamp formats an instant of the fake's clock for a table.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

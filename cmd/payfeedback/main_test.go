package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/internal/golden"
)

// result is what one run of the CLI printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the CLI in-process with args, stdin and environment env.
func runCLI(t *testing.T, stdin string, env map[string]string, args ...string) result {
	t.Helper()
	return runCLIWith(t, cli{stdin: stdin, env: env}, args...)
}

// cli is how runCLIWith runs the CLI.
type cli struct {
	ctx   context.Context // nil: context.Background()
	stdin string
	env   map[string]string
	// terminal makes standard output and standard error terminals.
	terminal bool
}

// runCLIWith runs the CLI in-process as c says.
func runCLIWith(t *testing.T, c cli, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	code := run(ctx, args, stdio{
		Stdin:    strings.NewReader(c.stdin),
		Stdout:   &out,
		Stderr:   &errOut,
		Getenv:   func(k string) string { return c.env[k] },
		Terminal: func(io.Writer) bool { return c.terminal },
	})
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// checkGolden compares got with testdata/name (go test -update rewrites
// it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // substring of stdout
		wantErr  string // substring of stderr
	}{
		{"no args", nil, 2, "", "Commands:"},
		{"help", []string{"help"}, 0, "Commands:", ""},
		{"--help", []string{"--help"}, 0, "Commands:", ""},
		{"help of a command", []string{"help", "sign"}, 0, "Usage: payfeedback sign", ""},
		{"-h of a command", []string{"check", "-h"}, 0, "Usage: payfeedback check", ""},
		{"help of an unknown command", []string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{"unknown command", []string{"frobnicate"}, 2, "", "Try: payfeedback help"},
		{"a typo", []string{"chek"}, 2, "", `unknown command "chek": did you mean check?`},
		{"a prefix", []string{"ver"}, 2, "", "did you mean verify?"},
		{"a typo of help", []string{"help", "sned"}, 2, "", "did you mean send?"},
		{"unknown flag", []string{"sign", "--nope"}, 2, "", "Try: payfeedback sign"},
		{"version", []string{"version"}, 0, "payfeedback ", ""},
		{"--version", []string{"--version"}, 0, "payfeedback ", ""},
		{"-version", []string{"-version"}, 0, "payfeedback ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", r.stdout, tt.wantOut)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.wantErr)
			}
		})
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		if seen[c.Name()] {
			t.Errorf("command %q registered twice", c.Name())
		}
		seen[c.Name()] = true
		if c.Synopsis() == "" {
			t.Errorf("command %q has no synopsis", c.Name())
		}
		r := runCLI(t, "", nil, c.Name(), "-h")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: payfeedback "+c.Name()) || r.stderr != "" {
			t.Errorf("%s -h: exit %d, stdout %q, stderr %q; want the usage on standard output", c.Name(), r.code, r.stdout, r.stderr)
		}
	}
}

// TestFlagErrorsAreOneLine: a flag error prints one line and the hint, not
// the usage around the error; a duration without a unit says what to
// write.
func TestFlagErrorsAreOneLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"check", "--nope"}, "payfeedback check: flag provided but not defined: -nope\nTry: payfeedback check --url "},
		{[]string{"check", "--timeout", "5"}, "payfeedback check: invalid value \"5\" for flag -timeout: use a duration such as 5s (a number needs a unit: ms, s, m, h)\nTry: "},
		{[]string{"push", "--timeout", "soon"}, "payfeedback push: invalid value \"soon\" for flag -timeout: use a duration such as 5s, 300ms or 2m\nTry: "},
		{[]string{"verify", "--max-age", "10"}, "use a duration such as 10s"},
		{[]string{"check", "--chaos", "many"}, "payfeedback check: invalid value \"many\" for flag -chaos: parse error\nTry: "},
	}
	for _, tc := range tests {
		r := runCLI(t, "", nil, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
		if n := strings.Count(r.stderr, "\n"); n != 2 || strings.Contains(r.stderr, "Usage") || r.stdout != "" {
			t.Errorf("%v: %d lines on stderr, stdout %q; want the error and the hint alone:\n%s", tc.args, n, r.stdout, r.stderr)
		}
	}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// command is one subcommand. Run parses its own flags from args (which do
// not include the subcommand's name).
type command interface {
	Name() string
	Synopsis() string
	Run(ctx context.Context, args []string, std stdio) error
}

// stdio is the process's streams and environment, replaceable in tests.
type stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Terminal reports whether w is a terminal (nil: none is), for
	// colours and the wait indicator.
	Terminal func(w io.Writer) bool
}

// terminal reports whether w is a terminal.
func (s stdio) terminal(w io.Writer) bool { return s.Terminal != nil && s.Terminal(w) }

// colour reports whether w gets colours: a terminal, and $NO_COLOR unset
// or empty (https://no-color.org).
func (s stdio) colour(w io.Writer) bool { return s.terminal(w) && s.getenv("NO_COLOR") == "" }

// getenv reads the environment, or nothing when Getenv is unset.
func (s stdio) getenv(key string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(key)
}

// usageError is a mistake in the command line: exit status 2, with a hint.
type usageError struct {
	msg  string
	hint string
}

func (e *usageError) Error() string { return e.msg }

// usageErrorf returns a usage error; hint is a command line to try.
func usageErrorf(hint, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitCode returns an error that makes the process exit with code; err,
// when not nil, is printed first.
func exitCode(code int, err error) error { return &exitError{code: code, err: err} }

// interruption is the cause of a context cancelled by a signal.
type interruption struct{ sig os.Signal }

func (i interruption) Error() string { return "interrupted (" + i.sig.String() + ")" }

// status is the exit status of a process ended by the signal, as shells
// report it: 128 + the signal's number (130 for SIGINT).
func (i interruption) status() int {
	if s, ok := i.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// interrupted returns the signal that cancelled ctx, if one did.
func interrupted(ctx context.Context) (interruption, bool) {
	var in interruption
	ok := ctx.Err() != nil && errors.As(context.Cause(ctx), &in)
	return in, ok
}

// run dispatches args to a subcommand and returns the exit status:
// 0 success, 1 failure, 2 usage error, 128 + the signal's number when a
// signal interrupted the command (130 for Ctrl-C), or the status a command
// chose.
func run(ctx context.Context, args []string, std stdio) int {
	if len(args) == 0 {
		printUsage(std.Stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			if c := lookup(rest[0]); c != nil {
				return run(ctx, []string{c.Name(), "-h"}, std)
			}
			unknownCommand(std.Stderr, rest[0])
			return 2
		}
		printUsage(std.Stdout)
		return 0
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		unknownCommand(std.Stderr, name)
		return 2
	}
	err := c.Run(ctx, rest, std)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if in, ok := interrupted(ctx); ok {
		var ee *exitError
		if !errors.As(err, &ee) || ee.err != nil {
			fmt.Fprintf(std.Stderr, "payfeedback %s: %v\n", name, in)
		}
		return in.status()
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(std.Stderr, "payfeedback %s: %s\n", name, ue.msg)
		if ue.hint != "" {
			fmt.Fprintf(std.Stderr, "Try: %s\n", ue.hint)
		}
		return 2
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(std.Stderr, "payfeedback %s: %v\n", name, ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(std.Stderr, "payfeedback %s: %v\n", name, err)
	return 1
}

// unknownCommand says so, with the nearest command when one is near.
func unknownCommand(w io.Writer, name string) {
	fmt.Fprintf(w, "payfeedback: unknown command %q", name)
	if near := nearest(name); near != "" {
		fmt.Fprintf(w, ": did you mean %s?", near)
	}
	fmt.Fprintf(w, "\nTry: payfeedback help\n")
}

// nearest returns the command name closest to name, when it is close: at
// most two edits away, or a prefix of three letters or more.
func nearest(name string) string {
	best, bestD := "", 3
	for _, c := range commands() {
		n := c.Name()
		if len(name) >= 3 && strings.HasPrefix(n, name) {
			return n
		}
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func lookup(name string) command {
	for _, c := range commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("payfeedback: a kit for WeChat Pay's complaint (维权) protocol.\n\nUsage:\n\n\tpayfeedback <command> [flags] [args]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "\t%-10s %s\n", c.Name(), c.Synopsis())
	}
	b.WriteString("\nEnvironment (every command but mock, whose flags define the fake's accounts):\n\n")
	fmt.Fprintf(&b, "\t%-22s the API base URL, when --base-url is not given\n", envBaseURL)
	fmt.Fprintf(&b, "\t%-22s the appSecret, when --secret is not given\n", envSecret)
	fmt.Fprintf(&b, "\t%-22s the paySignKey, when --paysignkey is not given\n", envPaySignKey)
	fmt.Fprintf(&b, "\t%-22s the running fake the driving commands call, when --mock-url is not given (default %s)\n", envMockURL, defaultMockURL)
	b.WriteString("\nRun \"payfeedback help <command>\" for the flags of one command, \"payfeedback --version\" for the version.\n")
	io.WriteString(w, b.String())
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage, when asked for (-h), to std.Stdout.
func newFlagSet(std stdio, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("payfeedback "+name, flag.ContinueOnError)
	fs.SetOutput(std.Stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: payfeedback %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlagsNoArgs is parseFlags for a command that takes flags only: an
// argument left after them is a usage error naming it.
func parseFlagsNoArgs(fs *flag.FlagSet, args []string, hint string) error {
	if err := parseFlags(fs, args, hint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// parseFlags parses args. -h prints the usage (on standard output); a
// parse error becomes a usage error of one line with the hint, without
// the usage around it.
func parseFlags(fs *flag.FlagSet, args []string, hint string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	case err != nil:
		return usageErrorf(hint, "%v", err)
	}
	return nil
}

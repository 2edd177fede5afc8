package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
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
}

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

// run dispatches args to a subcommand and returns the exit status:
// 0 success, 1 failure, 2 usage error (or the status a command chose).
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
			fmt.Fprintf(std.Stderr, "payfeedback: unknown command %q\nTry: payfeedback help\n", rest[0])
			return 2
		}
		printUsage(std.Stdout)
		return 0
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(std.Stderr, "payfeedback: unknown command %q\nTry: payfeedback help\n", name)
		return 2
	}
	err := c.Run(ctx, rest, std)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
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
		fmt.Fprintf(&b, "\t%-8s %s\n", c.Name(), c.Synopsis())
	}
	b.WriteString("\nEnvironment (every command but mock, whose flags define the fake's accounts):\n\n")
	fmt.Fprintf(&b, "\t%-22s the API base URL, when --base-url is not given\n", envBaseURL)
	fmt.Fprintf(&b, "\t%-22s the appSecret, when --secret is not given\n", envSecret)
	fmt.Fprintf(&b, "\t%-22s the paySignKey, when --paysignkey is not given\n", envPaySignKey)
	b.WriteString("\nRun \"payfeedback help <command>\" for the flags of one command.\n")
	io.WriteString(w, b.String())
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage to std.Stderr.
func newFlagSet(std stdio, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("payfeedback "+name, flag.ContinueOnError)
	fs.SetOutput(std.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: payfeedback %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; a parse error becomes a usage error (flag has
// already printed the details and the usage).
func parseFlags(fs *flag.FlagSet, args []string, hint string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErrorf(hint, "%v", err)
	}
	return nil
}

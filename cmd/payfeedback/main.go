// Command payfeedback is the one CLI of the payfeedback kit: it runs the fake
// WeChat, certifies a merchant's endpoint, pushes, signs and verifies
// complaint notifications, and calls the WeChat API.
//
// Run "payfeedback help" for the list of subcommands, and
// "payfeedback help SUBCOMMAND" for the flags of one.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainStatus())
}

// mainStatus runs the CLI on the process's arguments and streams. The
// first SIGINT or SIGTERM cancels the command, which stops cleanly (check
// still writes its reports) and exits 128 + the signal's number (130 for
// Ctrl-C); a second one ends the process at once, with that status.
func mainStatus() int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		first, ok := <-sigs
		if !ok {
			return
		}
		cancel(interruption{first})
		if again, ok := <-sigs; ok {
			os.Exit(interruption{again}.status())
		}
	}()
	return run(ctx, os.Args[1:], stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Terminal: isTerminal})
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// commands lists every subcommand, in the order help shows them: the fake
// and the commands that drive it, the suite, then the tools for one
// notification, then the API.
func commands() []command {
	return []command{
		newMockCommand(),
		newComplainCommand(),
		newConfirmCommand(),
		newRejectCommand(),
		newArbitrateCommand(),
		newAdvanceCommand(),
		newComplaintsCommand(),
		newDeliveriesCommand(),
		newInboxCommand(),
		newPayCommand(),
		newResetCommand(),
		newHealthCommand(),
		newCheckCommand(),
		newEvidenceCommand(),
		newPushCommand(),
		newVerifyCommand(),
		newSignCommand(),
		newUpdateCommand(),
		newSendCommand(),
		newVersionCommand(),
	}
}

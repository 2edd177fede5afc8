// Command payfeedback is the one CLI of the payfeedback kit: it runs the fake
// WeChat, certifies a merchant's endpoint, pushes, signs and verifies
// complaint notifications, and calls the WeChat API.
//
// Run "payfeedback help" for the list of subcommands, and
// "payfeedback help SUBCOMMAND" for the flags of one.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// commands lists every subcommand, in the order help shows them: the fake
// and the suite first, then the tools for one notification, then the API.
func commands() []command {
	return []command{
		newMockCommand(),
		newCheckCommand(),
		newPushCommand(),
		newVerifyCommand(),
		newSignCommand(),
		newUpdateCommand(),
		newSendCommand(),
		newVersionCommand(),
	}
}

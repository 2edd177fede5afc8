package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// versionCommand prints the build's version.
type versionCommand struct{}

func newVersionCommand() *versionCommand { return &versionCommand{} }

func (*versionCommand) Name() string { return "version" }

func (*versionCommand) Synopsis() string { return "print the version of payfeedback" }

func (c *versionCommand) Run(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet(std, c.Name(), "")
	if err := parseFlags(fs, args, "payfeedback version"); err != nil {
		return err
	}
	_, err := fmt.Fprintln(std.Stdout, kitVersion())
	return err
}

// kitVersion is the build's version, as payfeedback version prints it
// and evidence bundles record it: "payfeedback VERSION [REVISION] GOVERSION".
func kitVersion() string {
	version, goVersion, revision := "(devel)", "", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				revision = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("payfeedback %s%s %s", version, revision, goVersion)
}

package testparallel

import (
	"flag"
	"io"
	"testing"
)

func TestSetDefault(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not given", nil, "8"},
		{"given", []string{"-test.parallel", "3"}, "3"},
		{"given as its default", []string{"-test.parallel=2"}, "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			fs.Int("test.parallel", 2, "")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := setDefault(fs, "test.parallel", 8); err != nil {
				t.Fatal(err)
			}
			if got := fs.Lookup("test.parallel").Value.String(); got != tc.want {
				t.Errorf("-test.parallel = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSetDefaultNoSuchFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := setDefault(fs, "test.parallel", 8); err == nil {
		t.Fatal("no error for a flag set without -test.parallel")
	}
}
